import Records

/// The actions survey respondents attended, found by their key on the attendance sheets (the same
/// folded, hashed key as persons): what the response rates and the shift by format rest on. Only
/// respondents are kept, so memory follows the surveys, not the attendance sheets.
public struct RespondentAttendance: Sendable {
    /// One listing of a respondent at an action.
    public struct Attended: Sendable, Equatable {
        public let period: String
        public let territory: String
        /// The stakeholder type the person was listed with.
        public let stakeholderType: String
        public let actionType: String
        /// The action (its index among the accepted actions): distinct actions are counted by it.
        public let action: Int

        public init(period: String, territory: String, stakeholderType: String, actionType: String, action: Int) {
            self.period = period
            self.territory = territory
            self.stakeholderType = stakeholderType
            self.actionType = actionType
            self.action = action
        }
    }

    /// Respondent keys to look for (probed per attendance line: keys that are hashes already, not SipHashed again).
    let respondents: PrehashedSet
    public private(set) var byPerson: [UInt64: [Attended]] = [:]

    public init(respondents: Set<UInt64>) { self.respondents = PrehashedSet(respondents) }

    /// Whether this person answered a questionnaire (only they are recorded).
    public func wanted(_ person: UInt64) -> Bool { respondents.contains(person) }

    public mutating func add(person: UInt64, _ attended: Attended) {
        guard respondents.contains(person) else { return }
        byPerson[person, default: []].append(attended)
    }

    /// Adds what other respondents attended (`other` was filled from other persons' lines).
    mutating func merge(_ other: RespondentAttendance) {
        byPerson.merge(other.byPerson) { mine, theirs in mine + theirs }
    }

    /// What `person` attended in `period` as `type`.
    func attended(_ person: UInt64, period: String, type: String) -> [Attended] {
        (byPerson[person] ?? []).filter { $0.period == period && $0.stakeholderType == type }
    }
}
