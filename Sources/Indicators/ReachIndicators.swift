import Records

/// Reach indicators (design §5): actions, participations, participants, organisations.
public enum ReachIndicators {
    /// Indicators whose figures rest on persons, hence subject to small-cell protection.
    public static let personBased: Set<String> = ["participations", "participants", "organisations"]

    /// Every reach row per period × territory × stakeholder type, with `ALL` roll-ups, unprotected.
    public static func compute(_ state: ReachState, stakeholderTypes: [String]) -> [IndicatorRow] {
        var rows: [IndicatorRow] = []
        let byPeriod = Dictionary(grouping: state.actions.values, by: \.period)
        for (period, entries) in byPeriod {
            let territories = Set(entries.map(\.record.territory)).sorted() + [rollUp]
            let actionTypes = Set(entries.map(\.record.actionType)).sorted()
            let typesSeen = stakeholderTypes.filter { type in
                entries.contains { $0.persons[type] != nil || ($0.record.declaredCounts[type] ?? 0) > 0 }
            }
            for territory in territories {
                let cell = entries.filter { territory == rollUp || $0.record.territory == territory }
                for type in typesSeen + [rollUp] {
                    let types = type == rollUp ? typesSeen : [type]
                    rows += cellRows(cell, types: types, actionTypes: actionTypes,
                                     key: (period, territory, type))
                }
            }
        }
        return rows
    }

    static func cellRows(_ cell: [ReachState.ActionEntry], types: [String], actionTypes: [String],
                         key: (period: String, territory: String, type: String)) -> [IndicatorRow] {
        func touches(_ e: ReachState.ActionEntry) -> Bool {
            key.type == rollUp || e.persons[key.type] != nil || (!e.hasList && (e.record.declaredCounts[key.type] ?? 0) > 0)
        }
        let reached = cell.filter(touches)
        var persons = Set<UInt64>()
        var organisations = Set<UInt64>()
        var participations = 0
        var declared = 0
        for entry in reached {
            if entry.hasList {
                for type in types {
                    let listed = entry.persons[type] ?? []
                    participations += listed.count
                    persons.formUnion(listed)
                    organisations.formUnion(entry.organisations[type] ?? [])
                }
            } else {
                for type in types { declared += entry.record.declaredCounts[type] ?? 0 }
            }
        }
        let participants = persons.count + declared
        func row(_ indicator: String, _ value: Int, n: Int, dimension: String = "", category: String = "") -> IndicatorRow {
            IndicatorRow(indicator: indicator, period: key.period, territory: key.territory, stakeholderType: key.type,
                         dimension: dimension, category: category, value: Double(value), n: n)
        }
        var rows = [
            row("actions", reached.count, n: reached.count),
            row("participations", participations + declared, n: participants),
            row("participants", participants, n: participants),
            row("organisations", organisations.count, n: persons.count),
        ]
        for actionType in actionTypes {
            let count = reached.filter { $0.record.actionType == actionType }.count
            // Zeros per stakeholder type only say "this type did not come": the ALL row has them.
            if count == 0 && key.type != rollUp { continue }
            rows.append(row("actions", count, n: count, dimension: "action_type", category: actionType))
        }
        return rows
    }
}
