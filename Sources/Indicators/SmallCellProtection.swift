import Records

/// Small-cell protection (docs/design.md §6): primary suppression below k, then complementary suppression,
/// links between figures that reveal one another, and an audit that solves the published tables as
/// an attacker would until nothing hidden can be recovered.
public enum SmallCellProtection {
    /// An additive table: cells indexed by row (territory) and column (a category), with `ALL`
    /// as the row total and `columnTotal` (when the table has one) as the column total.
    public struct Table: Sendable {
        public let cells: [Int]
        public let row: [Int: String]
        public let column: [Int: String]
        public let columnTotal: String?
        /// The additive quantity is `n` (perception pairs), not `value` (counts).
        public var byCount = false
        /// The additive quantity is a share's numerator, value × n (persons who answered).
        public var byNumerator = false
    }

    /// Suppresses figures resting on fewer than `k` persons (`personBased`; a zero count of an
    /// additive table reveals no one and stays), shares whose numerator is below k, then enough
    /// other cells that no hidden figure follows from the published ones (see `audit`).
    /// `hide`: keys of figures to suppress whatever their n (unpaired differences with a group below k).
    public static func protect(_ rows: [IndicatorRow], k: Int, hide: Set<[String]> = [],
                               personBased: (Indicator) -> Bool = \.isPersonBased,
                               additive: Set<Indicator> = IndicatorCatalog.additive) -> [IndicatorRow] {
        // In key order, so that every choice below is the same whatever order the rows came in.
        var rows = rows.sortedByKey()
        // The links on another core while the tables are found (each a fifth of the protection's time).
        // Captured, not kept in a local: once the links are made `rows` is again the only reference,
        // so suppressing cells below changes it in place instead of copying every row.
        let linking = Background { [rows] in Links(rows) }
        let tables = standardTables(rows, additive: additive)
        let links = linking.wait()
        let inTables = Set(tables.flatMap(\.cells))
        for i in rows.indices where hide.contains(rows[i].key) { rows[i].suppress() }
        for i in rows.indices where personBased(rows[i].indicator) && rows[i].status != .suppressed && rows[i].count < k {
            if inTables.contains(i) && (rows[i].value ?? 0) == 0 { continue }
            rows[i].suppress()
        }
        for i in rows.indices where IndicatorCatalog.shares.contains(rows[i].indicator) && rows[i].status != .suppressed {
            // A share of 1 in 10 reveals one person: its numerator must reach k too.
            let numerator = Int(((rows[i].value ?? 0) * Double(rows[i].count)).rounded())
            if numerator > 0 && numerator < k { rows[i].suppress() }
        }
        censoredBelow(k, &rows)
        let tableLines = tables.map { lines($0) }
        var changed = true
        while changed {
            changed = links.apply(&rows)
            for (table, lines) in zip(tables, tableLines) where complement(&rows, table, lines) { changed = true }
            if !changed { changed = audit(&rows, tables, tableLines) }
        }
        return rows
    }

    /// The project's additive tables: per-cell counts and perception pairs (territory × stakeholder
    /// type, ALL margins), hiring counts (territory, with the ALL total), hires by contract or referrer
    /// type (territory × category, the plain `hires` row as the category total).
    static func standardTables(_ rows: [IndicatorRow], additive: Set<Indicator>) -> [Table] {
        var tables: [Table] = []
        let cross = Dictionary(grouping: rows.indices.filter {
            additive.contains(rows[$0].indicator) || IndicatorCatalog.perceptionTables.contains(rows[$0].indicator)
        }) {
            [rows[$0].indicator.id, rows[$0].period, rows[$0].dimension, rows[$0].category]
        }
        for (_, cells) in cross.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            var table = Table(cells: cells, row: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].territory) }),
                              column: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].stakeholderType) }), columnTotal: rollUp)
            table.byCount = IndicatorCatalog.perceptionTables.contains(rows[cells[0]].indicator)
            tables.append(table)
        }
        let counts = Dictionary(grouping: rows.indices.filter { IndicatorCatalog.hiringCounts.contains(rows[$0].indicator) && rows[$0].dimension.isEmpty }) {
            [rows[$0].indicator.id, rows[$0].period, rows[$0].stakeholderType]
        }
        for (_, cells) in counts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            tables.append(Table(cells: cells, row: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].territory) }),
                                column: Dictionary(uniqueKeysWithValues: cells.map { ($0, "") }), columnTotal: nil))
        }
        for breakdown in ["contract_type", "referrer_type"] {
            let cells = Dictionary(grouping: rows.indices.filter {
                rows[$0].indicator == .hires && (rows[$0].dimension == breakdown || rows[$0].dimension.isEmpty)
            }) { rows[$0].period }
            for (_, cells) in cells.sorted(by: { $0.key < $1.key }) where cells.contains(where: { rows[$0].dimension == breakdown }) {
                tables.append(Table(cells: cells, row: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].territory) }),
                                    column: Dictionary(uniqueKeysWithValues: cells.map { ($0, rows[$0].category) }), columnTotal: ""))
            }
        }
        return tables + breakdownTables(rows)
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

    /// The additive quantity of a published cell (nil when hidden).
    static func measure(_ row: IndicatorRow, _ table: Table) -> Double? {
        guard row.status != .suppressed else { return nil }
        if table.byNumerator { return row.value.flatMap { v in row.n.map { (v * Double($0)).rounded() } } }
        return table.byCount ? row.n.map(Double.init) : row.value
    }

    /// Makes every line (`lines`: the table's, computed once) hold zero or at least two hidden cells.
    /// Returns whether anything changed.
    static func complement(_ rows: inout [IndicatorRow], _ table: Table, _ lines: [(parts: [Int], total: Int?)]? = nil) -> Bool {
        let lines = lines ?? self.lines(table)
        var any = false
        var changed = true
        while changed {
            changed = false
            for line in lines {
                let members = line.parts + (line.total.map { [$0] } ?? [])
                let hidden = members.filter { rows[$0].status == .suppressed }
                guard hidden.count == 1, members.count > 1 else { continue }
                if hideOneMore(&rows, line: line, table: table, except: hidden[0]) { changed = true; any = true }
            }
        }
        return any
    }

    /// Hides the smallest published non-zero part of `line` (never `except`), or else its total.
    @discardableResult
    static func hideOneMore(_ rows: inout [IndicatorRow], line: (parts: [Int], total: Int?), table: Table, except: Int) -> Bool {
        let candidates = line.parts.filter { $0 != except && (measure(rows[$0], table) ?? 0) > 0 }
        let pick = candidates.min { (measure(rows[$0], table) ?? 0, rows[$0].key.joined()) < (measure(rows[$1], table) ?? 0, rows[$1].key.joined()) }
        if let pick {
            rows[pick].suppress()
            return true
        }
        if let total = line.total, total != except, rows[total].status != .suppressed {
            rows[total].suppress()
            return true
        }
        return false
    }
}

/// Figures that reveal one another, hidden together.
struct Links {
    /// Groups of rows hidden as one (a perception key's figures; an item and its one-item dimension).
    let groups: [[Int]]
    /// Row → rows to hide with it (figures whose `n` or numerator is its count).
    let dependents: [Int: [Int]]

    init(_ rows: [IndicatorRow]) {
        struct Cell: Hashable {
            let indicator: Indicator, period: String, territory: String, stakeholderType: String
            init(_ r: IndicatorRow, _ indicator: Indicator? = nil) {
                (self.indicator, period, territory, stakeholderType) = (indicator ?? r.indicator, r.period, r.territory, r.stakeholderType)
            }
        }
        // Rows of one cell come one after the other (the rows are in key order): a run is hashed
        // once, not each row (hashing a cell's strings was most of the cost). Any order stays right.
        var runs: [Range<Int>] = []
        rows.withUnsafeBufferPointer { rows in
            var start = 0
            for i in rows.indices.dropFirst() {
                let a = rows[i - 1], b = rows[i]
                if a.indicator != b.indicator || a.period != b.period || a.territory != b.territory || a.stakeholderType != b.stakeholderType {
                    runs.append(start..<i)
                    start = i
                }
            }
            if !rows.isEmpty { runs.append(start..<rows.count) }
        }
        // Only rows without a breakdown are looked up in `index`: most rows have one (action types, perception items).
        var index: [Cell: Int] = [:]
        var cells: [Cell: [Int]] = [:]
        for run in runs {
            let cell = Cell(rows[run.lowerBound])
            cells[cell, default: []] += run
            if let last = run.last(where: { rows[$0].dimension.isEmpty && rows[$0].category.isEmpty }) { index[cell] = last }
        }
        var dependents: [Int: [Int]] = [:]
        for run in runs {
            let revealed = IndicatorCatalog.revealedBy[rows[run.lowerBound].indicator] ?? []
            let across = IndicatorCatalog.revealedAcross[rows[run.lowerBound].indicator] ?? []
            if revealed.isEmpty && across.isEmpty { continue }
            for i in run where rows[i].dimension.isEmpty {
                for dependent in revealed {
                    if let j = index[Cell(rows[i], dependent)] { dependents[i, default: []].append(j) }
                }
                for dependent in across { dependents[i, default: []] += cells[Cell(rows[i], dependent)] ?? [] }
            }
        }
        self.dependents = dependents
        groups = IndicatorCatalog.perceptionGroups(rows)
    }

    /// Hides what must go with a hidden row; returns whether anything changed.
    func apply(_ rows: inout [IndicatorRow]) -> Bool {
        var any = false, changed = true
        while changed {
            changed = false
            for group in groups where group.contains(where: { rows[$0].status == .suppressed }) {
                for i in group where rows[i].status != .suppressed { rows[i].suppress(); changed = true }
            }
            for (source, list) in dependents.sorted(by: { $0.key < $1.key }) where rows[source].status == .suppressed {
                for i in list where rows[i].status != .suppressed { rows[i].suppress(); changed = true }
            }
            any = any || changed
        }
        return any
    }
}
