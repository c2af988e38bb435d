import Records

/// What the response rates and the shift by format need, tallied while pairs are added: which
/// respondents were found on the attendance sheets, and what they attended.
struct FormatTally {
    typealias RateKey = PerceptionAggregate.RateKey
    let attendance: RespondentAttendance?
    private var responded: [RateKey: Set<UInt64>] = [:]
    private var respondents: [RateKey: Set<UInt64>] = [:]

    init(attendance: RespondentAttendance?) { self.attendance = attendance }

    /// A respondent with at least one pair: counted where they were on the sheets (their territory,
    /// and the whole period).
    mutating func responded(_ respondent: UInt64, period: String, territory: String, type: String, design: SurveyDesign) {
        guard let listed = attendance?.attended(respondent, period: period, type: type), !listed.isEmpty else { return }
        responded[RateKey(period: period, territory: rollUp, stakeholderType: type, design: design), default: []].insert(respondent)
        if listed.contains(where: { $0.territory == territory }) {
            responded[RateKey(period: period, territory: territory, stakeholderType: type, design: design), default: []].insert(respondent)
        }
    }

    /// Any respondent of the period and type (for the share found on the sheets).
    mutating func respondent(_ respondent: UInt64, period: String, type: String) {
        guard attendance != nil else { return }
        respondents[RateKey(period: period, territory: rollUp, stakeholderType: type, design: nil), default: []].insert(respondent)
    }

    /// The format breakdowns a respondent's dimension pair goes to: each action type attended in the
    /// period, and the number of distinct actions attended (`1`, `2`, `3+`).
    func keys(_ respondent: UInt64, period: String, type: String, design: SurveyDesign, dimension: String) -> [PerceptionAggregate.FormatKey] {
        guard let listed = attendance?.attended(respondent, period: period, type: type), !listed.isEmpty else { return [] }
        let actions = Set(listed.map(\.action)).count
        func key(_ breakdown: FormatBreakdown, _ category: String) -> PerceptionAggregate.FormatKey {
            .init(period: period, stakeholderType: type, design: design, breakdown: breakdown, dimension: dimension, category: category)
        }
        return Set(listed.map(\.actionType)).sorted().map { key(.actionType, $0) } + [key(.actionsAttended, actions >= 3 ? "3+" : String(actions))]
    }

    func finish(into aggregate: inout PerceptionAggregate) {
        guard let attendance else { return }
        for (key, set) in responded { aggregate.responded[key] = set.count }
        for (key, set) in respondents {
            let found = set.filter { !attendance.attended($0, period: key.period, type: key.stakeholderType).isEmpty }.count
            aggregate.linkage[key] = .init(respondents: set.count, found: found)
        }
    }
}
