import Indicators

/// "Freins et leviers cités" and "Comparaison avec la période précédente".
struct ThemesAndComparison {
    let summary: RunSummary
    let labels: Labels

    func themes() -> [String] {
        let rows = summary.rows.filter { $0.indicator == ThemeIndicators.indicator }
        guard !summary.themes.isEmpty, !rows.isEmpty else { return [] }
        var lines = ["## \(labels[.themesTitle])", "", labels[.themesLead], ""]
        for period in summary.periods {
            let periodRows = rows.filter { $0.period == period }
            guard !periodRows.isEmpty else { continue }
            if summary.periods.count > 1 { lines += ["### \(labels[.period]) \(period)", ""] }
            let types = labels.stakeholders.ids.filter { t in periodRows.contains { $0.stakeholderType == t } }
            let table = summary.themes.map { theme -> [String] in
                let cells = (types + [rollUp]).map { type -> String in
                    guard let r = periodRows.first(where: { $0.category == theme.id && $0.territory == rollUp && $0.stakeholderType == type }) else { return "0" }
                    return r.status == .suppressed ? labels[.suppressedMark] : r.value.map { labels.number($0) } ?? "—"
                }
                return [labels.theme(theme, english: summary.themeLabelsEN), labels[theme.kind == "obstacle" ? .obstacle : .lever]] + cells
            }
            lines += MarkdownTable.render(header: [labels[.colTheme], labels[.colKind2]] + types.map(labels.stakeholder) + [labels[.colTotal]],
                                          rows: table, numericFrom: 2) + [""]
        }
        // Quotes, only when the pipeline file turns them on, and never for a theme under secrecy.
        let quoted = summary.themes.filter { theme in
            !(summary.quotes[theme.id] ?? []).isEmpty
                && rows.contains { $0.category == theme.id && $0.territory == rollUp && $0.stakeholderType == rollUp && $0.status == .ok }
        }
        if !quoted.isEmpty {
            lines += [labels[.quotesLead], ""]
            for theme in quoted {
                lines.append("**\(labels.theme(theme, english: summary.themeLabelsEN))**")
                lines.append("")
                for quote in summary.quotes[theme.id] ?? [] {
                    lines.append("> \(labels[.quoteOpen])\(quote.replacing("\n", with: " "))\(labels[.quoteClose])")
                    lines.append(">")
                }
                if lines.last == ">" { lines.removeLast() }
                lines.append("")
            }
        }
        return lines
    }

    /// Key figures of the last period against the one before it, where both are published.
    func comparison() -> [String] {
        let periods = summary.periods
        guard periods.count >= 2 else { return [] }
        let current = periods[periods.count - 1], previous = periods[periods.count - 2]
        var keys: [(label: String, indicator: String, territory: String, type: String, dimension: String, category: String, share: Bool)] = [
            (labels.indicator("actions"), "actions", rollUp, rollUp, "", "", false),
            (labels.indicator("participants"), "participants", rollUp, rollUp, "", "", false),
        ]
        for type in labels.stakeholders.ids where summary.row("participants", current, rollUp, type) != nil {
            keys.append(("\(labels.indicator("participants")) — \(labels.stakeholder(type))", "participants", rollUp, type, "", "", false))
        }
        keys.append((labels.indicator("hires"), "hires", rollUp, HiringIndicators.stakeholderType, "", "", false))
        keys.append((labels.indicator("hires_sustainable_share"), "hires_sustainable_share", rollUp, HiringIndicators.stakeholderType, "", "", true))
        for type in labels.stakeholders.ids {
            for prefix in ["perception", "retro_perception"] {
                for d in summary.questionnaire.dimensions where summary.row("\(prefix)_shift", current, rollUp, type, dimension: "dimension", category: d.id) != nil {
                    keys.append(("\(labels.indicator("\(prefix)_shift")) — \(labels.stakeholder(type)) — \(labels.dimension(d.id))", "\(prefix)_shift", rollUp, type, "dimension", d.id, false))
                }
            }
        }
        let rows = keys.compactMap { key -> [String]? in
            guard let now = summary.row(key.indicator, current, key.territory, key.type, dimension: key.dimension, category: key.category),
                  let before = summary.row(key.indicator, previous, key.territory, key.type, dimension: key.dimension, category: key.category),
                  now.status == .ok, before.status == .ok, let a = now.value, let b = before.value else { return nil }
            let decimals = key.indicator.hasSuffix("_shift") ? 2 : 0
            func show(_ v: Double) -> String { key.share ? labels.percent(v) : labels.number(v, decimals: decimals) }
            var change = key.share ? labels.signed((a - b) * 100, decimals: 1) + " pt" : labels.signed(a - b, decimals: decimals)
            if !key.share && decimals == 0 && b > 0 { change += " (\(labels.signed((a - b) / b * 100, decimals: 1)) %)" }
            return [key.label, show(b), show(a), change]
        }
        guard !rows.isEmpty else { return [] }
        return ["## \(labels[.comparison])", "", labels.format(.comparisonLead, current, previous), ""]
            + MarkdownTable.render(header: [labels[.colIndicator].capitalizedFirst, previous, current, labels[.colChange]], rows: rows, numericFrom: 1) + [""]
    }
}

extension Labels {
    /// A theme's label in the report's language (its `label_en` in English when given).
    func theme(_ theme: (id: String, label: String, kind: String), english: [String: String]) -> String {
        language == "en" ? english[theme.id] ?? theme.label : theme.label
    }
}
