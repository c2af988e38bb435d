import Records

/// Reach indicators (docs/design.md §5): actions, participations, participants, organisations.
public enum ReachIndicators {
    /// Every reach row per period × territory × stakeholder type, with `ALL` roll-ups, unprotected.
    /// The period × territory cells are counted on every core (`parts`: by default four ranges a
    /// core); the same rows whatever the split.
    public static func compute(_ state: ReachState, stakeholderTypes: [String], parts: Int? = nil) -> [IndicatorRow] {
        let entries = Entries(state.entries)
        // Each entry's action type as its place in its period's `actionTypes`, looked up once, not once per cell and type.
        var actionType = Array(repeating: 0, count: entries.count)
        var cells: [(period: String, territory: String, entries: [Int], typesSeen: [String], actionTypes: [String])] = []
        let byPeriod = Dictionary(grouping: 0..<entries.count, by: { entries.period[$0] })
        for (period, all) in byPeriod {
            let byTerritory = Dictionary(grouping: all, by: { entries.territory[$0] })
            let actionTypes = Set(all.map { entries.actionType[$0] }).sorted()
            let typeNumber = Dictionary(uniqueKeysWithValues: actionTypes.enumerated().map { ($1, $0) })
            for i in all { actionType[i] = typeNumber[entries.actionType[i]] ?? 0 }
            let typesSeen = stakeholderTypes.filter { type in
                let t = state.types.firstIndex(of: type)
                return all.contains { i in
                    return (t.map { entries.listed(i, $0) > 0 } ?? false) || (entries.declared[i][type] ?? 0) > 0
                }
            }
            for territory in byTerritory.keys.sorted() + [rollUp] {
                cells.append((period, territory, territory == rollUp ? all : byTerritory[territory] ?? [], typesSeen, actionTypes))
            }
        }
        let (shared, types, work) = (SharedState(state: state), actionType, cells)
        return Parallel.map(work.count, parts: parts) { range in
            range.flatMap { c in
                let cell = work[c]
                let cellIndices = Set(cell.entries.map { entries.cell[$0] })
                return (cell.typesSeen + [rollUp]).flatMap { type in
                    cellRows(shared.state, entries, cell: cell.entries, cellIndices: cellIndices, actionType: types,
                             key: (cell.period, cell.territory, type), typesSeen: cell.typesSeen, actionTypes: cell.actionTypes)
                }
            }
        }
    }

    /// The resolved state, read by the threads counting the cells. Unchecked: once the attendance
    /// lines are resolved nothing changes the state until the figures are made, and the counts only
    /// read it (`distinctPersons`, `organisations`, `types`).
    private struct SharedState: @unchecked Sendable {
        let state: ReachState
    }

    /// What the counts read of the action entries, copied out once into one array a field: an entry
    /// read out of `state.entries`, even through a buffer, was copied whole (its record's strings
    /// retained and released), six times an entry.
    struct Entries {
        var period: [String] = [], territory: [String] = [], actionType: [String] = [], cell: [Int] = []
        var hasList: [Bool] = [], listedCounts: [[Int]] = [], declared: [[String: Int]] = []
        var count: Int { period.count }

        init(_ entries: [ReachState.ActionEntry]) {
            for e in entries {
                period.append(e.period)
                territory.append(e.record.territory)
                actionType.append(e.record.actionType)
                cell.append(e.cell)
                hasList.append(e.hasList)
                listedCounts.append(e.listedCounts)
                declared.append(e.record.declaredCounts)
            }
        }

        /// Persons of entry `i` listed with the type index `type` (`ActionEntry.listed`).
        func listed(_ i: Int, _ type: Int) -> Int { ReachState.ActionEntry.listed(listedCounts[i], type) }
    }

    /// The rows of one period × territory (or `ALL`) × stakeholder type (or `ALL`): `cell`, the entries
    /// counted; `cellIndices`, their cells in `state.cells`; `actionType`, each entry's place in `actionTypes`.
    private static func cellRows(_ state: ReachState, _ entries: Entries, cell: [Int],
                                 cellIndices: Set<Int>, actionType: [Int], key: (period: String, territory: String, type: String),
                                 typesSeen: [String], actionTypes: [String]) -> [IndicatorRow] {
        let (period, territory, type) = key
        let types = type == rollUp ? typesSeen : [type]
        let indices = types.map { state.types.firstIndex(of: $0) }
        var counts = Counts(actionTypes: actionTypes.count)
        let typeIndices = indices.compactMap { $0 }
        for i in cell {
            counts.add(entries, i, actionType: actionType[i], typeIndices: typeIndices, types: types, anyType: type == rollUp)
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
        var organisationSet = PrehashedSet()
        for c in cellIndices {
            for t in typeIndices { organisationSet.formUnion(state.organisations(cell: c, type: t)) }
        }
        return counts.rows(key: key, persons: persons, organisations: organisationSet.count, actionTypes: actionTypes)
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
        /// Actions per action type, by the type's place in the period's sorted action types.
        var byActionType: [Int]
        var participations = 0
        var declared = 0
        /// Actions of the cell whose persons of the type are known only by a declared head count.
        var headCountActions = 0

        init(actionTypes: Int) { byActionType = Array(repeating: 0, count: actionTypes) }

        mutating func reached(_ actionType: Int) {
            actions += 1
            byActionType[actionType] += 1
        }

        /// Counts an action (of the type numbered `actionType`) for the stakeholder types at `typeIndices`
        /// (`types`: their ids; `anyType`: the ALL column).
        mutating func add(_ entries: Entries, _ i: Int, actionType: Int, typeIndices: [Int], types: [String], anyType: Bool) {
            if entries.hasList[i] {
                var touched = false
                for t in typeIndices {
                    let listed = entries.listed(i, t)
                    if listed == 0 { continue }
                    touched = true
                    participations += listed
                }
                if touched || anyType { reached(actionType) }
            } else {
                let declared = types.reduce(0) { $0 + (entries.declared[i][$1] ?? 0) }
                if declared > 0 || anyType { reached(actionType) }
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
            for (number, actionType) in actionTypes.enumerated() {
                let count = byActionType[number]
                // Zeros per stakeholder type only say "this type did not come": the ALL row has them.
                if count == 0 && key.type != rollUp { continue }
                rows.append(row(.actions, count, n: count, dimension: "action_type", category: actionType))
            }
            return rows
        }
    }
}
