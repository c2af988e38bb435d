import CLibXML2

/// A worksheet part (`xl/worksheets/sheetN.xml`) streamed row by row: every cell as the text a user
/// sees (shared and inline strings with rich-text runs joined, numbers without float noise, dates
/// by their number format, booleans, errors, formulas by their cached value). Declared dimensions
/// are not read; a cell past Excel's limits is refused.
public struct XLSXSheet: Sendable {
    public let strings: SharedStrings
    /// Number format kind per cell style index.
    public let styles: [NumberFormatKind]
    public let date1904: Bool

    public init(strings: SharedStrings, styles: [NumberFormatKind], date1904: Bool) {
        self.strings = strings
        self.styles = styles
        self.date1904 = date1904
    }

    /// The names the loop compares, interned once per reader.
    private struct Names {
        let row, c, v, t, isName, f, rPh, sheetData: UnsafePointer<xmlChar>?
        let r, type, style: UnsafePointer<xmlChar>?
        init(_ reader: XMLStreamReader) {
            row = reader.intern("row"); c = reader.intern("c"); v = reader.intern("v"); t = reader.intern("t")
            isName = reader.intern("is"); f = reader.intern("f"); rPh = reader.intern("rPh"); sheetData = reader.intern("sheetData")
            r = reader.intern("r"); type = reader.intern("t"); style = reader.intern("s")
        }
    }

    /// The cell types of the `t` attribute.
    private enum CellType {
        case number, shared, inline, formula, boolean, error, date, other

        init(_ t: UnsafeBufferPointer<UInt8>) {
            switch (t.count, t.first) {
            case (1, UInt8(ascii: "n")): self = .number
            case (1, UInt8(ascii: "s")): self = .shared
            case (1, UInt8(ascii: "b")): self = .boolean
            case (1, UInt8(ascii: "e")): self = .error
            case (1, UInt8(ascii: "d")): self = .date
            case (3, UInt8(ascii: "s")) where t.elementsEqual("str".utf8): self = .formula
            case (9, UInt8(ascii: "i")) where t.elementsEqual("inlineStr".utf8): self = .inline
            default: self = .other
            }
        }
    }

    /// The cell being read: its column, type, style and captured value text (buffers reused from cell to cell).
    private struct Cell {
        var column = 0
        var type = CellType.number
        var style = 0
        var value: [UInt8] = []
        var inline: [UInt8] = []
        var hasInline = false

        mutating func reset(column: Int) {
            self.column = column
            type = .number
            style = 0
            value.removeAll(keepingCapacity: true)
            inline.removeAll(keepingCapacity: true)
            hasInline = false
        }
    }

    /// Streams the rows that hold at least one cell, in document order. A row whose XML is larger than
    /// `maxRowBytes` is not parsed (`XMLGuard`): it comes as a row without cells and with its `refusal`.
    public func read(input: any XMLInput, name: String, maxRowBytes: Int = 1_000_000, emit: (SheetRow) throws -> Void) throws {
        // worksheet (0) / sheetData (1) / row (2).
        let reader = try XMLStreamReader(input: input, name: name, limits: XMLGuard.Limits(recordDepth: 2, recordBytes: maxRowBytes))
        let names = Names(reader)
        var builder = SheetRowBuilder()
        var rowNumber = 0
        var nextColumn = 0
        var cell = Cell()
        var inCell = false, inValue = false, inInline = false, inText = false
        var more = try reader.read()
        while more {
            let node = reader.nodeType  // once per node: most nodes are a cell's start, value, text and ends
            if node == XML_READER_TYPE_TEXT.rawValue || node == XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue
                || node == XML_READER_TYPE_CDATA.rawValue || node == XML_READER_TYPE_WHITESPACE.rawValue {
                if inValue { reader.appendValue(to: &cell.value) } else if inText { reader.appendValue(to: &cell.inline) }
                if cell.value.count + cell.inline.count > SheetLimits.maximumRowBytes {
                    throw XMLReadError(file: name, line: reader.line, column: 0,
                                       message: "a cell holds more than \(SheetLimits.maximumRowBytes >> 20) MiB of text; refused")
                }
                more = try reader.read()
                continue
            }
            let local = reader.localNamePointer
            if node == XML_READER_TYPE_ELEMENT.rawValue {
                if local == names.c {
                    cell.reset(column: nextColumn)
                    reader.forEachAttribute { attribute, value in
                        if attribute == names.r, let column = Self.column(of: value) { cell.column = column }
                        else if attribute == names.type { cell.type = CellType(value) }
                        else if attribute == names.style { cell.style = parseCount(value) ?? 0 }
                    }
                    guard cell.column < SheetLimits.maximumColumns else {
                        throw XMLReadError(file: name, line: reader.line, column: 0,
                                           message: "a cell beyond column \(SheetLimits.maximumColumns) (Excel's last, XFD); refused")
                    }
                    nextColumn = cell.column + 1
                    inCell = !reader.isEmptyElement
                } else if local == names.row {
                    var number = rowNumber + 1
                    reader.forEachAttribute { attribute, value in
                        if attribute == names.r, let n = parseCount(value) { number = n }
                    }
                    guard number >= 1, number <= SheetLimits.maximumRows else {
                        throw XMLReadError(file: name, line: reader.line, column: 0,
                                           message: "row \(number) is beyond row \(SheetLimits.maximumRows) (Excel's last); refused")
                    }
                    rowNumber = number
                    nextColumn = 0
                    if let refusal = reader.refusal {
                        try emit(SheetRow(number: number, columns: [], kinds: [], bytes: [], ends: [], refusal: refusal))
                    }
                } else if inCell && local == names.v {
                    inValue = !reader.isEmptyElement
                } else if inCell && local == names.isName {
                    inInline = !reader.isEmptyElement
                    cell.hasInline = true
                } else if inInline && local == names.t {
                    inText = !reader.isEmptyElement
                } else if local == names.f || local == names.rPh {
                    // Formula text and phonetic guides are not what the cell shows.
                    more = try reader.skip()
                    continue
                }
            } else if node == XML_READER_TYPE_END_ELEMENT.rawValue {
                if local == names.c && inCell {
                    inCell = false
                    try finish(&cell, into: &builder, reader: reader, name: name)
                    try builder.checkSize(name: name, line: reader.line)
                } else if local == names.v {
                    inValue = false
                } else if local == names.t {
                    inText = false
                } else if local == names.isName {
                    inInline = false
                } else if local == names.row {
                    if !builder.isEmpty { try emit(builder.take(number: rowNumber)) }
                } else if local == names.sheetData {
                    break
                }
            }
            more = try reader.read()
        }
        if !builder.isEmpty { try emit(builder.take(number: rowNumber)) }
    }

    /// Adds a finished cell to the row, as the text its type and style give.
    private func finish(_ cell: inout Cell, into row: inout SheetRowBuilder, reader: XMLStreamReader, name: String) throws {
        func text(_ bytes: inout [UInt8], _ kind: CellKind) {
            CellText.decodeEscapes(&bytes, from: 0)
            row.append(column: cell.column, kind: kind, text: bytes)
        }
        guard !cell.value.isEmpty || cell.hasInline || cell.type == .formula else { return }
        switch cell.type {
        case .shared:
            guard let index = cell.value.withUnsafeBufferPointer({ parseCount($0) }), let string = strings.string(index) else {
                throw XMLReadError(file: name, line: reader.line, column: 0,
                                   message: "a cell refers to shared string \(String(decoding: cell.value, as: UTF8.self)), which the workbook does not have; the file is damaged")
            }
            row.append(column: cell.column, kind: .text, text: string)
        case .boolean:
            let truth = cell.value == Array("1".utf8) || cell.value == Array("true".utf8)
            row.append(column: cell.column, kind: .boolean, text: (truth ? "TRUE" : "FALSE").utf8)
        case .error:
            row.append(column: cell.column, kind: .error, text: cell.value)
        case .date:
            if cell.value.last == UInt8(ascii: "Z") { cell.value.removeLast() }
            row.append(column: cell.column, kind: .date, text: cell.value)
        case .number:
            let format = cell.style < styles.count ? styles[cell.style] : .number
            // Integers as written (most numeric cells): already the text the cell shows.
            if format == .number, cell.value.count <= 15, cell.value.first != UInt8(ascii: "0") || cell.value.count == 1,
               cell.value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                row.append(column: cell.column, kind: .number, text: cell.value)
                return
            }
            guard let number = parseDouble(cell.value), number.isFinite else {
                row.append(column: cell.column, kind: .text, text: cell.value)
                return
            }
            if format != .number {
                cell.inline.removeAll(keepingCapacity: true)
                if CellText.appendSerialDate(number, kind: format, date1904: date1904, to: &cell.inline) {
                    row.append(column: cell.column, kind: .date, text: cell.inline)
                    return
                }
            }
            row.append(column: cell.column, kind: .number, text: CellText.number(number).utf8)
        case .inline, .formula, .other:
            // The text the cell holds: inline rich text, a formula's cached text, or an unknown type's value.
            if cell.hasInline { text(&cell.inline, .text) } else { text(&cell.value, .text) }
        }
    }

    /// The 0-based column of a cell reference (`AB12` → 27); nil without letters.
    static func column(of reference: UnsafeBufferPointer<UInt8>) -> Int? {
        var column = 0
        var letters = 0
        for b in reference {
            let upper = b & ~0x20
            guard upper >= UInt8(ascii: "A"), upper <= UInt8(ascii: "Z") else { break }
            column = column * 26 + Int(upper - UInt8(ascii: "A")) + 1
            letters += 1
            if letters > 3 { return SheetLimits.maximumColumns }
        }
        return letters == 0 ? nil : column - 1
    }
}

/// A decimal number from ASCII text, surrounding blanks allowed.
func parseDouble(_ bytes: [UInt8]) -> Double? {
    let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else { return nil }
    return Double(String(decoding: bytes[first...last], as: UTF8.self))
}
