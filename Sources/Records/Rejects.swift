/// Why a record or a field was not used. Codes are stable (they appear in rejects.csv).
public enum RejectReason: String, CaseIterable, Sendable, Comparable {
    case missingValue = "missing_value"
    case unknownTerritory = "unknown_territory"
    case unknownActionType = "unknown_action_type"
    case unknownStakeholderType = "unknown_stakeholder_type"
    case dateInvalid = "date_invalid"
    case dateAmbiguous = "date_ambiguous"
    case dateFormat = "date_format"
    case numberFormat = "number_format"
    case numberNegative = "number_negative"
    case unknownAction = "unknown_action"
    /// An attendance line of an action that was itself rejected (its reject says why).
    case actionRejected = "action_rejected"
    case duplicateConflict = "duplicate_conflict"
    case extraFields = "csv_extra_fields"
    case unterminatedQuote = "csv_unterminated_quote"
    case strayQuote = "csv_stray_quote"
    case csvRecordTooLarge = "csv_record_too_large"
    case xmlRecordTooLarge = "xml_record_too_large"
    case xmlMalformed = "xml_malformed"
    case unreadableSource = "source_unreadable"
    case likertValue = "likert_value"
    case unknownWave = "unknown_wave"
    case unknownEventKind = "unknown_event_kind"
    case unknownContractType = "unknown_contract_type"
    case unknownReferrerType = "unknown_referrer_type"
    /// A "retained at six months" event dated less than six months after the candidate's hire.
    case retentionTooEarly = "retention_too_early"
    /// A "retained at six months" event of a candidate with no hire before it.
    case retentionWithoutHire = "retention_without_hire"

    public static func < (a: RejectReason, b: RejectReason) -> Bool { a.rawValue < b.rawValue }
}

/// One line of rejects.csv: a rejected record, or one of its faulty fields.
///
/// Built only masked (`PersonalData`): a value of a field that may hold a person is never kept, and
/// e-mails and phone numbers are masked in any value and in the message, which quotes the value as shown.
public struct Reject: Hashable, Sendable {
    public let location: RecordLocation
    public let field: String
    public let value: String
    public let reason: RejectReason
    public let message: String

    public init(location: RecordLocation, field: String, value: String, reason: RejectReason, message: String) {
        self.location = location
        self.field = field
        let shown = PersonalData.mask(value, field: field)
        self.value = shown
        self.reason = reason
        self.message = PersonalData.maskContacts(value.isEmpty || shown == value ? message : message.replacing(value, with: shown))
    }
}

/// What happened to every physical record of one source. read = accepted + rejected + duplicates.
public struct SourceTally: Hashable, Sendable {
    public var read = 0
    public var accepted = 0
    public var rejected = 0
    public var duplicates = 0
    /// Fields that were not valid UTF-8 and were read as Windows-1252 instead.
    public var encodingFallbacks = 0
    /// Records a later export corrected (`impact refresh`): the stored version was replaced.
    public var replaced = 0

    public init() {}

    /// The reconciliation every source must satisfy.
    public var reconciles: Bool { read == accepted + rejected + duplicates }

    public var rejectRate: Double { read == 0 ? 0 : Double(rejected) / Double(read) }
}
