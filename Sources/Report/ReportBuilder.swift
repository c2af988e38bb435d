import Indicators
import Records

/// The impact report (docs/design.md §8), in French or English: written once as a document, rendered as
/// GitHub-flavoured Markdown (`report.md`) and as print-ready HTML (`report.html`).
public struct ImpactReport {
    let summary: RunSummary
    let labels: Labels
    /// Charts by key ("period", "period/type/design", "period/funnel").
    let charts: [String: ChartFile]

    public init(summary: RunSummary, labels: Labels, charts: [String: ChartFile]) {
        self.summary = summary
        self.labels = labels
        self.charts = charts
    }

    /// `report.md`. Deterministic: no clock, no machine-specific path.
    public func markdown() -> String { MarkdownRenderer(language: labels.language).render(document()) }

    /// `report.html`: one self-contained file.
    public func html() -> String { HTMLRenderer(language: labels.language).render(document()) }

    /// Both, from one document (building it is most of the cost); the HTML is rendered on another core.
    public func rendered() -> (markdown: String, html: String) {
        let (document, language) = (document(), labels.language)
        let html = Background { HTMLRenderer(language: language).render(document) }
        return (MarkdownRenderer(language: language).render(document), html.wait())
    }

    /// The whole report as blocks.
    public func document() -> ReportDocument {
        var blocks: [Block] = [.heading(1, [.text(summary.title)])]
        var meta: Rich = []
        func field(_ key: LabelKey, _ value: String) {
            if !meta.isEmpty { meta.append(.text(" · ")) }
            meta += [.strong([.text(labels[key])]), .text(labels[.colon] + value)]
        }
        if !summary.programme.isEmpty { field(.programme, summary.programme) }
        field(.period, summary.periods.isEmpty ? "—" : summary.periods.joined(separator: ", "))
        let territories = Set(summary.rows.map(\.territory)).subtracting([rollUp]).sorted().map(labels.territory)
        if !territories.isEmpty { field(.territories, territories.joined(separator: ", ")) }
        blocks.append(.paragraph(meta))
        if let first = summary.coverage.first, let last = summary.coverage.last {
            blocks.append(.paragraph([.emphasis(labels.rich(.coveredDates, labels.date(first), labels.date(last)))]))
        }
        blocks += synthesis()
        blocks += ThemesAndComparison(summary: summary, labels: labels).history()
        blocks += reach()
        blocks += PerceptionSection(summary: summary, labels: labels, charts: charts).render()
        blocks += HiringSection(summary: summary, labels: labels, charts: charts).render()
        blocks += ThemesAndComparison(summary: summary, labels: labels).themes()
        blocks += HiringSection(summary: summary, labels: labels, charts: charts).targets()
        blocks += ThemesAndComparison(summary: summary, labels: labels).comparison()
        blocks += LimitsSection(summary: summary, labels: labels).render()
        let closing = ClosingSections(summary: summary, labels: labels)
        blocks += closing.quality() + closing.method() + closing.provenance() + closing.glossary()
        let header = [summary.programme.isEmpty ? summary.title : summary.programme] + (summary.periods.isEmpty ? [] : [summary.periods.joined(separator: ", ")])
        return ReportDocument(language: labels.language, title: summary.title, runningHeader: header.joined(separator: " — "),
                              pageWord: labels[.page], ofWord: labels[.pageOf], blocks: blocks)
    }

    // MARK: Sections

    func synthesis() -> [Block] {
        var blocks: [Block] = [.heading(2, [.text(labels[.synthesis])])]
        if let banner = ClosingSections(summary: summary, labels: labels).banner() { blocks.append(banner) }
        var items: [Rich] = []
        var tables: [Block] = []
        for period in summary.periods {
            guard let actions = summary.row(.actions, period), let total = actions.value else { continue }
            let perTerritory = territoriesOf(period).compactMap { t -> String? in
                guard let v = summary.row(.actions, period, t)?.value else { return nil }
                return "\(labels.territory(t))\(labels[.colon])\(labels.number(v))"
            }
            items.append(labels.rich(.keyActions, labels.number(total), period, perTerritory.joined(separator: ", ")))
            if let people = summary.row(.participants, period) {
                let detail = stakeholdersOf(period).compactMap { type -> String? in
                    guard let row = summary.row(.participants, period, rollUp, type) else { return nil }
                    // Head counts added to distinct persons are said so wherever they are.
                    let counted = summary.reach.headCounted[[period, rollUp, type]].map { " (\(labels[$0 ? .headCountsOnly : .headCountsMixed]))" } ?? ""
                    return "\(cell(row)) \(labels.stakeholder(type).lowercased())\(counted)"
                }
                let mixed = summary.reach.headCounted[[period, rollUp, rollUp]] != nil ? " (\(labels[.keyPeopleHeadCounts]))" : ""
                items.append(labels.rich(.keyPeople, cell(people), detail.joined(separator: ", "), mixed))
            }
            if let orgs = summary.row(.organisations, period), (orgs.value ?? 1) > 0 {
                items.append(labels.rich(.keyOrganisations, cell(orgs)))
            }
            let perception = PerceptionSection(summary: summary, labels: labels, charts: charts)
            items += perception.keyFigures(period)
            tables += perception.keyTable(period)
            items += HiringSection(summary: summary, labels: labels, charts: charts).keyFigures(period)
        }
        if summary.periods.isEmpty { items.append(labels.rich(.keyNoAction)) }
        if let targets = HiringSection(summary: summary, labels: labels, charts: charts).targetsKeyFigure() { items.append(targets) }
        let read = summary.sources.reduce(0) { $0 + $1.tally.read }
        let rejected = summary.sources.reduce(0) { $0 + $1.tally.rejected }
        items.append(labels.rich(.keyData, labels.number(read), labels.number(summary.inputs.count),
                                 labels.number(summary.sources.reduce(0) { $0 + $1.tally.accepted }),
                                 labels.number(rejected), labels.percent(read == 0 ? 0 : Double(rejected) / Double(read)),
                                 labels.number(summary.sources.reduce(0) { $0 + $1.tally.duplicates })))
        return blocks + [.list(items)] + tables
    }

    func reach() -> [Block] {
        var blocks: [Block] = [.heading(2, [.text(labels[.reach])])]
        for period in summary.periods {
            if summary.periods.count > 1 { blocks.append(.heading(3, [.text("\(labels[.period]) \(period)")])) }
            let territories = territoriesOf(period) + [rollUp]
            blocks.append(.table(Table(title: labels[.reachByTerritory],
                                       header: [labels[.colTerritory], labels[.colActions], labels[.colParticipations],
                                                labels[.colParticipants], labels[.colOrganisations]],
                                       rows: territories.map { t in
                                           [labels.territory(t)] + [Indicator.actions, .participations, .participants, .organisations].map {
                                               (summary.row($0, period, t).map { cell($0) } ?? "—") + ($0 == .participants ? headCount(period, t, rollUp) : "")
                                           }
                                       }, numericFrom: 1)))
            let types = stakeholdersOf(period)
            blocks.append(.table(Table(title: labels[.participantsByType],
                                       header: [labels[.colTerritory]] + types.map(labels.stakeholder) + [labels[.colTotal]],
                                       rows: territories.map { t in
                                           [labels.territory(t)] + (types + [rollUp]).map {
                                               (summary.row(.participants, period, t, $0).map { cell($0) } ?? "—") + headCount(period, t, $0)
                                           }
                                       }, numericFrom: 1)))
            if let chart = charts[ReportCharts.reachKey(period)] { blocks.append(.figure(Figure(alt: labels[.chartReachTitle], chart))) }
            let actionTypes = Set(summary.rows.filter { $0.period == period && $0.dimension == "action_type" }.map(\.category)).sorted()
            blocks.append(.table(Table(title: labels[.actionsByType],
                                       header: [labels[.colActionType]] + territories.map { $0 == rollUp ? labels[.colTotal] : labels.territory($0) },
                                       rows: actionTypes.map { type in
                                           [labels.actionType(type)] + territories.map {
                                               summary.row(.actions, period, $0, dimension: "action_type", category: type).map { cell($0) } ?? "0"
                                           }
                                       }, numericFrom: 1)))
            blocks += organisations(period)
        }
        if blocks.holds(labels[.suppressedMark]) { blocks.append(.note(labels.rich(.suppressedNote, String(summary.privacyK)))) }
        if summary.reach.countOnlyActions > 0 { blocks.append(.note(labels.rich(.countOnlyNote, labels.number(summary.reach.countOnlyActions)))) }
        if !summary.reach.headCounted.isEmpty { blocks.append(.note(labels.rich(.headCountNote))) }
        return blocks
    }

    /// " †" after a participants figure that adds declared head counts.
    func headCount(_ period: String, _ territory: String, _ type: String) -> String {
        summary.reach.headCounted[[period, territory, type]] == nil ? "" : " †"
    }

    /// The organisations reached, by name, where the period's organisation count is published; the
    /// `organisationsShown` largest named (a national run reaches thousands: a committee reads a page, not a directory).
    func organisations(_ period: String) -> [Block] {
        guard let reached = summary.reach.organisationsReached[period], summary.row(.organisations, period)?.status == .ok else { return [] }
        var blocks: [Block] = []
        if !reached.listed.isEmpty {
            blocks.append(.table(Table(title: labels[.organisationsTitle], header: [labels[.colOrganisation], labels[.colParticipants]],
                                       rows: reached.listed.prefix(Self.organisationsShown).map { [$0.name, labels.number($0.people)] },
                                       numericFrom: 1)))
        }
        let more = max(0, reached.named - Self.organisationsShown) + reached.nameless
        if more > 0 { blocks.append(.note(labels.rich(.organisationsMore, labels.number(more), String(summary.privacyK)))) }
        if reached.unnamed > 0 {
            blocks.append(.note(labels.rich(.organisationsUnnamed, labels.number(reached.unnamed), String(summary.privacyK))))
        }
        return blocks
    }

    public static let organisationsShown = 40

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
        Set(summary.rows.lazy.filter { $0.period == period }.map(\.territory)).subtracting([rollUp]).sorted()
    }

    func stakeholdersOf(_ period: String) -> [String] {
        let present = Set(summary.rows.lazy.filter { $0.period == period }.map(\.stakeholderType))
        let order = labels.stakeholders.ids
        return order.filter(present.contains) + present.subtracting(order + [rollUp]).sorted()
    }
}
