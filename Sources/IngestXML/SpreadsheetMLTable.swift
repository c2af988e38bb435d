import CLibXML2

/// Excel "XML Spreadsheet 2003": a worksheet read as a table (`ss:Index` skips, `MergeAcross`).
public struct SpreadsheetMLTable: Sendable {
    public static let namespace = "urn:schemas-microsoft-com:office:spreadsheet"
    /// Excel's own column limit: a larger `ss:Index` is refused (a resource-exhaustion probe).
    public static let maximumColumns = 16_384
    public let worksheet: String?

    public init(worksheet: String?) { self.worksheet = worksheet }

    /// Streams every row of the chosen worksheet (the first one when none is named), header included.
    /// A row larger than `maxRowBytes` is refused without being built (`XMLRecord.refusal`).
    public func read(path: String, maxRowBytes: Int = 1_000_000, emit: (XMLRecord) throws -> Void) throws {
        // Workbook (0) / Worksheet (1) / Table (2) / Row (3).
        let reader = try XMLStreamReader(path: path, limits: XMLGuard.Limits(recordDepth: 3, recordBytes: maxRowBytes))
        var inSheet = false
        var sheetDepth = 0
        var sheetPath = ""
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
                    // One path for the sheet, its row number as the index: a path per row made every
                    // attendance line a place of its own (see ReachState.place).
                    sheetPath = "Worksheet \"\(name)\""
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
                if let refusal = reader.refusal {
                    var record = XMLRecord(bytes: [], ends: [], line: reader.nodeLine, path: sheetPath, index: rowNumber)
                    record.refusal = refusal
                    try emit(record)
                } else {
                    try emit(try Self.row(try reader.expand(), line: line, path: sheetPath, rowNumber: rowNumber, file: path))
                }
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

    /// One row's cells as a sparse record: only cells holding a value, at their column (`ss:Index`
    /// skips, `MergeAcross` spans). Empty and merged cells cost nothing: a row of one cell merged
    /// across 16,384 columns was 16,384 empty strings (1.6 MB of such rows: 28 s and 386 MB).
    static func row(_ row: xmlNodePtr, line: Int, path: String, rowNumber: Int, file: String) throws -> XMLRecord {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var columns: [Int] = []
        var column = 0  // 0-based column of the next cell
        for cell in elementChildren(row) where name(of: cell) == "Cell" {
            if let index = attribute(cell, "Index", namespace: Self.namespace).flatMap(Int.init) {
                guard index >= 1, index <= Self.maximumColumns else {
                    throw XMLReadError(file: file, line: line, column: 0, message: "cell index \(index) outside 1…\(Self.maximumColumns); refused")
                }
                column = max(column, index - 1)
            }
            guard column < Self.maximumColumns else {
                throw XMLReadError(file: file, line: line, column: 0, message: "cells beyond column \(Self.maximumColumns); refused")
            }
            if let data = elementChildren(cell).first(where: { name(of: $0) == "Data" }) {
                let start = bytes.count
                appendContent(of: data, to: &bytes)
                if bytes.count > start {
                    ends.append(bytes.count)
                    columns.append(column)
                }
            }
            column += 1
            if let merge = attribute(cell, "MergeAcross", namespace: Self.namespace).flatMap(Int.init), merge > 0 {
                guard column + merge <= Self.maximumColumns else {
                    throw XMLReadError(file: file, line: line, column: 0, message: "merged cells beyond column \(Self.maximumColumns); refused")
                }
                column += merge
            }
        }
        var record = XMLRecord(bytes: bytes, ends: ends, columns: columns, line: line, path: path, index: rowNumber)
        record.width = column
        return record
    }
}
