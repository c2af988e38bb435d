/// What a record is when another of the same identity was read before it, and the rejects that
/// follow: the one statement of the rules `impact run`, `refresh` and `merge` share.
///
/// Identity (the natural key): an action by its folded id; an attendance line by its action's folded
/// id and the person; an answer by respondent, wave, period, territory and stakeholder type; a
/// pathway event by candidate, step, date and employer. Of the records of one identity:
/// - actions: the first is kept; the same details again are a duplicate, other details a conflict (rejected);
/// - attendance lines: the first listing counts; the same stakeholder type again is a duplicate,
///   another type a conflict (rejected). Lines are de-duplicated before they are linked: of two
///   lines naming an unknown (or rejected) action, only the first is rejected for it;
/// - answers: the latest answer wins (a later date, or the same date read later); an identical
///   answer changes nothing (a duplicate);
/// - pathway events: the first is kept, later versions are duplicates.
///
/// The refresh store keeps every record of the files read in one refresh as read, and replays them
/// through these rules, so a refresh gives what `run` gives on the same files. Only across refreshes
/// does it match records: a record already held is not stored again, and one held with other content
/// is a correction (`laterExportCorrects`).
public enum RecordRules {
    /// A record's identity.
    public enum Identity: Hashable, Sendable {
        case action(String)
        case attendance(action: String, person: UInt64)
        case response(respondent: UInt64, stakeholderType: String, territory: String, wave: Wave, period: String)
        case pathway(candidate: UInt64, day: Int, kind: EventKind, employer: UInt64?)
    }

    /// The key an action id is matched by (actions with each other, attendance lines and pathway events with actions).
    public static func actionKey(_ id: String) -> String { Fold.key(id) }

    /// A record's identity; nil for rejected and dropped records, which are never matched. `actionID`
    /// is applied to action ids before they are folded (the store masks contacts in them).
    public static func identity(of record: MappedRecord, period: (CalendarDate) -> String,
                                actionID: (String) -> String = { $0 }) -> Identity? {
        switch record {
        case .action(let a): .action(actionKey(actionID(a.id)))
        case .attendance(let l): .attendance(action: actionKey(actionID(l.actionID)), person: l.person)
        case .response(let r):
            .response(respondent: r.respondent, stakeholderType: r.stakeholderType, territory: r.territory, wave: r.wave, period: period(r.date))
        case .pathway(let e): .pathway(candidate: e.candidate, day: e.date.dayNumber, kind: e.kind, employer: e.employer)
        case .rejected, .duplicate: nil
        }
    }

    /// A pathway event's identity as one stable hash (what the hiring stage keeps per event).
    public static func eventKey(_ event: PathwayEvent) -> UInt64 {
        var key = StableHash.combine(event.candidate, UInt64(bitPattern: Int64(event.date.dayNumber)))
        key = StableHash.combine(key, StableHash.fnv1a(event.kind.rawValue))
        return StableHash.combine(key, event.employer ?? 0)
    }

    // MARK: Actions

    /// An action whose id was already read: nil when it says the same (a duplicate), else its reject.
    public static func secondAction(_ action: ActionRecord, kept: ActionRecord) -> Reject? {
        if action.sameContent(as: kept) { return nil }
        return Reject(location: action.location, field: "action_id", value: action.id, reason: .duplicateConflict,
                      message: "action '\(action.id)' was already read at \(kept.location) with different details; keep one version in the exports")
    }

    // MARK: Attendance

    /// What a later line of a person already listed at an action is.
    public enum LaterListing: Sendable, Equatable {
        case duplicate, conflict
    }

    /// A later line of a person at an action: a duplicate with the type first listed, else a conflict.
    @inlinable
    public static func laterListing<T: Equatable>(_ type: T, firstListedAs first: T) -> LaterListing {
        type == first ? .duplicate : .conflict
    }

    /// The reject of a conflicting listing (`action`: the action's id as read).
    public static func listingConflict(at location: RecordLocation, type: String, action: String, listedAs: String) -> Reject {
        Reject(location: location, field: "stakeholder_type", value: type, reason: .duplicateConflict,
               message: "this person is already listed at action '\(action)' as '\(listedAs)'")
    }

    /// The reject of the first listing at an action that was not read; `cause` is the action's own
    /// reject when it was read and rejected.
    public static func unlinked(_ line: AttendanceRecord, actionRejected cause: Reject?) -> Reject {
        guard let cause else {
            return Reject(location: line.location, field: "action_id", value: line.actionID, reason: .unknownAction,
                          message: "no action '\(line.actionID)' in the actions sources; check the id or add the action")
        }
        let field = cause.field.isEmpty ? "" : ", \(cause.field)"
        return Reject(location: line.location, field: "action_id", value: line.actionID, reason: .actionRejected,
                      message: "action '\(line.actionID)' was rejected: \(cause.location.source) \(cause.location.recordLabel)\(field): \(cause.reason.rawValue); fix that record and its attendance lines count")
    }

    // MARK: Answers

    /// Whether an answer read later replaces the kept answer of its identity (days as `CalendarDate.dayNumber`
    /// or any order-preserving number): the latest answer wins; an identical answer is a duplicate.
    @inlinable
    public static func laterAnswerReplaces(day: Int, keptDay: Int, identical: Bool) -> Bool {
        day > keptDay || (day == keptDay && !identical)
    }

    // MARK: Across refreshes

    /// Whether a record arriving in a later refresh, with other content than the one the store holds
    /// for its identity, replaces it (a correction). Answers are kept side by side instead: the latest
    /// answer wins when they are replayed, whenever it arrived.
    public static func laterExportCorrects(_ record: MappedRecord) -> Bool {
        if case .response = record { return false }
        return true
    }
}
