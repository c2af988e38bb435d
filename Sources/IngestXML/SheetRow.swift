/// What a workbook cell holds, as the spreadsheet shows it.
public enum CellKind: UInt8, Sendable {
    case text, number, boolean, date, error
}

/// One row of a worksheet: its non-empty cells (in column order) as the text a user sees.
public struct SheetRow: Sendable {
    /// 1-based row number in the sheet.
    public let number: Int
    /// 0-based column of each cell, ascending.
    public let columns: [Int32]
    public let kinds: [CellKind]
    /// The cells' UTF-8 text back to back; `ends[i]` is where cell i ends.
    public let bytes: [UInt8]
    public let ends: [Int]
    /// Why the row was refused unread (larger than the row limit, `XMLGuard`): it then holds no cell.
    public var refusal: String?

    /// Cell `i`'s text.
    public func text(_ i: Int) -> String {
        String(decoding: bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]], as: UTF8.self)
    }

    /// The row as dense text values, from column A to its last cell (empty text between cells).
    public var values: [String] {
        var values: [String] = []
        for i in columns.indices {
            while values.count < Int(columns[i]) { values.append("") }
            values.append(text(i))
        }
        return values
    }

    /// Byte bounds of the dense row (start, end per column), for a view over `bytes` without copies.
    public var denseBounds: [Int] {
        var bounds: [Int] = []
        bounds.reserveCapacity(2 * (Int(columns.last ?? -1) + 1))
        var start = 0
        for i in columns.indices {
            while bounds.count < 2 * Int(columns[i]) { bounds.append(start); bounds.append(start) }
            bounds.append(start)
            bounds.append(ends[i])
            start = ends[i]
        }
        return bounds
    }
}

/// Collects the cells of the row being read.
struct SheetRowBuilder {
    var columns: [Int32] = []
    var kinds: [CellKind] = []
    var bytes: [UInt8] = []
    var ends: [Int] = []

    var isEmpty: Bool { columns.isEmpty }

    /// Refuses a row whose text passes `SheetLimits.maximumRowBytes`.
    func checkSize(name: String, line: Int) throws {
        guard bytes.count <= SheetLimits.maximumRowBytes else {
            throw XMLReadError(file: name, line: line, column: 0,
                               message: "a row holds more than \(SheetLimits.maximumRowBytes >> 20) MiB of text; refused")
        }
    }

    mutating func append(column: Int, kind: CellKind, text: some Collection<UInt8>) {
        columns.append(Int32(column))
        kinds.append(kind)
        bytes.append(contentsOf: text)
        ends.append(bytes.count)
    }

    /// The row, and the builder emptied for the next one.
    mutating func take(number: Int) -> SheetRow {
        // Cells written out of column order (rare generators) are put in order.
        if zip(columns, columns.dropFirst()).contains(where: { $0 >= $1 }) { sort() }
        let row = SheetRow(number: number, columns: columns, kinds: kinds, bytes: bytes, ends: ends)
        columns.removeAll(keepingCapacity: true)
        kinds.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        return row
    }

    /// Orders cells by column; of two cells at one column, the later one wins.
    private mutating func sort() {
        var cells: [Int32: (CellKind, ArraySlice<UInt8>)] = [:]
        for i in columns.indices { cells[columns[i]] = (kinds[i], bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]]) }
        var sorted = SheetRowBuilder()
        for column in cells.keys.sorted() {
            if let (kind, text) = cells[column] { sorted.append(column: Int(column), kind: kind, text: text) }
        }
        self = sorted
    }
}

/// A worksheet chosen by name or by 1-based position.
public enum SheetSelector: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case index(Int)

    public var description: String {
        switch self {
        case .name(let n): return "'\(n)'"
        case .index(let i): return "#\(i)"
        }
    }

    /// Whether the sheet at `position` (1-based) named `name` is the one chosen (the first when nil).
    public static func matches(_ selector: SheetSelector?, position: Int, name: String) -> Bool {
        switch selector {
        case nil: return position == 1
        case .index(let i): return position == i
        case .name(let n): return n == name
        }
    }
}

/// Limits of a sheet, as Excel and LibreOffice have them: a cell beyond them is refused.
public enum SheetLimits {
    public static let maximumRows = 1_048_576
    public static let maximumColumns = 16_384
    /// Cells an OpenDocument sheet may add by repeating non-empty cells and rows (a 1 KB file can
    /// declare a cell repeated a billion times: issue_594_dos.ods of the spreadsheet corpus).
    public static let maximumRepeatedCells = 20_000_000
    /// Text one row may hold (Excel caps a cell at 32,767 characters: 16,384 such cells are 1.5 GB).
    public static let maximumRowBytes = 64 << 20
}
