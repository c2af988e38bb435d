import Foundation
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

    static func text(path: String, sheet: String?, rows: Int) throws -> String {
        let workbook = try Workbook(path: path)
        let wanted = selector(sheet)
        // Every sheet is read once for its size; the chosen one keeps its first rows.
        var sizes: [Int: (rows: Int, columns: Int, last: Int)] = [:]
        var chosen: Int?
        var kept: [SheetRow] = []
        let names = try workbook.readAll { position, row in
            var size = sizes[position] ?? (0, 0, 0)
            size = (size.rows + 1, max(size.columns, Int(row.columns.last ?? -1) + 1), row.number)
            sizes[position] = size
            if position == chosen, kept.count < Preview.headerSearch + rows { kept.append(row) }
        } starting: { position, name in
            if chosen == nil, SheetSelector.matches(wanted, position: position, name: name) { chosen = position }
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
        // The header: the first of the first rows as wide as the widest of them (a title above it is narrower).
        let head = kept.prefix(Preview.headerSearch)
        let widest = head.map(\.columns.count).max() ?? 0
        guard let header = head.firstIndex(where: { $0.columns.count == widest }) else {
            return (lines + ["sheet \(names[chosen - 1]): no rows"]).joined(separator: "\n") + "\n"
        }
        lines.append("sheet \(chosen) (\(names[chosen - 1])): header (row \(kept[header].number)): " + shown(kept[header].values))
        for row in kept.dropFirst(header + 1).prefix(rows) { lines.append("row \(row.number): " + shown(row.values)) }
        let total = sizes[chosen]?.rows ?? 0
        lines.append("rows with values after the header: \(total - header - 1)")
        if kept[header].number > 1 {
            lines.append("the header is not on row 1: the pipeline finds it (or set csv.header_row: \(kept[header].number))")
        }
        return lines.joined(separator: "\n") + "\n"
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
