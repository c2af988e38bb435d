import Records
import Statistics

/// The perception rows added for a report that claims no more than the data shows: Holm-adjusted
/// p-values, response rates, the shift by format attended, and the baseline of paired respondents
/// against those who answered only before.
extension PerceptionIndicators {
    /// The mean shift and its interval of a histogram of pairs on the integer scale `l`.
    static func shift(_ histogram: [PerceptionAggregate.Pair: Int], _ l: Double) -> (mean: Double, interval: Interval?, n: Int) {
        let (before, after) = expand(histogram, l)
        let summary = PairedSummary(before: before, after: after)
        return (summary.meanDifference, Stats.tInterval(mean: summary.meanDifference, sd: summary.sdDifference, n: before.count), before.count)
    }

    /// `perception_shift_by_action_type` / `…_by_actions_attended` (and `retro_…`): the mean shift of
    /// each dimension among the pairs of respondents found on the sheets of that format, all
    /// territories together, where the respondents' keys link to the sheets (see `responseRates`).
    /// Descriptive: who attended what was not assigned at random.
    public static func formatRows(_ aggregate: PerceptionAggregate) -> [IndicatorRow] {
        let l = Double(aggregate.scale)
        return aggregate.formatPairs.compactMap { key, histogram in
            guard aggregate.linkage[.init(period: key.period, territory: rollUp, stakeholderType: key.stakeholderType, design: nil)]?.links == true
            else { return nil }
            let (mean, interval, n) = shift(histogram, l)
            return IndicatorRow(indicator: .perception(key.breakdown.measure, key.design), period: key.period, territory: rollUp,
                                stakeholderType: key.stakeholderType, dimension: key.dimension, category: key.category,
                                value: mean, n: n, ciLow: interval?.low, ciHigh: interval?.high, status: interval == nil ? .insufficient : .ok)
        }
    }

    /// `response_rate`: among the persons of a type listed on attendance sheets in the period and
    /// territory (`listed`, head counts left out), the share with at least one before/after pair
    /// (`category` = `prospective` or `retrospective`); `n` = the persons listed. When fewer than
    /// half the respondents are found on the sheets, their keys do not link: `insufficient`.
    public static func responseRates(_ aggregate: PerceptionAggregate, listed: [[String]: Int]) -> [IndicatorRow] {
        var rows: [IndicatorRow] = []
        let designs = Set(aggregate.pairs.keys.map { [$0.period, $0.stakeholderType, $0.design.rawValue] })
        for (key, linkage) in aggregate.linkage {
            for design in SurveyDesign.allCases where designs.contains([key.period, key.stakeholderType, design.rawValue]) {
                for (cell, persons) in listed where cell[0] == key.period && cell[2] == key.stakeholderType {
                    let rate = PerceptionAggregate.RateKey(period: key.period, territory: cell[1], stakeholderType: key.stakeholderType, design: design)
                    let answered = aggregate.responded[rate] ?? 0
                    rows.append(IndicatorRow(indicator: .responseRate, period: key.period, territory: cell[1], stakeholderType: key.stakeholderType,
                                             dimension: "design", category: design.rawValue, value: linkage.links ? Double(answered) / Double(persons) : nil,
                                             n: persons, ciLow: nil, ciHigh: nil, status: linkage.links ? .ok : .insufficient))
                }
            }
        }
        return rows
    }

    /// `perception_wilcoxon_p_holm` (and `retro_…`): Holm's adjustment within each family — one
    /// period, territory, stakeholder type and design, at one level (the items, or the dimensions) —
    /// over the p-values published there (a hidden test is no claim). A row follows its p-value's
    /// status.
    public static func holmRows(_ rows: [IndicatorRow]) -> [IndicatorRow] {
        let tests = rows.filter { $0.indicator.perception?.measure == .wilcoxonP }
        let families = Dictionary(grouping: tests) { [$0.indicator.id, $0.period, $0.territory, $0.stakeholderType, $0.dimension] }
        var out: [IndicatorRow] = []
        for (_, family) in families {
            let adjusted = Stats.holm(family.map { $0.status == .ok ? $0.value : nil })
            guard let design = family.first?.indicator.perception?.design else { continue }
            for (row, p) in zip(family, adjusted) {
                out.append(IndicatorRow(indicator: .perception(.wilcoxonPHolm, design), period: row.period, territory: row.territory,
                                        stakeholderType: row.stakeholderType, dimension: row.dimension, category: row.category,
                                        value: row.status == .ok ? p : nil, n: row.n, status: row.status))
            }
        }
        return out
    }

    /// Per period, stakeholder type and dimension (all territories), the "before" mean of the paired
    /// respondents against that of those who answered only before: whether the shift measured on
    /// the pairs may stand for everyone who answered at first.
    public static func baselineGaps(_ aggregate: PerceptionAggregate) -> [BaselineGap] {
        let l = Double(aggregate.scale)
        var gaps: [BaselineGap] = []
        for (key, preOnly) in aggregate.unpairedPre where key.territory == rollUp && key.dimension == "dimension" && key.stakeholderType != rollUp {
            guard let pairs = aggregate.pairs[key] else { continue }
            let paired = expand(pairs, l).before
            let alone = expand(preOnly, l)
            let a = PairedSummary.moments(alone), b = PairedSummary.moments(paired)
            let welch = Stats.welch(meanA: a.mean, varA: a.variance, nA: alone.count, meanB: b.mean, varB: b.variance, nB: paired.count)
            gaps.append(BaselineGap(period: key.period, stakeholderType: key.stakeholderType, dimension: key.category,
                                    paired: paired.count, beforeOnly: alone.count, pairedMean: b.mean, beforeOnlyMean: a.mean,
                                    difference: welch.difference, interval: welch.interval))
        }
        return gaps.sorted { [$0.period, $0.stakeholderType, $0.dimension].lexicographicallyPrecedes([$1.period, $1.stakeholderType, $1.dimension]) }
    }
}

/// The "before" mean of paired respondents against those who answered only before (Welch interval).
public struct BaselineGap: Sendable, Equatable {
    public let period: String
    public let stakeholderType: String
    public let dimension: String
    public let paired: Int
    public let beforeOnly: Int
    public let pairedMean: Double
    public let beforeOnlyMean: Double
    /// Paired − before only.
    public let difference: Double
    public let interval: Interval?

    /// Whether the two groups' baselines differ (the interval excludes 0).
    public var differs: Bool { interval.map { $0.low > 0 || $0.high < 0 } ?? false }
}
