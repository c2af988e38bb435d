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
/// BIG_LINES: nodes keep line numbers beyond 65,535 (a refused record is reported at its own line).
public let hardenedXMLOptions: Int32 = Int32(bitPattern: XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
    | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue)

/// Reads just enough of an XML file (its root element) to tell what kind of export it is.
public enum XMLSniffer {
    /// The root element, its namespace, and the export kind it suggests.
    public static func sniff(path: String) throws -> XMLSniff {
        // The same hardened reader as the ingest: entity checks, error positions, leading blanks tolerated.
        let reader = try XMLStreamReader(path: path)
        while try reader.read() {
            guard reader.isElement else { continue }
            let name = reader.localName
            let namespace = reader.namespaceURI
            let kind: XMLExportKind
            if namespace == SpreadsheetMLTable.namespace && name == "Workbook" {
                kind = .spreadsheetML
            } else if reader.attribute("id") != nil || namespace == "http://opendatakit.org/submissions"
                        || namespace == "http://www.opendatakit.org/xforms" {
                kind = .odkInstance
            } else {
                kind = .partner
            }
            return XMLSniff(rootElement: name, namespace: namespace, declaredEncoding: reader.encoding, kind: kind)
        }
        throw XMLReadError(file: path, line: 0, column: 0, message: "no root element")
    }
}
