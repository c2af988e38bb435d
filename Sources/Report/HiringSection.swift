import Indicators
import Records

/// The "Recrutements" and "Objectifs" sections.
struct HiringSection {
    let summary: RunSummary
    let labels: Labels
    let charts: [String: ChartFile]
    static let type = HiringIndicators.stakeholderType
    static let steps = HiringIndicators.funnel.map(\.1)

    /// A funnel step's name: retention says it counts only hires whose six months have passed.
    static func stepLabel(_ step: Indicator, _ labels: Labels) -> String {
        step == .retained6m ? labels[.stepRetained] : labels.indicator(step)
    }

    func row(_ indicator: Indicator, _ period: String, _ territory: String = rollUp, dimension: String = "", category: String = "") -> IndicatorRow? {
        summary.row(indicator, period, territory, Self.type, dimension: dimension, category: category)
    }

    func cell(_ r: IndicatorRow?) -> String {
        guard let r else { return "—" }
        if r.status == .suppressed { return labels[.suppressedMark] }
        return r.value.map { labels.number($0) } ?? "—"
    }

    func render() -> [Block] {
        let periods = summary.periods.filter { row(.referrals, $0) != nil || row(.hires, $0) != nil }
        guard !periods.isEmpty else { return [] }
        var blocks: [Block] = [.heading(2, [.text(labels[.hiring])])]
        for period in periods {
            if summary.periods.count > 1 { blocks.append(.heading(3, [.text("\(labels[.period]) \(period)")])) }
            blocks.append(.paragraph(labels.rich(.hiringLead, period, cell(row(.referrals, period)), cell(row(.hires, period)))))
            let territories = Set(summary.rows.filter { $0.period == period && $0.indicator == .referrals }.map(\.territory))
                .subtracting([rollUp]).sorted() + [rollUp]
            let header = territories.map { $0 == rollUp ? labels[.colTotal] : labels.territory($0) }
            blocks.append(.table(Table(header: [labels[.colStep]] + header, rows: Self.steps.map { step in
                [Self.stepLabel(step, labels)] + territories.map { cell(row(step, period, $0)) }
            }, numericFrom: 1)))
            if let chart = charts[ReportCharts.funnelKey(period)] { blocks.append(.figure(Figure(alt: labels[.chartFunnelTitle], chart))) }
            var facts: [Rich] = []
            if let c = row(.conversionReferralToHire, period), c.status == .ok, let v = c.value, let lo = c.ciLow, let hi = c.ciHigh {
                facts.append(labels.rich(.conversionSentence, labels.percent(v), labels.percent(lo), labels.percent(hi), labels.number(c.count)))
            }
            if let d = row(.daysToHireMedian, period), d.status == .ok, let v = d.value {
                facts.append(labels.rich(.delaySentence, labels.number(v, decimals: v == v.rounded() ? 0 : 1), labels.number(d.count)))
            }
            let rule = labels[summary.hiring.durableStrict ? .durableRuleMore : .durableRuleAtLeast]
            if let share = row(.hiresSustainableShare, period), share.status == .ok, let v = share.value, let lo = share.ciLow, let hi = share.ciHigh {
                facts.append(labels.rich(.durableSentence, rule, cell(row(.hiresSustainable, period)), labels.number(share.count),
                                           labels.percent(v), labels.percent(lo), labels.percent(hi)))
            }
            if let unknown = row(.hiresUnknownLength, period), (unknown.value ?? 1) > 0 {
                facts.append(unknown.status == .suppressed ? labels.rich(.unknownLengthHidden) : labels.rich(.unknownLengthSentence, cell(unknown)))
            }
            facts += retention(period)
            if let linked = row(.hiresAfterAction, period), let hires = row(.hires, period) {
                facts.append(labels.rich(.afterActionSentence, cell(linked), cell(hires), String(summary.hiring.linkWindowDays)))
                if let links = linkBreakdown(period) { facts.append(labels.rich(.linkBreakdown, links.candidate, links.employer, links.referrer)) }
            }
            if let before = beforeProgramme(period) { facts.append(before) }
            blocks.append(.list(facts))
            for (dimension, title, column) in [("contract_type", LabelKey.hiringByContract, LabelKey.colContract),
                                               ("referrer_type", .hiringByReferrer, .colReferrer)] {
                let categories = Set(summary.rows.filter { $0.period == period && $0.indicator == .hires && $0.dimension == dimension }.map(\.category)).sorted {
                    ($0 == "unknown" ? 1 : 0, labels.category(dimension, $0)) < ($1 == "unknown" ? 1 : 0, labels.category(dimension, $1))
                }
                guard !categories.isEmpty else { continue }
                blocks.append(.table(Table(title: labels[title], header: [labels[column]] + header, rows: categories.map { category in
                    [labels.category(dimension, category)] + territories.map { t in
                        cell(row(.hires, period, t, dimension: dimension, category: category) ?? zeroRow)
                    }
                }, numericFrom: 1)))
            }
        }
        if blocks.holds(labels[.suppressedMark]) { blocks.append(.note(labels.rich(.suppressedNote, String(summary.privacyK)))) }
        return blocks
    }

    /// A category absent from a territory is a published zero.
    var zeroRow: IndicatorRow { IndicatorRow(indicator: .hires, period: "", territory: "", stakeholderType: "", value: 0, n: 0) }

    /// Key figures for the synthesis: hires, then retention where it can be observed.
    func keyFigures(_ period: String) -> [Rich] {
        guard let hires = row(.hires, period), hires.status == .ok, (hires.value ?? 0) > 0 else { return [] }
        let share = row(.hiresSustainableShare, period)
        let shareText = share?.status == .ok ? share?.value.map(labels.percent) ?? "—" : labels[.suppressedMark]
        var out = [labels.rich(.keyHires, cell(hires), cell(row(.hiresSustainable, period)), shareText, cell(row(.hiresAfterAction, period)))]
        if let retained = row(.retained6mShare, period), retained.status == .ok, let v = retained.value {
            let censored = censoredHires(period)
            out.append(censored.map { labels.rich(.keyRetention, cell(row(.retained6m, period)), labels.number(retained.count), labels.percent(v), labels.number($0)) }
                ?? labels.rich(.keyRetentionHidden, cell(row(.retained6m, period)), labels.number(retained.count), labels.percent(v)))
        }
        return out
    }

    /// Hires too recent for their six months to be observed: hires − the retention share's n, both published.
    func censoredHires(_ period: String, _ territory: String = rollUp) -> Int? {
        guard let hires = row(.hires, period, territory), hires.status == .ok, let h = hires.value,
              let share = row(.retained6mShare, period, territory), share.status == .ok else { return nil }
        return Int(h) - share.count
    }

    /// The retention sentence and the censored hires, as the data allow.
    func retention(_ period: String) -> [Rich] {
        guard let end = summary.hiring.dataEnd else { return [] }
        var out: [Rich] = []
        if let share = row(.retained6mShare, period), share.status == .ok, let v = share.value, let lo = share.ciLow, let hi = share.ciHigh {
            out.append(labels.rich(.retentionSentence, cell(row(.retained6m, period)), labels.number(share.count), labels.date(end),
                                   labels.percent(v), labels.percent(lo), labels.percent(hi)))
        }
        if let censored = censoredHires(period), censored > 0 {
            out.append(labels.rich(.retentionCensored, labels.number(censored), labels.date(end)))
        }
        return out
    }

    /// How linked hires are linked (all territories), when the breakdown is published.
    func linkBreakdown(_ period: String) -> (candidate: String, employer: String, referrer: String)? {
        let parts = ActionLinks.Link.allCases.map { row(.hiresAfterAction, period, dimension: "link", category: $0.rawValue) }
        guard parts.contains(where: { $0 != nil }) else { return nil }
        let cells = parts.map { cell($0 ?? zeroRow) }
        return (cells[0], cells[1], cells[2])
    }

    /// Hires dated before the programme's first action, counted apart.
    func beforeProgramme(_ period: String) -> Rich? {
        guard let start = summary.hiring.programmeStart, let r = row(.hires, period, dimension: "timing", category: "before_first_action") else { return nil }
        return r.status == .suppressed ? labels.rich(.beforeProgrammeHidden, labels.date(start))
                                       : labels.rich(.beforeProgramme, cell(r), labels.date(start))
    }

    /// The targets table (docs/design.md §5 "Targets").
    func targets() -> [Block] {
        let targetRows = summary.rows.filter { $0.dimension == "target" && $0.category == "target" }
        guard !targetRows.isEmpty else { return [] }
        let rows = targetRows.map { t -> [String] in
            let actual = summary.row(t.indicator, t.period, t.territory, t.stakeholderType)
            let attainment = summary.row(t.indicator, t.period, t.territory, t.stakeholderType, dimension: "target", category: "attainment")
            let isShare = t.indicator.unit == .share
            func show(_ v: Double?) -> String { v.map { isShare ? labels.percent($0) : labels.number($0) } ?? "—" }
            let actualText = actual?.status == .suppressed ? labels[.suppressedMark] : show(actual?.value)
            let attainmentText = attainment?.status == .suppressed ? labels[.suppressedMark] : attainment?.value.map(labels.percent) ?? "—"
            // Persons reached that add declared head counts are marked here too (see the reach tables).
            let headCounted = t.indicator == .participants && actual?.status == .ok
                && summary.reach.headCounted[[t.period, t.territory, t.stakeholderType]] != nil
            var actualWithInterval = actualText + (headCounted ? " †" : "")
            if isShare, actual?.status == .ok, let lo = actual?.ciLow, let hi = actual?.ciHigh {
                actualWithInterval += "\u{00A0}[\(labels.percent(lo))\(labels[.intervalSeparator])\(labels.percent(hi))]"
            }
            return [labels.indicator(t.indicator), labels.territory(t.territory), labels.stakeholder(t.stakeholderType),
                    summary.periods.count > 1 ? t.period : nil, show(t.value), actualWithInterval, attainmentText,
                    verdict(t).map { labels[$0] } ?? "—"].compactMap { $0 }
        }
        let header = [labels[.colIndicator].capitalizedFirst, labels[.colTerritory], labels[.colStakeholder].capitalizedFirst]
            + (summary.periods.count > 1 ? [labels[.colPeriod].capitalizedFirst] : [])
            + [labels[.colTarget], labels[.colActual], labels[.colAttainment], labels[.colVerdict]]
        var blocks: [Block] = [.heading(2, [.text(labels[.targets])]), .paragraph(labels.rich(.targetsLead)),
                               .table(Table(header: header, rows: rows, numericFrom: header.count - 4, numericTo: header.count - 2))]
        if blocks.holds(labels[.suppressedMark]) { blocks.append(.note(labels.rich(.suppressedNote, String(summary.privacyK)))) }
        if rows.contains(where: { $0.contains { $0.hasSuffix(" †") } }) { blocks.append(.note(labels.rich(.headCountNote))) }
        return blocks
    }

    /// Met, not met, or — for a share whose 95 % interval holds the target — uncertain; nil when the actual is not published.
    func verdict(_ target: IndicatorRow) -> LabelKey? {
        guard let goal = target.value,
              let actual = summary.row(target.indicator, target.period, target.territory, target.stakeholderType), actual.status == .ok,
              let value = actual.value else { return nil }
        if let low = actual.ciLow, let high = actual.ciHigh {
            return low >= goal ? .verdictMet : high < goal ? .verdictNotMet : .verdictUncertain
        }
        return value >= goal ? .verdictMet : .verdictNotMet
    }

    func targetsKeyFigure() -> Rich? {
        let verdicts = summary.rows.filter { $0.dimension == "target" && $0.category == "target" }.compactMap(verdict)
        guard !verdicts.isEmpty else { return nil }
        func count(_ key: LabelKey) -> String { labels.number(verdicts.filter { $0 == key }.count) }
        return labels.rich(.keyTargets, count(.verdictMet), count(.verdictUncertain), count(.verdictNotMet), labels.number(verdicts.count))
    }
}
