import Drafting
import Foundation
import Ingest
import IngestWorkbook
import IngestXML

/// `impact preview FILE.xlsx|.ods`: the sheets with their sizes, the header found in the chosen
/// sheet and its first records; `--json`: every row of that sheet.
enum WorkbookPreview {
    /// `--sheet`: a position when it is a number, else a name.
    static func selector(_ sheet: String?) -> SheetSelector? {
        guard let sheet else { return nil }
        if let position = Int(sheet), position >= 1 { return .index(position) }
        return .name(sheet)
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// A row's cells as `[text]` (control characters escaped).
    private static func shown(_ values: [String]) -> String {
        values.map { "[\(Preview.escapeControls($0))]" }.joined(separator: " ")
    }

    static func text(path: String, sheet: String?, rows: Int) throws -> ([String], ExportTable?) {
        let workbook = try Workbook(path: path)
        let wanted = selector(sheet)
        // Every sheet is read once for its size; the chosen one keeps its first rows and is profiled.
        var sizes: [Int: (rows: Int, columns: Int, last: Int)] = [:]
        var chosen: Int?
        var kept: [SheetRow] = []
        var profile: TableCollector?
        var refused: [Int] = []  // rows larger than the row limit, not read
        let names = try workbook.readAll { position, row in
            if row.refusal != nil {
                if position == chosen { refused.append(row.number) }
                return
            }
            var size = sizes[position] ?? (0, 0, 0)
            size = (size.rows + 1, max(size.columns, Int(row.columns.last ?? -1) + 1), row.number)
            sizes[position] = size
            guard position == chosen else { return }
            if kept.count < HeaderGuess.limit + rows { kept.append(row) }
            profile?.add(row.values, number: row.number)
        } starting: { position, name in
            if chosen == nil, SheetSelector.matches(wanted, position: position, name: name) {
                chosen = position
                profile = TableCollector(path: path, layout: .workbook(kind: workbook.kind.rawValue, sheet: name, position: position, sheets: []))
            }
        }
        var lines = ["file: \(path)", "format: \(workbook.kind == .xlsx ? "xlsx workbook (Office Open XML)" : "ods workbook (OpenDocument)")",
                     "sheets: \(names.count)"]
        for (i, name) in names.enumerated() {
            let size = sizes[i + 1]
            let described = size.map { "\(plural($0.rows, "row")) with values, \(plural($0.columns, "column")) (last row \($0.last))" } ?? "empty"
            lines.append("  \(i + 1). \(name) — \(described)\(chosen == i + 1 ? "   ← shown" : "")")
        }
        guard let chosen else {
            throw WorkbookError(file: path, message: "no sheet \(wanted.map(String.init(describing:)) ?? "") in the workbook; its sheets: \(names.map { "'\($0)'" }.joined(separator: ", "))")
        }
        // The header: the same rule as a CSV's (title and notes rows above it are skipped).
        guard let header = HeaderGuess.index(kept.map(\.values)) else {
            return (lines + ["sheet \(names[chosen - 1]): no rows"], nil)
        }
        let table = profile?.finish()
        lines.append("sheet \(chosen) (\(names[chosen - 1])): header (row \(kept[header].number)): " + shown(kept[header].values))
        if let table {
            if !table.skipped.isEmpty {
                lines.append("skipped above the header: " + table.skipped.map { "row \($0.number) [\(Preview.escapeControls(String($0.text.prefix(60))))]" }.joined(separator: ", "))
            }
            lines += TableReport.columns(table)
        }
        for row in kept.dropFirst(header + 1).prefix(rows) { lines.append("row \(row.number): " + shown(row.values)) }
        let total = sizes[chosen]?.rows ?? 0
        lines.append("rows with values after the header: \(total - header - 1)")
        if !refused.isEmpty {
            lines.append("rows not read, larger than xml.max_record_bytes (1 MB by default): " + refused.prefix(12).map(String.init).joined(separator: ", ")
                         + (refused.count > 12 ? ", …" : ""))
        }
        if (table?.references.count ?? 0) < 2, let other = sizes.filter({ $0.key != chosen && $0.value.columns >= 2 }).min(by: { $0.key < $1.key }) {
            lines.append("this sheet holds no table; sheet \(other.key) (\(names[other.key - 1])) has \(plural(other.value.rows, "row")): preview --sheet \(other.key), and sheet: \(other.key) in the pipeline file")
        }
        if kept[header].number > 1 {
            lines.append("the header is not on row 1: the pipeline finds it (or set csv.header_row: \(kept[header].number))")
        }
        return (lines, table)
    }

    /// Every row of the chosen sheet from row 1 (empty rows as `[]`), as JSON arrays of strings.
    static func json(path: String, sheet: String?, write: (String) -> Void) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var next = 1
        write("[")
        try Workbook(path: path).read(sheet: selector(sheet)) { row in
            while next < row.number {
                write((next == 1 ? "\n  " : ",\n  ") + "[]")
                next += 1
            }
            write((next == 1 ? "\n  " : ",\n  ") + String(decoding: try encoder.encode(row.values), as: UTF8.self))
            next += 1
        }
        write(next == 1 ? "]\n" : "\n]\n")
    }
}
