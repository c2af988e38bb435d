import Indicators
import Records

/// The "Limites" section: what the figures do not say, written from this run's data — no comparison
/// group, self-report, response rates and attrition, attribution of hires, head counts, censoring.
struct LimitsSection {
    let summary: RunSummary
    let labels: Labels

    var perception: PerceptionSection { PerceptionSection(summary: summary, labels: labels, charts: [:]) }
    var hiring: HiringSection { HiringSection(summary: summary, labels: labels, charts: [:]) }

    func render() -> [Block] {
        let surveyed = summary.rows.contains { $0.indicator.perception?.measure == .shift }
        let hired = summary.rows.contains { $0.indicator == .hires }
        guard surveyed || hired else { return [] }
        var blocks: [Block] = [.heading(2, [.text(labels[.limits])]), .paragraph(labels.rich(.limitsLead))]
        var items: [Rich] = [labels.rich(.limitNoComparison)]
        if surveyed { items.append(labels.rich(.limitSelfReport)) }
        for period in summary.periods {
            items += responses(period)
            items += headCounts(period)
            items += hires(period)
        }
        items += lowConsistency()
        blocks.append(.list(items))
        return blocks
    }

    /// Response rates (or their bound), respondents not found on the sheets, baselines that differ.
    func responses(_ period: String) -> [Rich] {
        var out: [Rich] = []
        for type in PerceptionSection.types(summary, period, labels: labels) {
            for (design, _, _) in PerceptionSection.designs where !perception.dimensions(period, type, design).isEmpty {
                guard let rate = summary.row(.responseRate, period, rollUp, type, dimension: "design", category: design.rawValue) else { continue }
                let who = labels.stakeholder(type)
                if rate.status == .ok, let value = rate.value {
                    // Territories' rates beside the whole's: attrition may differ from one to another.
                    let byTerritory = summary.rows.filter {
                        $0.indicator == .responseRate && $0.period == period && $0.stakeholderType == type && $0.category == design.rawValue
                            && $0.territory != rollUp && $0.status == .ok
                    }.sorted { $0.territory < $1.territory }.compactMap { r in
                        r.value.map { "\(labels.territory(r.territory))\(labels[.colon])\(labels.percent($0))" }
                    }
                    let rates = ([labels.percent(value)] + (byTerritory.count > 1 ? [byTerritory.joined(separator: ", ")] : []))
                        .joined(separator: labels[.clauseSeparator])
                    out.append(labels.rich(.limitResponse, who, labels.number((value * Double(rate.count)).rounded()), labels.number(rate.count),
                                           rates, labels[design == .retrospective ? .answeredRetrospective : .answeredProspective]))
                } else if rate.status == .insufficient {
                    let pairs = summary.rows.filter {
                        $0.indicator == .perception(.shift, design) && $0.period == period && $0.territory == rollUp && $0.stakeholderType == type && $0.status == .ok
                    }.map(\.count).max() ?? 0
                    let reached = summary.row(.participants, period, rollUp, type)
                    if pairs > 0, let reached, reached.status == .ok {
                        out.append(labels.rich(.limitResponseUnlinked, who, labels.number(pairs), labels.number(reached.count)))
                    }
                }
            }
            if let linkage = summary.perception.linkage[.init(period: period, territory: rollUp, stakeholderType: type, design: nil)], linkage.links {
                let missing = linkage.respondents - linkage.found
                let who = labels.stakeholder(type).lowercased()
                if missing >= summary.privacyK {
                    out.append(labels.rich(.limitNotFound, labels.number(missing), who))
                } else if missing > 0 {
                    out.append(labels.rich(.limitNotFoundHidden, who))
                }
            }
            out += perception.publishedGaps(period, type).filter(\.differs).map(perception.baselineSentence)
        }
        return out
    }

    /// Figures that add declared head counts to distinct persons.
    func headCounts(_ period: String) -> [Rich] {
        let types = labels.stakeholders.ids.filter { summary.reach.headCounted[[period, rollUp, $0]] != nil }
        guard !types.isEmpty, summary.reach.countOnlyActions > 0 else { return [] }
        let figures = types.compactMap { type -> String? in
            guard let row = summary.row(.participants, period, rollUp, type), row.status == .ok, let v = row.value else { return nil }
            return "\(labels.number(v)) \(labels.stakeholder(type).lowercased())"
        }
        guard !figures.isEmpty else { return [] }
        return [labels.rich(.limitHeadCounts, figures.joined(separator: ", "), labels.number(summary.reach.countOnlyActions))]
    }

    /// Attribution of hires, hires before the programme, censoring of retention.
    func hires(_ period: String) -> [Rich] {
        var out: [Rich] = []
        if let linked = hiring.row(.hiresAfterAction, period), linked.status == .ok, (linked.value ?? 0) > 0,
           let links = hiring.linkBreakdown(period) {
            out.append(labels.rich(.limitAttribution, hiring.cell(linked), links.candidate, links.employer, links.referrer,
                                   String(summary.hiring.linkWindowDays)))
        }
        if let before = hiring.beforeProgramme(period) { out.append(before) }
        if let end = summary.hiring.dataEnd, let hires = hiring.row(.hires, period), (hires.value ?? 1) > 0 {
            let source = labels[summary.hiring.dataEndSet ? .dataEndSet : .dataEndLatest]
            if let censored = hiring.censoredHires(period), let share = hiring.row(.retained6mShare, period) {
                out.append(labels.rich(.limitCensoring, labels.date(end), source, labels.number(censored), hiring.cell(hires), labels.number(share.count)))
            } else {
                out.append(labels.rich(.limitCensoringHidden, labels.date(end), source))
            }
        }
        let early = summary.rejectCounts[.retentionTooEarly] ?? 0, orphan = summary.rejectCounts[.retentionWithoutHire] ?? 0
        if early > 0 { out.append(labels.rich(.limitTooEarly, labels.number(early))) }
        if orphan > 0 { out.append(labels.rich(.limitWithoutHire, labels.number(orphan))) }
        return out
    }

    /// Dimensions whose statements hang together too little.
    func lowConsistency() -> [Rich] {
        let threshold = summary.perception.questionnaire.alphaThreshold
        let low = summary.perception.reliability.filter { !$0.suppressed && ($0.alpha ?? 1) < threshold }
        guard !low.isEmpty else { return [] }
        let names = low.map { "\(labels[.quoteOpen])\(labels.dimension($0.dimension))\(labels[.quoteClose]) (\(labels.stakeholder($0.type).lowercased()))" }
        return [labels.rich(.limitLowAlpha, names.joined(separator: ", "), labels.number(threshold, decimals: 2), labels.number(names.count))]
    }
}
