import CLibXML2

/// Excel "XML Spreadsheet 2003": a worksheet read as a table (`ss:Index` skips, `MergeAcross`).
public struct SpreadsheetMLTable: Sendable {
    public static let namespace = "urn:schemas-microsoft-com:office:spreadsheet"
    /// Excel's own column limit: a larger `ss:Index` is refused (a resource-exhaustion probe).
    public static let maximumColumns = 16_384
    public let worksheet: String?

    public init(worksheet: String?) { self.worksheet = worksheet }

    /// Streams every row of the chosen worksheet (the first one when none is named), header included.
    public func read(path: String, emit: (XMLRecord) throws -> Void) throws {
        let reader = try XMLStreamReader(path: path)
        var inSheet = false
        var sheetDepth = 0
        var sheetName = ""
        var done = false
        var rowNumber = 0
        var more = try reader.read()
        while more && !done {
            if reader.isEndElement && inSheet && reader.depth == sheetDepth && reader.localName == "Worksheet" { done = true; break }
            guard reader.isElement, reader.namespaceURI == Self.namespace else { more = try reader.read(); continue }
            switch reader.localName {
            case "Worksheet" where !inSheet:
                let name = reader.attribute("Name", namespace: Self.namespace) ?? ""
                if worksheet == nil || worksheet == name {
                    inSheet = true
                    sheetDepth = reader.depth
                    sheetName = name
                    if reader.isEmptyElement { done = true }
                    more = try reader.read()
                } else {
                    more = try reader.skip()
                }
            case "Row" where inSheet:
                if let index = reader.attribute("Index", namespace: Self.namespace).flatMap(Int.init), index > rowNumber {
                    rowNumber = index
                } else {
                    rowNumber += 1
                }
                let line = reader.line
                let row = try reader.expand()
                var values: [String] = []
                for cell in elementChildren(row) where name(of: cell) == "Cell" {
                    if let index = attribute(cell, "Index", namespace: Self.namespace).flatMap(Int.init) {
                        guard index >= 1, index <= Self.maximumColumns else {
                            throw XMLReadError(file: path, line: line, column: 0, message: "cell index \(index) outside 1…\(Self.maximumColumns); refused")
                        }
                        while values.count < index - 1 { values.append("") }
                    }
                    let data = elementChildren(cell).first { name(of: $0) == "Data" }
                    values.append(data.map(content) ?? "")
                    if let merge = attribute(cell, "MergeAcross", namespace: Self.namespace).flatMap(Int.init), merge > 0 {
                        guard values.count + merge <= Self.maximumColumns else {
                            throw XMLReadError(file: path, line: line, column: 0, message: "merged cells beyond column \(Self.maximumColumns); refused")
                        }
                        values += Array(repeating: "", count: merge)
                    }
                }
                try emit(XMLRecord(values: values, line: line, path: "Worksheet \"\(sheetName)\" row \(rowNumber)"))
                more = try reader.skip()
            default:
                more = try reader.read()
            }
        }
        if !inSheet {
            throw XMLReadError(file: path, line: 0, column: 0,
                               message: worksheet.map { "no worksheet named '\($0)'" } ?? "no worksheet (is this SpreadsheetML 2003?)")
        }
    }
}

