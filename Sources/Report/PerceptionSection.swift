import Indicators
import Records

/// The "Évolution des perceptions" section: per stakeholder type and design, one sentence per
/// clear change, tables with the shares improved and worsened, a chart, the statements, the
/// change by format attended, and for before/after questionnaires who answered only once.
struct PerceptionSection {
    let summary: RunSummary
    let labels: Labels
    /// Chart per "period/type/design".
    let charts: [String: ChartFile]

    static let designs = [(SurveyDesign.prospective, LabelKey.perceptionProspective, LabelKey.perceptionProspectiveLead),
                          (.retrospective, LabelKey.perceptionRetrospective, LabelKey.perceptionRetrospectiveLead)]

    /// Stakeholder types with perception figures in `period`, in vocabulary order.
    static func types(_ summary: RunSummary, _ period: String, labels: Labels) -> [String] {
        let present = summary.perceptionTypes(period)
        return labels.stakeholders.ids.filter(present.contains)
    }

    func render() -> [Block] {
        guard summary.rows.contains(where: { $0.indicator.perception?.measure == .shift }) else { return [] }
        var blocks: [Block] = [.heading(2, [.text(labels[.perception])])]
        var flagged = false
        for period in summary.periods {
            if summary.periods.count > 1 { blocks.append(.heading(3, [.text("\(labels[.period]) \(period)")])) }
            for type in Self.types(summary, period, labels: labels) {
                for (design, title, lead) in Self.designs {
                    let dims = dimensions(period, type, design)
                    guard !dims.isEmpty else { continue }
                    blocks += [.heading(3, [.text("\(labels.stakeholder(type)) — \(labels[title])")]), .paragraph(labels.rich(lead))]
                    let sentences = dims.compactMap { sentence(period, rollUp, type, design, $0) }
                    blocks.append(sentences.isEmpty ? .paragraph(labels.rich(.noSignificant)) : .list(sentences))
                    blocks.append(.table(dimensionTable(period, type, design, dims)))
                    flagged = flagged || dims.contains { lowConsistency(type, design, $0) }
                    if let chart = charts[ReportCharts.shiftKey(period, type, design)] { blocks.append(.figure(Figure(alt: labels[.chartShiftTitle], chart))) }
                    blocks += itemTable(period, type, design)
                    blocks += formats(period, type, design, dims)
                    if design == .prospective { blocks += unpaired(period, type, dims) + baseline(period, type) }
                }
            }
        }
        if flagged { blocks.append(.note(labels.rich(.lowAlphaNote, labels.number(summary.perception.questionnaire.alphaThreshold, decimals: 2)))) }
        if blocks.holds(labels[.suppressedMark]) { blocks.append(.note(labels.rich(.suppressedNote, String(summary.privacyK)))) }
        return blocks
    }

    func dimensions(_ period: String, _ type: String, _ design: SurveyDesign) -> [String] {
        let present = summary.shiftDimensions(design, period, type)
        return summary.perception.questionnaire.dimensions.map(\.id).filter(present.contains)
    }

    /// What a figure says: a clear favourable or unfavourable change (Holm-adjusted p < 0.05 and an
    /// interval that excludes 0), no clear change, or nothing published.
    enum Clarity { case up, down, none, hidden }

    func clarity(_ period: String, _ territory: String, _ type: String, _ design: SurveyDesign, _ level: String, _ category: String) -> Clarity {
        guard let shift = summary.row(.perception(.shift, design), period, territory, type, dimension: level, category: category),
              shift.status == .ok, let value = shift.value else { return .hidden }
        guard let low = shift.ciLow, let high = shift.ciHigh,
              let p = summary.row(.perception(.wilcoxonPHolm, design), period, territory, type, dimension: level, category: category)?.value,
              p < 0.05, low > 0 || high < 0 else { return .none }
        return value > 0 ? .up : .down
    }

    /// Whether a dimension's items hang together too little for its composite to be read (alpha on
    /// the "before" answers below the threshold; a one-item dimension has no alpha and is its item).
    func lowConsistency(_ type: String, _ design: SurveyDesign, _ dimension: String) -> Bool {
        guard let r = summary.perception.reliability.first(where: { $0.type == type && $0.design == design && $0.dimension == dimension }),
              let alpha = r.alpha else { return false }
        return alpha < summary.perception.questionnaire.alphaThreshold
    }

    func items(of dimension: String) -> [Questionnaire.Item] { summary.perception.questionnaire.items.filter { $0.dimension == dimension } }

    /// A dimension's label, with "(a single statement)" when it has one item.
    func dimensionLabel(_ dimension: String) -> String {
        labels.dimension(dimension) + (items(of: dimension).count == 1 ? labels[.oneItemSuffix] : "")
    }

    /// "Prescripteurs : « Attractivité », évolution favorable nette de +0,55 point…" for a clear change.
    func sentence(_ period: String, _ territory: String, _ type: String, _ design: SurveyDesign, _ dimension: String) -> Rich? {
        let clear = clarity(period, territory, type, design, "dimension", dimension)
        guard clear == .up || clear == .down else { return nil }
        func row(_ measure: PerceptionMeasure) -> IndicatorRow? {
            summary.row(.perception(measure, design), period, territory, type, dimension: "dimension", category: dimension)
        }
        guard let shift = row(.shift), let value = shift.value, let low = shift.ciLow, let high = shift.ciHigh,
              let p = row(.wilcoxonPHolm)?.value else { return nil }
        let reversed = items(of: dimension).allSatisfy(\.reverse)
        let agreement = reversed ? labels.format(.reversedDimension, labels[value > 0 ? .agreementFell : .agreementRose]) : ""
        return labels.rich(.significantSentence, labels.stakeholder(type), dimensionLabel(dimension), labels[value > 0 ? .shiftUp : .shiftDown],
                           labels.signed(value), labels.bound(low), labels.bound(high), share(row(.improvedShare)), share(row(.worsenedShare)),
                           labels.number(shift.count), labels.pValue(p), agreement)
    }

    func share(_ row: IndicatorRow?) -> String { row?.value.map(labels.percent) ?? "—" }

    func dimensionTable(_ period: String, _ type: String, _ design: SurveyDesign, _ dims: [String]) -> Table {
        let territories = Set(summary.rows.filter { $0.period == period && $0.indicator == .perception(.shift, design) && $0.stakeholderType == type }
            .map(\.territory)).subtracting([rollUp]).sorted() + [rollUp]
        var rows: [[String]] = []
        for dimension in dims {
            let label = labels.dimension(dimension) + (lowConsistency(type, design, dimension) ? " " + labels[.lowAlphaMark] : "")
            for territory in territories {
                rows.append([label, labels.territory(territory)] + figures(period, territory, type, design, "dimension", dimension))
            }
        }
        return Table(header: [labels[.colDimension2], labels[.colTerritory], labels[.colBeforeAfter], labels[.colShift],
                              labels[.colImproved], labels[.colWorsened], labels[.colN]], rows: rows, numericFrom: 2)
    }

    /// Every statement, all territories. A negatively worded one is shown as answered (agreement
    /// before → after, its change in that direction), its shares improved and worsened as for the others.
    func itemTable(_ period: String, _ type: String, _ design: SurveyDesign) -> [Block] {
        let rows = summary.perception.questionnaire.items.compactMap { item -> [String]? in
            guard summary.row(.perception(.shift, design), period, rollUp, type, dimension: "item", category: item.id) != nil else { return nil }
            let label = item.reverse ? "\(labels.item(item.id)) ⟲" : labels.item(item.id)
            return [label] + figures(period, rollUp, type, design, "item", item.id, asAnswered: item.reverse)
        }
        var blocks: [Block] = [.table(Table(title: labels[.perceptionByItem],
                                            header: [labels[.colItem], labels[.colBeforeAfter], labels[.colShift], labels[.colImproved],
                                                     labels[.colWorsened], labels[.colN]],
                                            rows: rows, numericFrom: 1))]
        if summary.perception.questionnaire.items.contains(where: \.reverse) { blocks.append(.note(labels.rich(.reverseFootnote))) }
        return blocks
    }

    /// Before → after, change [interval], shares improved and worsened, n — or the secrecy mark.
    /// `asAnswered`: a reverse-coded statement's means and change on the agreement scale as asked.
    func figures(_ period: String, _ territory: String, _ type: String, _ design: SurveyDesign, _ dimension: String, _ category: String,
                 asAnswered: Bool = false) -> [String] {
        func row(_ measure: PerceptionMeasure) -> IndicatorRow? {
            summary.row(.perception(measure, design), period, territory, type, dimension: dimension, category: category)
        }
        guard let shift = row(.shift) else { return Array(repeating: "—", count: 5) }
        guard shift.status != .suppressed, let value = shift.value else { return Array(repeating: labels[.suppressedMark], count: 5) }
        func mean(_ v: Double?) -> String { v.map { labels.number(asAnswered ? 6 - $0 : $0, decimals: 2) } ?? "—" }
        var change = labels.signed(asAnswered ? -value : value)
        if let low = shift.ciLow, let high = shift.ciHigh { change += asAnswered ? labels.interval(-high, -low) : labels.interval(low, high) }
        return ["\(mean(row(.preMean)?.value)) → \(mean(row(.postMean)?.value))", change, share(row(.improvedShare)),
                share(row(.worsenedShare)), labels.number(shift.count)]
    }

    /// The change of each dimension by the type of action attended and by the number of actions
    /// attended (respondents found on the sheets), with a plain warning that it is not causal.
    func formats(_ period: String, _ type: String, _ design: SurveyDesign, _ dims: [String]) -> [Block] {
        let byType = Indicator.perception(.shiftByActionType, design), byNumber = Indicator.perception(.shiftByActionsAttended, design)
        let mine = summary.rows.filter {
            $0.period == period && $0.stakeholderType == type && $0.territory == rollUp && ($0.indicator == byType || $0.indicator == byNumber)
        }
        guard !mine.isEmpty else { return [] }
        let actionTypes = Set(mine.filter { $0.indicator == byType }.map(\.category)).sorted { labels.actionType($0) < labels.actionType($1) }
        let counts: [(String, LabelKey)] = [("1", .oneAction), ("2", .twoActions), ("3+", .threeActions)]
        let lines = actionTypes.map { (byType, $0, labels.actionType($0)) }
            + counts.filter { c in mine.contains { $0.indicator == byNumber && $0.category == c.0 } }
                .map { (byNumber, $0.0, labels[$0.1]) }
        let rows = lines.map { indicator, category, label -> [String] in
            [label] + dims.map { dimension in
                guard let r = summary.row(indicator, period, rollUp, type, dimension: dimension, category: category) else { return "—" }
                guard r.status != .suppressed, let value = r.value else { return labels[.suppressedMark] }
                let interval = r.ciLow.flatMap { low in r.ciHigh.map { labels.interval(low, $0) } } ?? ""
                return "\(labels.signed(value))\(interval) (\(labels.number(r.count)))"
            }
        }
        return [.paragraph([.strong([.text(labels[.formatsTitle])])]), .paragraph(labels.rich(.formatsLead)),
                .table(Table(header: [labels[.colFormat]] + dims.map(labels.dimension), rows: rows, numericFrom: 1))]
    }

    func unpaired(_ period: String, _ type: String, _ dims: [String]) -> [Block] {
        let rows = dims.compactMap { dimension -> [String]? in
            guard let r = summary.row(.perceptionShiftUnpaired, period, rollUp, type, dimension: "dimension", category: dimension) else { return nil }
            guard r.status != .suppressed, let value = r.value else {
                return [labels.dimension(dimension), labels[.suppressedMark], labels[.suppressedMark]]
            }
            var text = labels.signed(value)
            if let low = r.ciLow, let high = r.ciHigh { text += labels.interval(low, high) }
            return [labels.dimension(dimension), text, labels.number(r.count)]
        }
        guard !rows.isEmpty else { return [] }
        return [.paragraph(labels.rich(.unpairedLead)),
                .table(Table(header: [labels[.colDimension2], labels[.colPreOnly], labels[.colPostOnly]], rows: rows, numericFrom: 1))]
    }

    /// Whether the paired respondents started where those who answered only before did.
    func baseline(_ period: String, _ type: String) -> [Block] {
        let gaps = publishedGaps(period, type)
        guard !gaps.isEmpty else { return [] }
        let differing = gaps.filter(\.differs)
        guard !differing.isEmpty else { return [.paragraph(labels.rich(.baselineSame, labels.stakeholder(type).lowercased()))] }
        return [.list(differing.map(baselineSentence))]
    }

    func baselineSentence(_ gap: BaselineGap) -> Rich {
        labels.rich(.baselineSentence, labels.stakeholder(gap.stakeholderType).lowercased(),
                    labels[gap.difference < 0 ? .baselineHigher : .baselineLower], labels.dimension(gap.dimension),
                    labels.number(gap.beforeOnlyMean, decimals: 2), labels.number(gap.pairedMean, decimals: 2),
                    labels.signed(gap.difference), gap.interval.map { labels.interval($0.low, $0.high) } ?? "")
    }

    /// Baseline comparisons that may be shown: both groups of at least k persons, the paired figures
    /// published, and the unpaired row (whose n adds the "after only" group) published or absent.
    func publishedGaps(_ period: String, _ type: String) -> [BaselineGap] {
        summary.perception.baselineGaps.filter { gap in
            guard gap.period == period, gap.stakeholderType == type, gap.paired >= summary.privacyK, gap.beforeOnly >= summary.privacyK,
                  summary.row(.perceptionShift, period, rollUp, type, dimension: "dimension", category: gap.dimension)?.status == .ok
            else { return false }
            let unpaired = summary.row(.perceptionShiftUnpaired, period, rollUp, type, dimension: "dimension", category: gap.dimension)
            return unpaired == nil || unpaired?.status != .suppressed
        }
    }

    /// Cronbach's alpha lines for the method section.
    func reliability() -> [Block] {
        guard !summary.perception.reliability.isEmpty else { return [] }
        let threshold = summary.perception.questionnaire.alphaThreshold
        let rows = summary.perception.reliability.map { r -> [String] in
            let flag = (r.alpha ?? 1) < 0 ? " ⚠" : (r.alpha ?? 1) < threshold ? " ⚑" : ""
            // Below k respondents neither alpha nor their number is shown.
            let alpha = r.suppressed ? labels[.suppressedMark] : r.alpha.map { labels.number($0, decimals: 2) + flag } ?? "—"
            return [labels.stakeholder(r.type), labels.dimension(r.dimension), labels[r.design == .retrospective ? .answersRetro : .answersPre],
                    labels.number(r.items), r.n.map { labels.number($0) } ?? labels[.suppressedMark], alpha]
        }
        var notes: [Block] = []
        // The warnings go under the table: a sentence in a number column would not fit a printed page.
        if summary.perception.reliability.contains(where: { !$0.suppressed && ($0.alpha ?? 1) < threshold && ($0.alpha ?? 1) >= 0 }) {
            notes.append(.note(labels.rich(.alphaLow, labels.number(threshold, decimals: 2))))
        }
        if summary.perception.reliability.contains(where: { !$0.suppressed && ($0.alpha ?? 0) < 0 }) {
            notes.append(.note([.text("⚠ " + labels[.alphaNegative] + ".")]))
        }
        return [.paragraph(labels.rich(.reliabilityLead, String(summary.privacyK), labels.number(threshold, decimals: 2))), .table(Table(
            header: [labels[.colStakeholder].capitalizedFirst, labels[.colDimension2], labels[.colAnswers], labels[.colItems], labels[.colN],
                     labels[.colAlpha]],
            rows: rows, numericFrom: 3))] + notes
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
