import Records

/// Everything the reach indicators need, in a form two partitions can merge (sets and records).
public struct ReachState: Sendable {
    /// One action with who attended it.
    public struct ActionEntry: Sendable {
        public var record: ActionRecord
        public let period: String
        /// Persons listed on the attendance sheets, per stakeholder type.
        public var persons: [String: Set<UInt64>] = [:]
        /// Organisations of the listed persons, per stakeholder type.
        public var organisations: [String: Set<UInt64>] = [:]

        /// True when attendance lists exist: they then take precedence over declared counts.
        public var hasList: Bool { !persons.isEmpty }
    }

    /// Actions by folded id.
    public private(set) var actions: [String: ActionEntry] = [:]
    let scheme: PeriodScheme

    public init(scheme: PeriodScheme) { self.scheme = scheme }

    /// Adds an accepted, de-duplicated action.
    public mutating func add(_ action: ActionRecord) {
        actions[Fold.key(action.id)] = ActionEntry(record: action, period: scheme.label(for: action.date))
    }

    /// The action an attendance line refers to, if known.
    public func action(forID id: String) -> ActionRecord? { actions[Fold.key(id)]?.record }

    /// The stakeholder type a person is already listed under at the line's action, if any.
    public func listedType(of line: AttendanceRecord) -> String? {
        guard let entry = actions[Fold.key(line.actionID)] else { return nil }
        return entry.persons.first { $0.value.contains(line.person) }?.key
    }

    /// Adds an accepted, de-duplicated attendance line whose action is known.
    public mutating func add(_ line: AttendanceRecord) {
        let key = Fold.key(line.actionID)
        actions[key]?.persons[line.stakeholderType, default: []].insert(line.person)
        if let org = line.organisation {
            actions[key]?.organisations[line.stakeholderType, default: []].insert(org)
        }
    }

    /// Combines another partition's state into this one.
    public mutating func merge(_ other: ReachState) {
        for (key, entry) in other.actions {
            if var mine = actions[key] {
                for (type, set) in entry.persons { mine.persons[type, default: []].formUnion(set) }
                for (type, set) in entry.organisations { mine.organisations[type, default: []].formUnion(set) }
                actions[key] = mine
            } else {
                actions[key] = entry
            }
        }
    }

    /// Actions known only by declared counts (no attendance list).
    public var countOnlyActions: Int { actions.values.filter { !$0.hasList && !$0.record.declaredCounts.isEmpty }.count }
}
