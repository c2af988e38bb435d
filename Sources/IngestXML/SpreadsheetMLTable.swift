import CLibXML2
import CXMLParts
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
        if try readWithoutTree(path: path, maxRowBytes: maxRowBytes, emit: emit) { return }
        try readWithReader(path: path, maxRowBytes: maxRowBytes, emit: emit)
    }

    /// `readWithReader`'s rows through libxml2's SAX2 callbacks (`CXMLParts`), no tree built: the
    /// reader's node by node walk, each row's tree and its freeing were half the 40 MB sheet's
    /// parsing thread. A row's line is where its start tag ends (the reader gave its parser's line,
    /// which may be further on). False, before any row, when the file has a DOCTYPE (its DTD could
    /// give attributes defaults): the reader reads it.
    func readWithoutTree(path: String, maxRowBytes: Int, emit: (XMLRecord) throws -> Void) throws -> Bool {
        let file: XMLFileInput
        do { file = try XMLFileInput(path: path) } catch { throw XMLReadError(file: path, line: 0, column: 0, message: error.message) }
        let input = GuardedXMLInput(file, limits: XMLGuard.Limits(recordDepth: 3, recordBytes: maxRowBytes))
        var result = impact_sheet_result()
        defer { impact_sheet_result_free(&result) }
        let status = try withoutActuallyEscaping(emit) { emit in
            let reading = SheetReading(input: input, worksheet: worksheet, emit: emit)
            defer { reading.refusals.deallocate() }
            let status = withExtendedLifetime(reading) {
                let context = Unmanaged.passUnretained(reading).toOpaque()
                return impact_sheet_rows_parse(sheetInput, context, reading.refusals, hardenedXMLOptions, sheetWanted, sheetOutput, context, &result)
            }
            if let error = reading.error { throw error }
            return status
        }
        guard status == 0 else { throw XMLReadError(file: path, line: 0, column: 0, message: "cannot open the file") }
        if result.out_of_memory != 0 {
            throw XMLReadError(file: path, line: result.end_line, column: 0, message: "out of memory while reading the rows")
        }
        if result.doctype != 0 { return false }
        if result.cell_error != 0 {
            let message = withUnsafeBytes(of: result.cell_error_message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw XMLReadError(file: path, line: result.cell_error_line, column: 0, message: message)
        }
        if result.finished_sheet != 0 { return true }
        // The document ended (or broke off) before the sheet did: what the reader says then.
        let guardian: XMLGuard = input.guardian
        let line = result.end_line
        if result.well_formed == 0 {
            if let failure = input.failure { throw failure }
            if let failure = guardian.failure {
                throw XMLReadError(file: path, line: guardian.failureLine ?? (result.error != 0 ? result.error_line : line), column: 0, message: failure)
            }
            if result.error != 0 {
                var message = result.error_message.map { String(cString: $0) } ?? "XML error"
                while message.last == "\n" { message.removeLast() }
                throw XMLReadError(file: path, line: result.error_line, column: Int(result.error_column), message: message)
            }
            throw XMLReadError(file: path, line: line, column: 0, message: "malformed XML")
        }
        if guardian.trailingContent {
            throw XMLReadError(file: path, line: line, column: 0,
                               message: "content after the end of the root element (after line \(line)); the records before it were read")
        }
        if result.found_sheet == 0 {
            throw XMLReadError(file: path, line: 0, column: 0,
                               message: worksheet.map { "no worksheet named '\($0)'" } ?? "no worksheet (is this SpreadsheetML 2003?)")
        }
        return true
    }

    /// Streams the rows through libxml2's reader, each row's tree built (`row`).
    func readWithReader(path: String, maxRowBytes: Int, emit: (XMLRecord) throws -> Void) throws {
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
                    rowNumber = rowNumber < Int.max ? rowNumber + 1 : Int.max  // after ss:Index="9223372036854775807"
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
                guard merge <= Self.maximumColumns - column else {  // not column + merge: a huge span overflowed
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

/// What the callbacks of `readWithoutTree` share: the guarded input, the rows' consumer, and what
/// stopped them.
private final class SheetReading {
    let input: GuardedXMLInput
    /// The worksheet asked for; nil: the first.
    let worksheet: String?
    let emit: (XMLRecord) throws -> Void
    /// Nonzero once the guard refused a row (read by the C side before taking a stand-in as one).
    let refusals = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    var error: (any Error)?
    private var sheetPath: String?

    init(input: GuardedXMLInput, worksheet: String?, emit: @escaping (XMLRecord) throws -> Void) {
        self.input = input
        self.worksheet = worksheet
        self.emit = emit
        refusals.initialize(to: 0)
    }

    /// Emits one row; false when the consumer threw.
    func take(_ row: impact_sheet_row) -> Bool {
        let path = sheetPath ?? "Worksheet \"\(String(decoding: UnsafeBufferPointer(start: row.sheet, count: row.sheet_length), as: UTF8.self))\""
        sheetPath = path
        var record: XMLRecord
        if let refusal = row.refusal {
            record = XMLRecord(bytes: [], ends: [], line: row.line, path: path, index: row.number)
            record.refusal = XMLStreamReader.refusal(String(decoding: UnsafeBufferPointer(start: refusal, count: row.refusal_length), as: UTF8.self))
        } else {
            let count = row.count
            let ends = (0..<count).map { Int(row.ends[$0]) }
            let bytes = Array(UnsafeBufferPointer(start: row.bytes, count: ends.last ?? 0))
            record = XMLRecord(bytes: bytes, ends: ends, columns: (0..<count).map { row.columns[$0] }, line: row.line, path: path, index: row.number)
            record.width = row.width
        }
        do {
            try emit(record)
            return true
        } catch {
            self.error = error
            return false
        }
    }
}

private let sheetInput: impact_sheet_input = { context, buffer, length in
    guard let context, let buffer else { return -1 }
    let reading = Unmanaged<SheetReading>.fromOpaque(context).takeUnretainedValue()
    let count = reading.input.read(into: buffer, count: Int(length))
    if reading.input.guardian.refusedRecords > 0 { reading.refusals.pointee = 1 }
    return count
}

/// The reader's rule: the names compared as Swift strings (canonically equivalent names are equal).
private let sheetWanted: impact_sheet_wanted = { context, name, length in
    guard let context else { return 0 }
    let reading = Unmanaged<SheetReading>.fromOpaque(context).takeUnretainedValue()
    guard let worksheet = reading.worksheet else { return 1 }
    return worksheet == String(decoding: UnsafeBufferPointer(start: name, count: length), as: UTF8.self) ? 1 : 0
}

private let sheetOutput: impact_sheet_output = { context, row in
    guard let context, let row else { return 1 }
    return Unmanaged<SheetReading>.fromOpaque(context).takeUnretainedValue().take(row.pointee) ? 0 : 1
}
