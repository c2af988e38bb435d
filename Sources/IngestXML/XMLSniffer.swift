import CLibXML2

/// The kinds of XML export the pipeline knows.
public enum XMLExportKind: String, Sendable {
    case spreadsheetML = "SpreadsheetML 2003"
    case odkInstance = "ODK/Kobo submission"
    case partner = "partner XML"
}

/// What the first element of an XML file says about it.
public struct XMLSniff: Sendable, Equatable {
    public let rootElement: String
    public let namespace: String?
    public let declaredEncoding: String?
    public let kind: XMLExportKind
}

/// An XML file that libxml2 refused, with where and why.
public struct XMLReadError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Parser options for untrusted exports: no network, no entity substitution, no external DTD,
/// errors collected instead of printed. HUGE stays off so libxml2's amplification guard holds.
public let hardenedXMLOptions: Int32 = Int32(bitPattern: XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
    | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)

/// Reads just enough of an XML file (its root element) to tell what kind of export it is.
public enum XMLSniffer {
    /// The root element, its namespace, and the export kind it suggests.
    public static func sniff(path: String) throws -> XMLSniff {
        guard let reader = xmlReaderForFile(path, nil, hardenedXMLOptions) else {
            throw XMLReadError(file: path, line: 0, column: 0, message: "libxml2 cannot open the file")
        }
        defer { xmlFreeTextReader(reader) }
        while true {
            let status = xmlTextReaderRead(reader)
            if status != 1 {
                throw lastError(path) ?? XMLReadError(file: path, line: 0, column: 0, message: "no root element")
            }
            guard xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue) else { continue }
            let name = string(xmlTextReaderConstLocalName(reader)) ?? ""
            let namespace = string(xmlTextReaderConstNamespaceUri(reader))
            let encoding = string(xmlTextReaderConstEncoding(reader))
            var hasID = false
            if let id = xmlTextReaderGetAttribute(reader, "id") {
                hasID = true
                impact_xmlFree(id)
            }
            let kind: XMLExportKind
            if namespace == "urn:schemas-microsoft-com:office:spreadsheet" && name == "Workbook" {
                kind = .spreadsheetML
            } else if hasID || namespace == "http://opendatakit.org/submissions" || namespace == "http://www.opendatakit.org/xforms" {
                kind = .odkInstance
            } else {
                kind = .partner
            }
            return XMLSniff(rootElement: name, namespace: namespace, declaredEncoding: encoding, kind: kind)
        }
    }

    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    static func lastError(_ path: String) -> XMLReadError? {
        guard let error = xmlGetLastError() else { return nil }
        let message = error.pointee.message.map { String(cString: $0) } ?? "XML error \(error.pointee.code)"
        return XMLReadError(file: path, line: Int(error.pointee.line), column: Int(error.pointee.int2),
                            message: message.trimmingCharacters(in: "\n"))
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
