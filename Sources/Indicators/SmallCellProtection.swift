/// Small-cell protection (design §6): primary suppression below k, then complementary suppression.
public enum SmallCellProtection {
    /// An additive table: cells indexed by row (territory) and column (a category), with `ALL`
    /// as the row total and `columnTotal` (when the table has one) as the column total.
    public struct Table: Sendable {
        public let cells: [Int]
        public let row: [Int: String]
        public let column: [Int: String]
        public let columnTotal: String?
    }

    /// Suppresses figures resting on fewer than `k` persons (`personBased`; a zero count of an
    /// additive table reveals no one and stays), then enough other cells of each additive table
    /// that no hidden count follows from its row or column total and the published parts.
    public static func protect(_ rows: [IndicatorRow], k: Int, personBased: (String) -> Bool,
                               additive: Set<String>) -> [IndicatorRow] {
        var rows = rows
        let tables = standardTables(rows, additive: additive)
        let inTables = Set(tables.flatMap(\.cells))
        for i in rows.indices where personBased(rows[i].indicator) && rows[i].status != .suppressed && rows[i].n < k {
            if inTables.contains(i) && (rows[i].value ?? 0) == 0 { continue }
            rows[i].suppress()
        }
        var changed = true
        while changed {
            changed = false
            for table in tables where complement(&rows, table) { changed = true }
        }
        return rows
    }

    /// The project's additive tables: reach counts (territory × stakeholder type, ALL margins),
    /// hiring counts (territory, with the ALL total), hires by contract or referrer type
    /// (territory × category, the plain `hires` row as the category total).
    static func standardTables(_ rows: [IndicatorRow], additive: Set<String>) -> [Table] {
        var tables: [Table] = []
        let reach = Dictionary(grouping: rows.indices.filter { additive.contains(rows[$0].indicator) }) {
            [rows[$0].indicator, rows[$0].period, rows[$0].dimension, rows[$0].category]
        }
        for (_, cells) in reach.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            tables.append(Table(cells: cells, row: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].territory) }),
                                column: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].stakeholderType) }), columnTotal: rollUp))
        }
        let counts = Dictionary(grouping: rows.indices.filter { HiringIndicators.counts.contains(rows[$0].indicator) && rows[$0].dimension.isEmpty }) {
            [rows[$0].indicator, rows[$0].period, rows[$0].stakeholderType]
        }
        for (_, cells) in counts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            tables.append(Table(cells: cells, row: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].territory) }),
                                column: Dictionary(uniqueKeysWithValues: cells.map { ($0, "") }), columnTotal: nil))
        }
        for breakdown in ["contract_type", "referrer_type"] {
            let cells = Dictionary(grouping: rows.indices.filter {
                rows[$0].indicator == "hires" && (rows[$0].dimension == breakdown || rows[$0].dimension.isEmpty)
            }) { rows[$0].period }
            for (_, cells) in cells.sorted(by: { $0.key < $1.key }) where cells.contains(where: { rows[$0].dimension == breakdown }) {
                tables.append(Table(cells: cells, row: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].territory) }),
                                    column: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].category) }), columnTotal: ""))
            }
        }
        return tables
    }

    /// Lines of a table: each row with its total (when the table has column totals), each column
    /// with the `ALL` row as its total. Sorted, so the cells picked never depend on hash order.
    static func lines(_ table: Table) -> [(parts: [Int], total: Int?)] {
        var result: [(parts: [Int], total: Int?)] = []
        if let columnTotal = table.columnTotal {
            let byRow = Dictionary(grouping: table.cells) { table.row[$0] ?? "" }
            for (_, line) in byRow.sorted(by: { $0.key < $1.key }) {
                result.append((line.filter { table.column[$0] != columnTotal }, line.first { table.column[$0] == columnTotal }))
            }
        }
        let byColumn = Dictionary(grouping: table.cells) { table.column[$0] ?? "" }
        for (_, line) in byColumn.sorted(by: { $0.key < $1.key }) {
            result.append((line.filter { table.row[$0] != rollUp }, line.first { table.row[$0] == rollUp }))
        }
        return result
    }

    /// Makes every line hold zero or at least two hidden cells, hiding the smallest published
    /// non-zero part (or else the total). Returns whether anything changed.
    static func complement(_ rows: inout [IndicatorRow], _ table: Table) -> Bool {
        var any = false
        var changed = true
        while changed {
            changed = false
            for line in lines(table) {
                let members = line.parts + (line.total.map { [$0] } ?? [])
                let hidden = members.filter { rows[$0].status == .suppressed }
                guard hidden.count == 1, members.count > 1 else { continue }
                let candidates = line.parts.filter { rows[$0].status == .ok && $0 != hidden[0] && (rows[$0].value ?? 0) > 0 }
                let pick = candidates.min { (rows[$0].value ?? 0, rows[$0].key.joined()) < (rows[$1].value ?? 0, rows[$1].key.joined()) }
                if let pick {
                    rows[pick].suppress()
                    changed = true
                } else if let total = line.total, rows[total].status == .ok {
                    rows[total].suppress()
                    changed = true
                }
                if changed { any = true; break }
            }
        }
        return any
    }
}
