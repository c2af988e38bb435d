import Indicators
import Records

/// The impact report (design §8) as GitHub-flavoured Markdown, in French or English.
public struct MarkdownReport {
    let summary: RunSummary
    let labels: Labels
    /// Charts to reference, by period: file name relative to the report.
    let charts: [String: String]

    public init(summary: RunSummary, labels: Labels, charts: [String: String]) {
        self.summary = summary
        self.labels = labels
        self.charts = charts
    }

    /// The whole report. Deterministic: no clock, no machine-specific path.
    public func render() -> String {
        var out: [String] = ["# \(summary.title)", ""]
        var meta: [String] = []
        if !summary.programme.isEmpty { meta.append("**\(labels[.programme])** : \(summary.programme)") }
        meta.append("**\(labels[.period])** : \(summary.periods.isEmpty ? "—" : summary.periods.joined(separator: ", "))")
        let territories = Set(summary.rows.map(\.territory)).subtracting([rollUp]).sorted().map(labels.territory)
        if !territories.isEmpty { meta.append("**\(labels[.territories])** : \(territories.joined(separator: ", "))") }
        out.append(meta.joined(separator: " · ").replacing(" : ", with: labels[.colon]))
        if let first = summary.firstDate, let last = summary.lastDate {
            out += ["", "*" + labels.format(.coveredDates, labels.date(first), labels.date(last)) + "*"]
        }
        out.append("")
        out += synthesis()
        out += ThemesAndComparison(summary: summary, labels: labels).history()
        out += reach()
        out += PerceptionSection(summary: summary, labels: labels, charts: charts).render()
        out += HiringSection(summary: summary, labels: labels, charts: charts).render()
        out += ThemesAndComparison(summary: summary, labels: labels).themes()
        out += HiringSection(summary: summary, labels: labels, charts: charts).targets()
        out += ThemesAndComparison(summary: summary, labels: labels).comparison()
        out += quality()
        out += method()
        out += provenance()
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: Sections

    func synthesis() -> [String] {
        var lines = ["## \(labels[.synthesis])", ""]
        for period in summary.periods {
            guard let actions = summary.row("actions", period), let total = actions.value else { continue }
            let perTerritory = territoriesOf(period).compactMap { t -> String? in
                guard let v = summary.row("actions", period, t)?.value else { return nil }
                return "\(labels.territory(t))\(labels[.colon])\(labels.number(v))"
            }
            lines.append("- " + labels.format(.keyActions, labels.number(total), period, perTerritory.joined(separator: ", ")))
            if let people = summary.row("participants", period) {
                let detail = stakeholdersOf(period).compactMap { type -> String? in
                    guard let row = summary.row("participants", period, rollUp, type) else { return nil }
                    return "\(cell(row)) \(labels.stakeholder(type).lowercased())"
                }
                lines.append("- " + labels.format(.keyPeople, cell(people), detail.joined(separator: ", ")))
            }
            if let orgs = summary.row("organisations", period), (orgs.value ?? 1) > 0 {
                lines.append("- " + labels.format(.keyOrganisations, cell(orgs)))
            }
            lines += PerceptionSection(summary: summary, labels: labels, charts: charts).keyFigures(period).map { "- " + $0 }
            if let hires = HiringSection(summary: summary, labels: labels, charts: charts).keyFigure(period) { lines.append("- " + hires) }
        }
        if summary.periods.isEmpty { lines.append("- " + labels[.keyNoAction]) }
        if let targets = HiringSection(summary: summary, labels: labels, charts: charts).targetsKeyFigure() { lines.append("- " + targets) }
        let read = summary.sources.reduce(0) { $0 + $1.tally.read }
        let rejected = summary.sources.reduce(0) { $0 + $1.tally.rejected }
        lines.append("- " + labels.format(.keyData, labels.number(read), labels.number(summary.inputs.count),
                                          labels.number(summary.sources.reduce(0) { $0 + $1.tally.accepted }),
                                          labels.number(rejected), labels.percent(read == 0 ? 0 : Double(rejected) / Double(read)),
                                          labels.number(summary.sources.reduce(0) { $0 + $1.tally.duplicates })))
        return lines + [""]
    }

    func reach() -> [String] {
        var lines = ["## \(labels[.reach])", ""]
        for period in summary.periods {
            if summary.periods.count > 1 { lines += ["### \(labels[.period]) \(period)", ""] }
            let territories = territoriesOf(period) + [rollUp]
            lines += ["**\(labels[.reachByTerritory])**", ""]
            lines += table(header: [labels[.colTerritory], labels[.colActions], labels[.colParticipations],
                                    labels[.colParticipants], labels[.colOrganisations]],
                           rows: territories.map { t in
                               [labels.territory(t)] + ["actions", "participations", "participants", "organisations"].map {
                                   summary.row($0, period, t).map(cell) ?? "—"
                               }
                           }, numericFrom: 1)
            let types = stakeholdersOf(period)
            lines += ["", "**\(labels[.participantsByType])**", ""]
            lines += table(header: [labels[.colTerritory]] + types.map(labels.stakeholder) + [labels[.colTotal]],
                           rows: territories.map { t in
                               [labels.territory(t)] + (types + [rollUp]).map { summary.row("participants", period, t, $0).map(cell) ?? "—" }
                           }, numericFrom: 1)
            if let chart = charts[period] { lines += ["", "![\(labels[.chartReachTitle])](\(chart))"] }
            let actionTypes = Set(summary.rows.filter { $0.period == period && $0.dimension == "action_type" }.map(\.category)).sorted()
            lines += ["", "**\(labels[.actionsByType])**", ""]
            lines += table(header: [labels[.colActionType]] + territories.map { $0 == rollUp ? labels[.colTotal] : labels.territory($0) },
                           rows: actionTypes.map { type in
                               [labels.actionType(type)] + territories.map {
                                   summary.row("actions", period, $0, dimension: "action_type", category: type).map(cell) ?? "0"
                               }
                           }, numericFrom: 1)
            lines.append("")
        }
        if summary.rows.contains(where: { $0.status == .suppressed }) {
            lines += [labels.format(.suppressedNote, String(summary.privacyK)), ""]
        }
        if summary.countOnlyActions > 0 { lines += [labels.format(.countOnlyNote, labels.number(summary.countOnlyActions)), ""] }
        return lines
    }

    func quality() -> [String] {
        var lines = ["## \(labels[.quality])", ""]
        lines += table(header: [labels[.colSource], labels[.colKind], labels[.colFiles], labels[.colRead], labels[.colAccepted],
                                labels[.colRejected], labels[.colDuplicates], labels[.colRejectRate]],
                       rows: summary.sources.map { s in
                           let kind = s.kind == "actions" ? labels[.kindActions] : labels[.kindAttendance]
                           return ["`\(s.name)`", kind, labels.number(s.files), labels.number(s.tally.read), labels.number(s.tally.accepted),
                                   labels.number(s.tally.rejected), labels.number(s.tally.duplicates), labels.percent(s.tally.rejectRate)]
                       }, numericFrom: 2)
        lines += ["", labels[.reconciliation], ""]
        for source in summary.sources {
            for message in source.unreadable { lines += ["- " + labels.format(.unreadableSource, "`\(source.name)`", message)] }
            if source.tally.encodingFallbacks > 0 {
                lines.append("- " + labels.format(.encodingFallback, "`\(source.name)`", labels.number(source.tally.encodingFallbacks)))
            }
        }
        for source in summary.sources where source.tally.replaced > 0 {
            lines.append("- " + labels.format(.replacedRecords, labels.number(source.tally.replaced), "`\(source.name)`"))
        }
        for source in summary.sourcesAboveRejectThreshold {
            lines.append("- " + labels.format(.rejectRateAbove, "`\(source.name)`", labels.percent(source.tally.rejectRate),
                                              labels.percent(summary.maxRejectRate)))
        }
        if lines.last != "" { lines.append("") }
        let byReason = summary.rejectCounts
        lines += ["**\(labels[.rejectsFile])**", ""]
        if byReason.isEmpty {
            lines += [labels[.noRejects]]
        } else {
            lines += table(header: [labels[.colReason], "Code", labels[.colCount]],
                           rows: byReason.keys.sorted().map { reason in
                               [labels.reason(reason), "`\(reason.rawValue)`", labels.number(byReason[reason] ?? 0)]
                           }, numericFrom: 2)
        }
        let suppressed = summary.rows.filter { $0.status == .suppressed }.count
        lines += ["", labels.format(.suppressedCells, labels.number(suppressed), String(summary.privacyK)), ""]
        return lines
    }

    func method() -> [String] {
        let periods: String
        switch summary.periodScheme {
        case .calendarYear: periods = labels[.methodCalendar]
        case .programmeYear(let start): periods = labels.format(.methodProgrammeYear, labels.month(start))
        }
        var lines = ["## \(labels[.method])", "", labels[.methodReach], ""]
        if !summary.reliability.isEmpty || summary.rows.contains(where: { $0.indicator.contains("perception") }) {
            lines += [labels[.methodPerception], ""] + PerceptionSection(summary: summary, labels: labels, charts: charts).reliability()
        }
        if summary.rows.contains(where: { $0.stakeholderType == HiringIndicators.stakeholderType }) {
            lines += [labels.format(.methodHiring, labels[summary.durableStrict ? .durableRuleMore : .durableRuleAtLeast],
                                    String(summary.linkWindowDays), String(summary.privacyK)), ""]
        }
        return lines + [labels.format(.methodPrivacy, String(summary.privacyK)), "", labels[.methodQuality], "",
                        labels.format(.methodPeriods, periods), ""]
    }

    func provenance() -> [String] {
        var lines = ["## \(labels[.provenance])", ""]
        lines.append("- \(labels[.toolVersion])\(labels[.colon])`impact` \(summary.toolVersion)")
        lines.append("- \(labels[.pipelineFile])\(labels[.colon])`\(summary.pipelinePath)` (SHA-256 `\(summary.pipelineSHA256.prefix(16))`)")
        lines.append("")
        lines += table(header: [labels[.colFile], labels[.colSource], labels[.colSize], labels[.colEncoding], labels[.colDelimiter], labels[.colSHA]],
                       rows: summary.inputs.map {
                           ["`\($0.path)`", "`\($0.source)`", labels.number($0.size), $0.encoding, "`\($0.delimiter)`", "`\($0.sha256.prefix(16))`"]
                       }, numericFrom: 2, numericTo: 2)
        return lines + [""]
    }

    // MARK: Helpers

    /// A figure as the report shows it: the number, or the secrecy mark.
    func cell(_ row: IndicatorRow) -> String {
        switch row.status {
        case .ok: return row.value.map { labels.number($0) } ?? "—"
        case .suppressed: return labels[.suppressedMark]
        case .insufficient: return "—"
        }
    }

    func territoriesOf(_ period: String) -> [String] {
        Set(summary.rows.filter { $0.period == period }.map(\.territory)).subtracting([rollUp]).sorted()
    }

    func stakeholdersOf(_ period: String) -> [String] {
        let present = Set(summary.rows.filter { $0.period == period }.map(\.stakeholderType))
        let order = labels.stakeholders.ids
        return order.filter(present.contains) + present.subtracting(order + [rollUp]).sorted()
    }

    func table(header: [String], rows: [[String]], numericFrom: Int, numericTo: Int? = nil) -> [String] {
        MarkdownTable.render(header: header, rows: rows, numericFrom: numericFrom, numericTo: numericTo)
    }
}
