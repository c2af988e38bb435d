/// What one physical record became once mapped and validated: what the readers emit, the store
/// keeps and the stages after reading consume.
///
/// The larger, rarer records are boxed: the value handed from thread to thread per record stays the
/// size of an attendance line.
public enum MappedRecord: Sendable {
    indirect case action(ActionRecord)
    case attendance(AttendanceRecord)
    indirect case response(SurveyResponse)
    indirect case pathway(PathwayEvent)
    /// A record replaced by a later version of itself (ODK resubmissions and edits).
    case duplicate(RecordLocation)
    /// Rejected: one reject per faulty field (at least one); an action's id when it has one, so its
    /// attendance lines can say the action was rejected.
    case rejected([Reject], actionID: String? = nil)

    /// An attendance line's `actionHash`; nil for any other record.
    @inlinable
    public var lookAheadKey: UInt64? {
        if case .attendance(let line) = self { return line.actionHash }
        return nil
    }

    /// Where the record was read (a rejected record: its first reject's place).
    public var location: RecordLocation? {
        switch self {
        case .action(let a): a.location
        case .attendance(let l): l.location
        case .response(let r): r.location
        case .pathway(let e): e.location
        case .duplicate(let l): l
        case .rejected(let faults, _): faults.first?.location
        }
    }

    /// The date of an action, answer or pathway event (what the run's date range spans).
    public var date: CalendarDate? {
        switch self {
        case .action(let a): a.date
        case .response(let r): r.date
        case .pathway(let e): e.date
        case .attendance, .duplicate, .rejected: nil
        }
    }
}
