import Records

/// Pathway events by candidate (partitions by candidate merge by union), de-duplicated.
public struct HiringState: Sendable {
    public private(set) var candidates: [UInt64: [PathwayEvent]] = [:]
    private var seen = Set<UInt64>()

    public init() {}

    /// Adds an event; false when its identity was already read (the first version is kept: `RecordRules`).
    public mutating func add(_ event: PathwayEvent) -> Bool {
        guard seen.insert(RecordRules.eventKey(event)).inserted else { return false }
        candidates[event.candidate, default: []].append(event)
        return true
    }

    /// The latest event date (nil when no event): the pathway data's end unless the pipeline file sets one.
    public var latestDate: CalendarDate? { candidates.values.lazy.flatMap { $0 }.map(\.date).max() }

    /// Removes the "retained at six months" events that cannot be true — dated less than six months
    /// after the candidate's latest hire before them, or with no hire before them — and returns them
    /// with the reason (they are rejected, not counted).
    public mutating func removeImpossibleRetentions() -> [(event: PathwayEvent, reason: RejectReason, hire: PathwayEvent?)] {
        var removed: [(event: PathwayEvent, reason: RejectReason, hire: PathwayEvent?)] = []
        for candidate in candidates.keys.sorted() {
            guard let events = candidates[candidate], events.contains(where: { $0.kind == .retained6m }) else { continue }
            var kept: [PathwayEvent] = []
            for event in events {
                guard event.kind == .retained6m else { kept.append(event); continue }
                let hire = events.filter { $0.kind == .hire && $0.date <= event.date }.max { $0.date < $1.date }
                if let hire, event.date >= Retention.sixMonths(after: hire.date) {
                    kept.append(event)
                } else {
                    removed.append((event, hire == nil ? .retentionWithoutHire : .retentionTooEarly, hire))
                }
            }
            candidates[candidate] = kept
        }
        return removed.sorted { ($0.event.location.source, $0.event.location.line) < ($1.event.location.source, $1.event.location.line) }
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

    public mutating func addAction(id: String, date: CalendarDate) { actionDays[RecordRules.actionKey(id)] = date.dayNumber }

    /// A person (and their organisation) attended an action on `date`.
    public mutating func addAttendance(person: UInt64, organisation: UInt64?, date: CalendarDate) {
        byPerson[person, default: []].append(date.dayNumber)
        if let organisation { byOrganisation[organisation, default: []].append(date.dayNumber) }
    }

    /// Who took part, for a hire linked to the actions: the closest link wins.
    public enum Link: String, CaseIterable, Sendable {
        /// The candidate was on an attendance sheet, or a step of their route names an action.
        case candidate
        /// Someone of the hiring employer took part.
        case employer
        /// Only someone of the referring organisation took part.
        case referrer
    }

    /// How the hire is linked to an action in the `window` days up to it — the candidate (present,
    /// or a step of their route names such an action), else the employer, else the referrer — or nil.
    func link(hire: PathwayEvent, history: [PathwayEvent], window: Int) -> Link? {
        let end = hire.date.dayNumber, start = end - window
        func within(_ days: [Int]?) -> Bool { days?.contains { $0 >= start && $0 <= end } ?? false }
        let earlier = history.filter { $0.date <= hire.date }
        if within(byPerson[hire.candidate]) { return .candidate }
        for event in earlier {
            if let id = event.actionID, let day = actionDays[RecordRules.actionKey(id)], day >= start, day <= end { return .candidate }
        }
        if let employer = hire.employer, within(byOrganisation[employer]) { return .employer }
        if let referrer = hire.referrer, within(byOrganisation[referrer]) { return .referrer }
        for event in earlier {
            if let referrer = event.referrer, within(byOrganisation[referrer]) { return .referrer }
        }
        return nil
    }

    /// Whether the hire is linked to an action (see `link`).
    func linked(hire: PathwayEvent, history: [PathwayEvent], window: Int) -> Bool {
        link(hire: hire, history: history, window: window) != nil
    }
}

/// Six-month retention of the principal hires of one cell, among those whose six-month date is observed.
public struct Retention {
    /// Hires whose six-month date falls on or before the data's end.
    private(set) var observable = 0
    /// Of those, hires followed by a "retained at six months" event.
    private(set) var retained = 0

    init(principal: [UInt64: PathwayEvent], history: [UInt64: [PathwayEvent]], dataEnd: CalendarDate?) {
        guard let dataEnd else { return }
        for (candidate, hire) in principal {
            let due = Self.sixMonths(after: hire.date)
            guard due <= dataEnd else { continue }
            observable += 1
            if (history[candidate] ?? []).contains(where: { $0.kind == .retained6m && $0.date >= due }) { retained += 1 }
        }
    }

    /// The same day six months later (the month's last day when it has no such day: 31/08 → 28/02).
    public static func sixMonths(after date: CalendarDate) -> CalendarDate {
        let months = date.month - 1 + 6
        let year = date.year + months / 12, month = months % 12 + 1
        return CalendarDate(year: year, month: month, day: min(date.day, CalendarDate.daysIn(month: month, year: year))) ?? date
    }
}
