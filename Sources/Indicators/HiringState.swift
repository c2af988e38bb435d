import Records

/// Pathway events by candidate (partitions by candidate merge by union), de-duplicated.
public struct HiringState: Sendable {
    public private(set) var candidates: [UInt64: [PathwayEvent]] = [:]
    private var seen = Set<UInt64>()

    public init() {}

    /// Adds an event; false when the same candidate, step, date and employer were already read.
    public mutating func add(_ event: PathwayEvent) -> Bool {
        var key = StableHash.combine(event.candidate, UInt64(bitPattern: Int64(event.date.dayNumber)))
        key = StableHash.combine(key, StableHash.fnv1a(event.kind.rawValue))
        key = StableHash.combine(key, event.employer ?? 0)
        guard seen.insert(key).inserted else { return false }
        candidates[event.candidate, default: []].append(event)
        return true
    }

    /// Combines another partition's state into this one.
    public mutating func merge(_ other: HiringState) {
        for (_, events) in other.candidates { for e in events { _ = add(e) } }
    }
}

/// Who took part in which action, when: the index `hires_after_action` looks up.
public struct ActionLinks: Sendable {
    private var byPerson: [UInt64: [Int]] = [:]
    private var byOrganisation: [UInt64: [Int]] = [:]
    /// Action id (folded) → day number.
    private var actionDays: [String: Int] = [:]

    public init() {}

    public mutating func addAction(id: String, date: CalendarDate) { actionDays[Fold.key(id)] = date.dayNumber }

    /// A person (and their organisation) attended an action on `date`.
    public mutating func addAttendance(person: UInt64, organisation: UInt64?, date: CalendarDate) {
        byPerson[person, default: []].append(date.dayNumber)
        if let organisation { byOrganisation[organisation, default: []].append(date.dayNumber) }
    }

    /// Whether the candidate, the employer or the referrer took part in an action in the `window`
    /// days up to `hire`, or an event of the candidate up to the hire names such an action.
    func linked(hire: PathwayEvent, history: [PathwayEvent], window: Int) -> Bool {
        let end = hire.date.dayNumber, start = end - window
        func within(_ days: [Int]?) -> Bool { days?.contains { $0 >= start && $0 <= end } ?? false }
        if within(byPerson[hire.candidate]) { return true }
        if let employer = hire.employer, within(byOrganisation[employer]) { return true }
        if let referrer = hire.referrer, within(byOrganisation[referrer]) { return true }
        for event in history where event.date <= hire.date {
            if let referrer = event.referrer, within(byOrganisation[referrer]) { return true }
            if let id = event.actionID, let day = actionDays[Fold.key(id)], day >= start, day <= end { return true }
        }
        return false
    }
}
