import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        // Names compared as the reader's interned strings, attributes read in place: a Swift string
        // per element, name and attribute was most of the time this thread spent outside libxml2.
        let names = RowNames(reader)
        var inSheet = false
        var sheetDepth = 0
        var sheetPath = ""
        var done = false
        var rowNumber = 0
        var more = try reader.read()
        while more && !done {
            if reader.isEndElement && inSheet && reader.depth == sheetDepth && names.is(reader.localNamePointer, names.worksheet) { done = true; break }
            guard reader.isElement, names.inNamespace(reader.namespacePointer) else { more = try reader.read(); continue }
            let local = reader.localNamePointer
            if !inSheet && names.is(local, names.worksheet) {
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
            } else if inSheet && names.is(local, names.row) {
                var index: Int?
                reader.forEachAttribute { name, namespace, value in
                    if index == nil, names.is(name, names.index), names.inNamespace(namespace) { index = SpreadsheetMLTable.integer(value) }
                }
                if let index, index > rowNumber {
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
                    try emit(try Self.row(try reader.expand(), names: names, line: line, path: sheetPath, rowNumber: rowNumber, file: path))
                }
                more = try reader.skip()
            } else {
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
    static func row(_ row: xmlNodePtr, names: RowNames, line: Int, path: String, rowNumber: Int, file: String) throws -> XMLRecord {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var columns: [Int] = []
        var column = 0  // 0-based column of the next cell
        var next = row.pointee.children
        while let cell = next {
            next = cell.pointee.next
            guard cell.pointee.type == XML_ELEMENT_NODE, names.is(cell.pointee.name, names.cell) else { continue }
            let (index, merge) = names.indexAndMerge(of: cell)
            if let index {
                guard index >= 1, index <= Self.maximumColumns else {
                    throw XMLReadError(file: file, line: line, column: 0, message: "cell index \(index) outside 1…\(Self.maximumColumns); refused")
                }
                column = max(column, index - 1)
            }
            guard column < Self.maximumColumns else {
                throw XMLReadError(file: file, line: line, column: 0, message: "cells beyond column \(Self.maximumColumns); refused")
            }
            var child = cell.pointee.children
            while let data = child, !(data.pointee.type == XML_ELEMENT_NODE && names.is(data.pointee.name, names.data)) { child = data.pointee.next }
            if let data = child {
                let start = bytes.count
                appendContent(of: data, to: &bytes)
                if bytes.count > start {
                    ends.append(bytes.count)
                    columns.append(column)
                }
            }
            column += 1
            if let merge, merge > 0 {
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

    /// A decimal integer as Swift's `Int(_: String)` reads one (an optional sign, ASCII digits, nil
    /// past `Int`'s range), from bytes.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var digits = bytes[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for b in digits {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative ? times.subtractingReportingOverflow(Int(b - UInt8(ascii: "0")))
                                     : times.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }
}

/// The names a worksheet is read by, interned in the reader's dictionary (compared by pointer
/// first), and the SpreadsheetML namespace as a C string.
struct RowNames {
    let worksheet, row, cell, data, index, mergeAcross: UnsafePointer<xmlChar>?
    private let namespace: [xmlChar]

    init(_ reader: XMLStreamReader) {
        worksheet = reader.intern("Worksheet")
        row = reader.intern("Row")
        cell = reader.intern("Cell")
        data = reader.intern("Data")
        index = reader.intern("Index")
        mergeAcross = reader.intern("MergeAcross")
        namespace = Array(SpreadsheetMLTable.namespace.utf8) + [0]
    }

    /// Whether two names are equal (libxml2's comparison: the same pointer, or the same bytes).
    func `is`(_ a: UnsafePointer<xmlChar>?, _ b: UnsafePointer<xmlChar>?) -> Bool {
        guard let a, let b else { return false }
        return xmlStrEqual(a, b) != 0
    }

    /// Whether a namespace URI is SpreadsheetML's.
    func inNamespace(_ uri: UnsafePointer<xmlChar>?) -> Bool {
        guard let uri else { return false }
        return namespace.withUnsafeBufferPointer { xmlStrEqual(uri, $0.baseAddress) != 0 }
    }

    /// A cell's `ss:Index` and `ss:MergeAcross`, read from its attributes in place (a value given by
    /// a DTD default, which has no attribute node, through libxml2's look-up).
    func indexAndMerge(of cell: xmlNodePtr) -> (index: Int?, merge: Int?) {
        var index: Int?, merge: Int?
        var foundIndex = false, foundMerge = false
        var property = cell.pointee.properties
        while let attribute = property {
            property = attribute.pointee.next
            guard inNamespace(attribute.pointee.ns?.pointee.href) else { continue }
            let isIndex = !foundIndex && `is`(attribute.pointee.name, self.index)
            let isMerge = !foundMerge && `is`(attribute.pointee.name, mergeAcross)
            guard isIndex || isMerge else { continue }
            var value: Int?
            if let text = attribute.pointee.children, text.pointee.next == nil, text.pointee.type == XML_TEXT_NODE, let content = text.pointee.content {
                value = SpreadsheetMLTable.integer(UnsafeBufferPointer(start: content, count: strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))))
            } else {
                var bytes: [UInt8] = []
                appendContent(of: UnsafeMutableRawPointer(attribute).assumingMemoryBound(to: xmlNode.self), to: &bytes)
                value = bytes.withUnsafeBufferPointer { SpreadsheetMLTable.integer($0) }
            }
            if isIndex { (index, foundIndex) = (value, true) } else { (merge, foundMerge) = (value, true) }
        }
        if cell.pointee.doc?.pointee.intSubset != nil {  // defaults declared in a DTD
            if !foundIndex { index = Self.declared(cell, "Index") }
            if !foundMerge { merge = Self.declared(cell, "MergeAcross") }
        }
        return (index, merge)
    }

    private static func declared(_ cell: xmlNodePtr, _ name: String) -> Int? {
        attribute(cell, name, namespace: SpreadsheetMLTable.namespace).flatMap(Int.init)
    }
}
