import Records

/// The additive relations of the figures that qualify the others — retention, response rates, how
/// hires are linked, the shift by number of actions attended — protected like the other tables.
extension SmallCellProtection {
    static func breakdownTables(_ rows: [IndicatorRow]) -> [Table] {
        var tables: [Table] = []
        func table(_ cells: [Int], row: (Int) -> String, column: (Int) -> String, total: String?) -> Table {
            Table(cells: cells, row: Dictionary(uniqueKeysWithValues: cells.map { ($0, row($0)) }),
                  column: Dictionary(uniqueKeysWithValues: cells.map { ($0, column($0)) }), columnTotal: total)
        }
        func grouped(_ keep: (IndicatorRow) -> Bool, by key: (IndicatorRow) -> [String]) -> [[Int]] {
            Dictionary(grouping: rows.indices.filter { keep(rows[$0]) }) { key(rows[$0]) }
                .sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
        }
        // Territories add up to ALL: hires whose six months are observed (n), persons listed and those
        // who answered (n, value × n).
        for cells in grouped({ $0.indicator == .retained6mShare || $0.indicator == .responseRate },
                             by: { [$0.indicator.id, $0.period, $0.stakeholderType, $0.dimension, $0.category] }) {
            var persons = table(cells, row: { rows[$0].territory }, column: { _ in "" }, total: nil)
            persons.byCount = true
            tables.append(persons)
            if rows[cells[0]].indicator == .responseRate {
                var answered = persons
                answered.byCount = false
                answered.byNumerator = true
                tables.append(answered)
            }
        }
        // Linked hires by who took part add up to the linked hires (all territories).
        for cells in grouped({ $0.indicator == .hiresAfterAction && $0.territory == rollUp && ($0.dimension == "link" || $0.dimension.isEmpty) },
                             by: { [$0.period, $0.stakeholderType] }) where cells.count > 1 {
            tables.append(table(cells, row: { _ in rollUp }, column: { rows[$0].category }, total: ""))
        }
        // Pairs by number of actions attended add up to the dimension's pairs when every respondent
        // was found on the sheets (at most them otherwise): protected as if they always did.
        var shifts: [[String]: Int] = [:]
        for (i, r) in rows.enumerated() where r.indicator.perception?.measure == .shift && r.dimension == "dimension" {
            shifts[[r.indicator.id, r.period, r.territory, r.stakeholderType, r.category]] = i
        }
        for cells in grouped({ $0.indicator.perception?.measure == .shiftByActionsAttended },
                             by: { [$0.indicator.id, $0.period, $0.stakeholderType, $0.dimension] }) {
            let r = rows[cells[0]]
            guard let design = r.indicator.perception?.design,
                  let total = shifts[[Indicator.perception(.shift, design).id, r.period, r.territory, r.stakeholderType, r.dimension]] else { continue }
            var line = table(cells + [total], row: { _ in rollUp }, column: { $0 == total ? "" : rows[$0].category }, total: "")
            line.byCount = true
            tables.append(line)
        }
        return tables
    }

    /// Hires too recent for their six months to be observed are hires − the retention share's n: a
    /// count of persons like any other, so the share is hidden when it would be between 1 and k − 1.
    static func censoredBelow(_ k: Int, _ rows: inout [IndicatorRow]) {
        var hires: [[String]: Int] = [:]
        for (i, r) in rows.enumerated() where r.indicator == .hires && r.dimension.isEmpty { hires[[r.period, r.territory, r.stakeholderType]] = i }
        for i in rows.indices where rows[i].indicator == .retained6mShare && rows[i].status != .suppressed {
            guard let h = hires[[rows[i].period, rows[i].territory, rows[i].stakeholderType]], rows[h].status != .suppressed else { continue }
            let censored = rows[h].count - rows[i].count
            if censored > 0 && censored < k { rows[i].suppress() }
        }
    }
}
