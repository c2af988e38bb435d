import Records

/// Reach indicators (docs/design.md §5): actions, participations, participants, organisations.
public enum ReachIndicators {
    /// Every reach row per period × territory × stakeholder type, with `ALL` roll-ups, unprotected.
    public static func compute(_ state: ReachState, stakeholderTypes: [String]) -> [IndicatorRow] {
        var rows: [IndicatorRow] = []
        var organisationSet = PrehashedSet()
        let entries = state.entries
        let cellOf = entries.map(\.cell)
        let byPeriod = Dictionary(grouping: entries.indices, by: { entries[$0].period })
        for (period, all) in byPeriod {
            let byTerritory = Dictionary(grouping: all, by: { entries[$0].record.territory })
            let actionTypes = Set(all.map { entries[$0].record.actionType }).sorted()
            let typesSeen = stakeholderTypes.filter { type in
                let t = state.types.firstIndex(of: type)
                return all.contains { i in
                    return (t.map { entries[i].listed($0) > 0 } ?? false) || (entries[i].record.declaredCounts[type] ?? 0) > 0
                }
            }
            for territory in byTerritory.keys.sorted() + [rollUp] {
                let cell = territory == rollUp ? all : byTerritory[territory] ?? []
                let cellIndices = Set(cell.map { cellOf[$0] })
                for type in typesSeen + [rollUp] {
                    let types = type == rollUp ? typesSeen : [type]
                    let indices = types.map { state.types.firstIndex(of: $0) }
                    var counts = Counts()
                    let typeIndices = indices.compactMap { $0 }
                    // Through the buffer: an entry read out of the array was copied, its record's strings retained and released.
                    entries.withUnsafeBufferPointer { entries in
                        for i in cell { counts.add(entries[i], typeIndices: typeIndices, types: types, anyType: type == rollUp) }
                    }
                    // Distinct persons were counted when the lines were resolved. "Any type" covers
                    // the listed types, all of which are stakeholder types (others are rejected on read).
                    var persons = 0
                    let typeIndex = type == rollUp ? nil : indices.first ?? nil
                    if type == rollUp || typeIndex != nil {
                        if territory == rollUp {
                            persons = state.distinctPersons(period: period, type: typeIndex)
                        } else if let c = cellIndices.first {  // one territory in one period: one cell
                            persons = state.distinctPersons(cell: c, type: typeIndex)
                        }
                    }
                    for c in cellIndices {
                        for t in indices.compactMap({ $0 }) {
                            organisationSet.formUnion(state.organisations(cell: c, type: t))
                        }
                    }
                    rows += counts.rows(key: (period, territory, type), persons: persons,
                                        organisations: organisationSet.count, actionTypes: actionTypes)
                    organisationSet = PrehashedSet()
                }
            }
        }
        return rows
    }

    /// Distinct persons listed on attendance sheets (head counts left out) per [period, territory or
    /// `ALL`, stakeholder type]: the response rates' denominators.
    public static func listedPersons(_ state: ReachState) -> [[String]: Int] {
        var out: [[String]: Int] = [:]
        for (c, cell) in state.cells.enumerated() {
            for (t, type) in state.types.enumerated() {
                out[[cell.period, cell.territory, type]] = state.distinctPersons(cell: c, type: t)
                out[[cell.period, rollUp, type]] = state.distinctPersons(period: cell.period, type: t)
            }
        }
        return out.filter { $0.value > 0 }
    }

    /// Cells of the participants table whose figure adds declared head counts (actions without an
    /// attendance sheet) to distinct persons, per [period, territory or `ALL`, stakeholder type or
    /// `ALL`]: true when the figure is head counts only, false when it mixes both.
    public static func headCounted(_ state: ReachState, stakeholderTypes: [String]) -> [[String]: Bool] {
        var declared: [[String]: Int] = [:]
        for entry in state.entries where !entry.hasList {
            for (type, count) in entry.record.declaredCounts where count > 0 {
                for territory in [entry.record.territory, rollUp] {
                    for t in [type, rollUp] { declared[[entry.period, territory, t], default: 0] += count }
                }
            }
        }
        let listed = listedPersons(state)
        var out: [[String]: Bool] = [:]
        for (key, _) in declared {
            let persons = key[2] == rollUp ? state.types.reduce(0) { $0 + (listed[[key[0], key[1], $1]] ?? 0) } : listed[key] ?? 0
            out[key] = persons == 0
        }
        return out
    }

    /// Running totals of one cell.
    struct Counts {
        var actions = 0
        var byActionType: [String: Int] = [:]
        var participations = 0
        var declared = 0
        /// Actions of the cell whose persons of the type are known only by a declared head count.
        var headCountActions = 0

        mutating func reached(_ actionType: String) {
            actions += 1
            byActionType[actionType, default: 0] += 1
        }

        /// Counts an action for the stakeholder types at `typeIndices` (`types`: their ids; `anyType`: the ALL column).
        mutating func add(_ e: ReachState.ActionEntry, typeIndices: [Int], types: [String], anyType: Bool) {
            if e.hasList {
                var touched = false
                for t in typeIndices {
                    let listed = e.listed(t)
                    if listed == 0 { continue }
                    touched = true
                    participations += listed
                }
                if touched || anyType { reached(e.record.actionType) }
            } else {
                let declared = types.reduce(0) { $0 + (e.record.declaredCounts[$1] ?? 0) }
                if declared > 0 || anyType { reached(e.record.actionType) }
                self.declared += declared
                if declared > 0 { headCountActions += 1 }
            }
        }

        func rows(key: (period: String, territory: String, type: String), persons: Int, organisations: Int,
                  actionTypes: [String]) -> [IndicatorRow] {
            let participants = persons + declared
            func row(_ indicator: Indicator, _ value: Int, n: Int, dimension: String = "", category: String = "") -> IndicatorRow {
                IndicatorRow(indicator: indicator, period: key.period, territory: key.territory, stakeholderType: key.type,
                             dimension: dimension, category: category, value: Double(value), n: n)
            }
            var rows = [
                row(.actions, actions, n: actions),
                row(.participations, participations + declared, n: participants),
                row(.participants, participants, n: participants),
                row(.organisations, organisations, n: persons),
            ]
            // The flag a machine reader needs: `participants` adds head counts of so many actions.
            if headCountActions > 0 { rows.append(row(.actions, headCountActions, n: headCountActions, dimension: "attendance", category: "head_counts")) }
            for actionType in actionTypes {
                let count = byActionType[actionType] ?? 0
                // Zeros per stakeholder type only say "this type did not come": the ALL row has them.
                if count == 0 && key.type != rollUp { continue }
                rows.append(row(.actions, count, n: count, dimension: "action_type", category: actionType))
            }
            return rows
        }
    }
}
