import Indicators
import Records

/// "Freins et leviers cités" and "Comparaison avec la période précédente".
struct ThemesAndComparison {
    let summary: RunSummary
    let labels: Labels

    func themes() -> [Block] {
        let rows = summary.rows.filter { $0.indicator == .themeMentions }
        guard !summary.themes.lexicon.isEmpty, !rows.isEmpty else { return [] }
        var blocks: [Block] = [.heading(2, [.text(labels[.themesTitle])]), .paragraph(labels.rich(.themesLead))]
        for period in summary.periods {
            let periodRows = rows.filter { $0.period == period }
            guard !periodRows.isEmpty else { continue }
            if summary.periods.count > 1 { blocks.append(.heading(3, [.text("\(labels[.period]) \(period)")])) }
            let types = labels.stakeholders.ids.filter { t in periodRows.contains { $0.stakeholderType == t } }
            let table = summary.themes.lexicon.map { theme -> [String] in
                let cells = (types + [rollUp]).map { type -> String in
                    guard let r = periodRows.first(where: { $0.category == theme.id && $0.territory == rollUp && $0.stakeholderType == type }) else { return "0" }
                    return r.status == .suppressed ? labels[.suppressedMark] : r.value.map { labels.number($0) } ?? "—"
                }
                return [labels.theme(theme, english: summary.themes.labelsEN), labels[theme.kind == .obstacle ? .obstacle : .lever]] + cells
            }
            blocks.append(.table(Table(header: [labels[.colTheme], labels[.colKind2]] + types.map(labels.stakeholder) + [labels[.colTotal]],
                                       rows: table, numericFrom: 2)))
        }
        // Quotes, only when the pipeline file turns them on, and never for a theme under secrecy.
        let quoted = summary.themes.lexicon.filter { theme in
            !(summary.themes.quotes[theme.id] ?? []).isEmpty
                && rows.contains { $0.category == theme.id && $0.territory == rollUp && $0.stakeholderType == rollUp && $0.status == .ok }
        }
        if blocks.holds(labels[.suppressedMark]) { blocks.append(.note(labels.rich(.suppressedNote, String(summary.privacyK)))) }
        if !quoted.isEmpty {
            blocks.append(.paragraph(labels.rich(.quotesLead)))
            for theme in quoted {
                blocks.append(.paragraph([.strong([.text(labels.theme(theme, english: summary.themes.labelsEN))])]))
                blocks.append(.quote((summary.themes.quotes[theme.id] ?? []).map {
                    [.text("\(labels[.quoteOpen])\($0.replacing("\n", with: " "))\(labels[.quoteClose])")]
                }))
            }
        }
        return blocks
    }

    /// Key figures of the last period against the one before it, where both are published.
    /// The key figures compared across periods and refreshes.
    struct KeyFigure {
        let label: String, indicator: Indicator, territory: String, type: String, dimension: String, category: String
        var share: Bool { indicator.unit == .share }
        var decimals: Int { indicator.unit == .score ? 2 : 0 }
    }

    func keyFigures(_ current: String) -> [KeyFigure] {
        var keys: [KeyFigure] = [
            KeyFigure(label: labels.indicator(.actions), indicator: .actions, territory: rollUp, type: rollUp, dimension: "", category: ""),
            KeyFigure(label: labels.indicator(.participants), indicator: .participants, territory: rollUp, type: rollUp, dimension: "", category: ""),
        ]
        for type in labels.stakeholders.ids where summary.row(.participants, current, rollUp, type) != nil {
            keys.append(KeyFigure(label: "\(labels.indicator(.participants)) — \(labels.stakeholder(type))", indicator: .participants,
                                  territory: rollUp, type: type, dimension: "", category: ""))
        }
        for indicator in [Indicator.hires, .hiresSustainableShare] {
            keys.append(KeyFigure(label: labels.indicator(indicator), indicator: indicator, territory: rollUp,
                                  type: indicator.stakeholderType ?? rollUp, dimension: "", category: ""))
        }
        for type in labels.stakeholders.ids {
            for design in SurveyDesign.allCases {
                let shift = Indicator.perception(.shift, design)
                for d in summary.perception.questionnaire.dimensions where summary.row(shift, current, rollUp, type, dimension: "dimension", category: d.id) != nil {
                    keys.append(KeyFigure(label: "\(labels.indicator(shift)) — \(labels.stakeholder(type)) — \(labels.dimension(d.id))",
                                          indicator: shift, territory: rollUp, type: type, dimension: "dimension", category: d.id))
                }
            }
        }
        return keys
    }

    func show(_ v: Double, _ key: KeyFigure) -> String { key.share ? labels.percent(v) : labels.number(v, decimals: key.decimals) }

    func change(_ a: Double, _ b: Double, _ key: KeyFigure) -> String {
        var change = key.share ? labels.signed((a - b) * 100, decimals: 1) + " pt" : labels.signed(a - b, decimals: key.decimals)
        if !key.share && key.decimals == 0 && b > 0 { change += " (\(labels.signed((a - b) / b * 100, decimals: 1)) %)" }
        return change
    }

    func comparison() -> [Block] {
        let periods = summary.periods
        guard periods.count >= 2 else { return [] }
        let current = periods[periods.count - 1], previous = periods[periods.count - 2]
        let keys = keyFigures(current)
        let rows = keys.compactMap { key -> [String]? in
            guard let now = summary.row(key.indicator, current, key.territory, key.type, dimension: key.dimension, category: key.category),
                  let before = summary.row(key.indicator, previous, key.territory, key.type, dimension: key.dimension, category: key.category),
                  now.status == .ok, before.status == .ok, let a = now.value, let b = before.value else { return nil }
            return [key.label, show(b, key), show(a, key), change(a, b, key)]
        }
        guard !rows.isEmpty else { return [] }
        return [.heading(2, [.text(labels[.comparison])]), .paragraph(labels.rich(.comparisonLead, current, previous)),
                .table(Table(header: [labels[.colIndicator].capitalizedFirst, previous, current, labels[.colChange]], rows: rows, numericFrom: 1))]
    }
}

extension ThemesAndComparison {
    /// `impact refresh`: each key figure now, at the previous refresh and for the previous period (kept by the store
    /// even when last year's exports are gone).
    func history() -> [Block] {
        guard let history = summary.history, let current = summary.periods.last else { return [] }
        func find(_ rows: [IndicatorRow], _ period: String, _ key: KeyFigure) -> IndicatorRow? {
            rows.first { $0.indicator == key.indicator && $0.period == period && $0.territory == key.territory
                && $0.stakeholderType == key.type && $0.dimension == key.dimension && $0.category == key.category }
        }
        let earlier = (summary.periods + history.archivedRows.map(\.period)).filter { $0 < current }.max()
        // Nothing to compare with on a first refresh of a first period.
        guard history.previousTakenAt != nil || earlier != nil else { return [] }
        func ok(_ row: IndicatorRow?) -> Double? { row?.status == .ok ? row?.value : nil }
        let rows = keyFigures(current).compactMap { key -> [String]? in
            guard let a = ok(summary.row(key.indicator, current, key.territory, key.type, dimension: key.dimension, category: key.category))
            else { return nil }
            let previous = ok(find(history.previousRows, current, key))
            let lastYear = earlier.flatMap { p in
                ok(summary.row(key.indicator, p, key.territory, key.type, dimension: key.dimension, category: key.category))
                    ?? ok(find(history.archivedRows, p, key))
            }
            return [key.label, show(a, key), previous.map { show($0, key) } ?? "—", previous.map { change(a, $0, key) } ?? "—",
                    lastYear.map { show($0, key) } ?? "—", lastYear.map { change(a, $0, key) } ?? "—"]
        }
        guard !rows.isEmpty else { return [] }
        let when = history.previousTakenAt.map { String($0.prefix(10)) } ?? "—"
        return [.heading(3, [.text(labels[.historyTitle])]), .paragraph(labels.rich(.historyLead, current, when, earlier ?? "—")),
                .table(Table(header: [labels[.colIndicator].capitalizedFirst, labels[.colNow], labels[.colPreviousRefresh],
                                      labels[.colChange], labels[.colLastYear] + (earlier.map { " (\($0))" } ?? ""), labels[.colChange]],
                             rows: rows, numericFrom: 1))]
    }
}

extension Labels {
    /// A theme's label in the report's language (its `label_en` in English when given).
    func theme(_ theme: (id: String, label: String, kind: ThemeKind), english: [String: String]) -> String {
        language == "en" ? english[theme.id] ?? theme.label : theme.label
    }
}
