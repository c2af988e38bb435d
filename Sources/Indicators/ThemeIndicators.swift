import Records

/// Obstacles and levers cited in free-text comments (docs/design.md §5 "Free-text themes").
public enum ThemeIndicators {
    /// Respondents citing each theme per period × territory × stakeholder type (with `ALL` roll-ups),
    /// and up to three short comments per theme for quoting (raw; the report scrubs them).
    public static func compute(_ responses: [SurveyResponse], themes: [(id: String, kind: ThemeKind, keywords: [[String]])],
                               scheme: PeriodScheme) -> (rows: [IndicatorRow], quotes: [String: [String]]) {
        var citing: [[String]: Set<UInt64>] = [:]
        var quotes: [String: [String]] = [:]
        for response in responses {
            guard let comment = response.comment, !comment.isEmpty else { continue }
            let words = ThemeText.words(comment)
            let period = scheme.label(for: response.date)
            for theme in themes where theme.keywords.contains(where: { ThemeText.contains(words, $0) }) {
                for territory in [response.territory, rollUp] {
                    for type in [response.stakeholderType, rollUp] {
                        citing[[period, territory, type, theme.kind.rawValue, theme.id], default: []].insert(response.respondent)
                    }
                }
                if comment.count <= 240, (quotes[theme.id]?.count ?? 0) < 3, !(quotes[theme.id] ?? []).contains(comment) {
                    quotes[theme.id, default: []].append(comment)
                }
            }
        }
        let rows = citing.map { key, respondents in
            IndicatorRow(indicator: .themeMentions, period: key[0], territory: key[1], stakeholderType: key[2], dimension: key[3],
                         category: key[4], value: Double(respondents.count), n: respondents.count)
        }
        return (rows, quotes)
    }
}
