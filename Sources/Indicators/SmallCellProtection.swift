/// Small-cell protection (design §6): primary suppression below k, then complementary suppression.
public enum SmallCellProtection {
    /// Suppresses figures resting on fewer than `k` persons (`personBased`; a zero count of an
    /// `additive` table reveals no one and stays), then enough other cells of each additive
    /// territory × stakeholder-type table that no hidden figure follows from its margins.
    public static func protect(_ rows: [IndicatorRow], k: Int, personBased: (String) -> Bool,
                               additive: Set<String>) -> [IndicatorRow] {
        var rows = rows
        for i in rows.indices where personBased(rows[i].indicator) && rows[i].status != .suppressed && rows[i].n < k {
            if additive.contains(rows[i].indicator) && (rows[i].value ?? 0) == 0 { continue }
            rows[i].suppress()
        }
        // One table per indicator × period × breakdown, territory × stakeholder type with ALL margins.
        let tables = Dictionary(grouping: rows.indices.filter { additive.contains(rows[$0].indicator) }) {
            [rows[$0].indicator, rows[$0].period, rows[$0].dimension, rows[$0].category]
        }
        for (_, indices) in tables.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            complement(&rows, table: indices)
        }
        return rows
    }

    /// Makes every line (a row or column with its total) hold zero or at least two hidden cells,
    /// hiding the smallest published non-zero part (or else the total) until nothing changes.
    static func complement(_ rows: inout [IndicatorRow], table: [Int]) {
        func lines() -> [(parts: [Int], total: Int?)] {
            var result: [(parts: [Int], total: Int?)] = []
            // Sorted keys: dictionaries iterate in a per-process order, and the cells picked must not vary.
            let byTerritory = Dictionary(grouping: table) { rows[$0].territory }
            for (_, line) in byTerritory.sorted(by: { $0.key < $1.key }) {
                result.append((line.filter { rows[$0].stakeholderType != rollUp }, line.first { rows[$0].stakeholderType == rollUp }))
            }
            let byType = Dictionary(grouping: table) { rows[$0].stakeholderType }
            for (_, line) in byType.sorted(by: { $0.key < $1.key }) {
                result.append((line.filter { rows[$0].territory != rollUp }, line.first { rows[$0].territory == rollUp }))
            }
            return result
        }
        var changed = true
        while changed {
            changed = false
            for line in lines() {
                let members = line.parts + (line.total.map { [$0] } ?? [])
                let hidden = members.filter { rows[$0].status == .suppressed }
                guard hidden.count == 1, members.count > 1 else { continue }
                let candidates = line.parts.filter { rows[$0].status == .ok && ($0 != hidden[0]) && (rows[$0].value ?? 0) > 0 }
                let pick = candidates.min { (rows[$0].value ?? 0, rows[$0].key.joined()) < (rows[$1].value ?? 0, rows[$1].key.joined()) }
                if let pick {
                    rows[pick].suppress()
                    changed = true
                } else if let total = line.total, rows[total].status == .ok {
                    rows[total].suppress()
                    changed = true
                }
            }
        }
    }
}
