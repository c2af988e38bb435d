import CLibXML2

/// The tables of an OpenDocument spreadsheet (`content.xml` of an `.ods`), streamed row by row.
/// Repeated rows and cells (`number-rows-repeated`, `number-columns-repeated`) are expanded only
/// where they hold a value: empty ones move the position on, so a blank row repeated a million
/// times at the end of a sheet costs nothing; a non-empty one expanded past the sheet's limits or
/// past `SheetLimits.maximumRepeatedCells` is refused. Covered (merged) cells read as empty.
public enum ODSContent {
    static let tableNS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    static let officeNS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    static let textNS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

    /// Reads the tables `wanted` (position from 1, name) says yes to, calling `emit` with each row
    /// that holds a value and the table's position; stops after the last table when `stopAfterMatch`.
    /// Returns the names of the tables seen.
    @discardableResult
    public static func read(input: any XMLInput, name: String, stopAfterMatch: Bool = false,
                            wanted: (Int, String) -> Bool, emit: (Int, SheetRow) throws -> Void) throws -> [String] {
        let reader = try XMLStreamReader(input: input, name: name)
        let table = reader.intern("table"), row = reader.intern("table-row")
        let cell = reader.intern("table-cell"), covered = reader.intern("covered-table-cell")
        let tableNamespace = reader.intern(tableNS)
        var names: [String] = []
        var current: Int?
        var state = TableState()
        var more = try reader.read()
        while more {
            guard reader.isElement, reader.namespacePointer == tableNamespace else {
                if reader.isEndElement, reader.localNamePointer == table, reader.namespacePointer == tableNamespace, current != nil {
                    current = nil
                    if stopAfterMatch { break }
                }
                more = try reader.read()
                continue
            }
            let local = reader.localNamePointer
            if local == table {
                let tableName = reader.attribute("name", namespace: tableNS) ?? ""
                names.append(tableName)
                if wanted(names.count, tableName), !reader.isEmptyElement {
                    current = names.count
                    state = TableState()
                } else {
                    more = try reader.skip()
                    continue
                }
            } else if let position = current, local == row {
                state.beginRow(repeats: repeats(reader, "number-rows-repeated"))
                if reader.isEmptyElement {
                    try state.endRow(name: name, line: reader.line) { try emit(position, $0) }
                    more = try reader.read()
                    continue
                }
                more = try reader.read()
                while more, !(reader.isEndElement && reader.localNamePointer == row) {
                    if reader.isElement, reader.localNamePointer == cell || reader.localNamePointer == covered {
                        let covering = reader.localNamePointer == covered
                        try state.add(try value(reader, covered: covering), repeats: repeats(reader, "number-columns-repeated"),
                                      name: name, line: reader.line)
                        more = try reader.skip()
                    } else {
                        more = try reader.read()
                    }
                }
                try state.endRow(name: name, line: reader.line) { try emit(position, $0) }
            }
            more = try reader.read()
        }
        return names
    }

    /// A repeat count attribute of the table namespace (1 when absent or unreadable).
    private static func repeats(_ reader: XMLStreamReader, _ attribute: String) -> Int {
        reader.attribute(attribute, namespace: tableNS).flatMap { Int($0) }.map { min(max(1, $0), Int(Int32.max)) } ?? 1
    }

    /// The cell the reader is on, as kind and text; nil when it holds nothing.
    private static func value(_ reader: XMLStreamReader, covered: Bool) throws -> (CellKind, String)? {
        // A merged range shows its first cell only; what the covered cells still hold is hidden.
        if covered { return nil }
        let type = reader.attribute("value-type", namespace: officeNS)
        func office(_ name: String) -> String? { reader.attribute(name, namespace: officeNS) }
        switch type {
        case "float", "percentage", "currency":
            guard let raw = office("value"), let number = Double(raw), number.isFinite else { break }
            return (.number, CellText.number(number))
        case "date":
            guard var raw = office("date-value") else { break }
            if raw.hasSuffix("Z") { raw.removeLast() }
            return (.date, raw)
        case "time":
            guard let raw = office("time-value") else { break }
            return (.date, CellText.isoDuration(raw) ?? raw)
        case "boolean":
            guard let raw = office("boolean-value") else { break }
            return (.boolean, raw == "true" || raw == "1" ? "TRUE" : "FALSE")
        case "string":
            if let text = office("string-value") { return (.text, text) }
        default:
            break
        }
        if reader.isEmptyElement { return nil }
        let text = paragraphs(of: try reader.expand())
        if text.isEmpty && type != "string" { return nil }
        // Without a value type, text is an error such as `#DIV/0!` or `Err:502`.
        return (type == nil ? .error : .text, text)
    }

    /// The paragraphs of a cell joined by line breaks (`text:s` spaces, tabs and breaks kept;
    /// annotations, pictures and frames left out).
    static func paragraphs(of cell: xmlNodePtr) -> String {
        var out = ""
        var first = true
        var child = cell.pointee.children
        while let node = child {
            child = node.pointee.next
            guard node.pointee.type == XML_ELEMENT_NODE, isText(node), ["p", "h"].contains(name(of: node)) else { continue }
            if !first { out += "\n" }
            first = false
            appendInline(node, to: &out)
        }
        return out
    }

    private static func isText(_ node: xmlNodePtr) -> Bool {
        node.pointee.ns?.pointee.href.map { String(cString: $0) == textNS } ?? false
    }

    private static func appendInline(_ node: xmlNodePtr, to out: inout String) {
        var child = node.pointee.children
        while let c = child {
            child = c.pointee.next
            switch c.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let text = c.pointee.content { out += String(cString: text) }
            case XML_ELEMENT_NODE where isText(c):
                switch name(of: c) {
                case "s": out += String(repeating: " ", count: min(attribute(c, "c", namespace: textNS).flatMap { Int($0) } ?? 1, 1_000))
                case "tab": out += "\t"
                case "line-break": out += "\n"
                case "note", "ruby-text": break
                default: appendInline(c, to: &out)
                }
            default:
                break  // office:annotation, draw:frame…
            }
        }
    }

    /// Whether an ODF package's `META-INF/manifest.xml` says its parts are encrypted.
    public static func manifestDeclaresEncryption(input: any XMLInput, name: String) throws -> Bool {
        let reader = try XMLStreamReader(input: input, name: name)
        while try reader.read() {
            if reader.isElement, reader.localName == "encryption-data" { return true }
        }
        return false
    }
}

/// The rows of one table being expanded: the row under construction, the position, the budget.
private struct TableState {
    var builder = SheetRowBuilder()
    var rowNumber = 0
    var rowRepeats = 1
    var column = 0
    var repeatedCells = 0

    mutating func beginRow(repeats: Int) {
        rowRepeats = repeats
        column = 0
    }

    mutating func add(_ value: (CellKind, String)?, repeats: Int, name: String, line: Int) throws {
        guard let (kind, text) = value else {
            column = min(column + repeats, Int(Int32.max))
            return
        }
        guard column + repeats <= SheetLimits.maximumColumns else {
            throw XMLReadError(file: name, line: line, column: 0,
                               message: "a value repeated beyond column \(SheetLimits.maximumColumns) (\(repeats) times); refused")
        }
        try spend(repeats - 1, name: name, line: line)
        for _ in 0..<repeats {
            builder.append(column: column, kind: kind, text: text.utf8)
            column += 1
        }
        try builder.checkSize(name: name, line: line)
    }

    mutating func endRow(name: String, line: Int, emit: (SheetRow) throws -> Void) throws {
        defer { rowNumber = min(rowNumber + rowRepeats, Int(Int32.max)) }
        guard !builder.isEmpty else { return }
        guard rowNumber + rowRepeats <= SheetLimits.maximumRows else {
            throw XMLReadError(file: name, line: line, column: 0,
                               message: "a row with values repeated beyond row \(SheetLimits.maximumRows) (\(rowRepeats) times); refused")
        }
        try spend((rowRepeats - 1) * builder.columns.count, name: name, line: line)
        let row = builder.take(number: rowNumber + 1)
        try emit(row)
        for i in 1..<max(1, rowRepeats) {
            try emit(SheetRow(number: rowNumber + 1 + i, columns: row.columns, kinds: row.kinds, bytes: row.bytes, ends: row.ends))
        }
    }

    /// Counts cells added by repetition against the sheet's budget.
    private mutating func spend(_ cells: Int, name: String, line: Int) throws {
        repeatedCells += cells
        guard repeatedCells <= SheetLimits.maximumRepeatedCells else {
            throw XMLReadError(file: name, line: line, column: 0,
                               message: "repeated rows and cells expand to more than \(SheetLimits.maximumRepeatedCells) values; refused as a possible denial of service")
        }
    }
}
