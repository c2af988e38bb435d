import Records
import Statistics

/// Perception-shift indicators (docs/design.md §5) from the mergeable histograms.
public enum PerceptionIndicators {
    /// Every perception row, with intervals, unprotected (see `unpairedBelow` and `SmallCellProtection`).
    public static func compute(_ aggregate: PerceptionAggregate) -> [IndicatorRow] {
        var rows: [IndicatorRow] = []
        let l = Double(aggregate.scale)
        for (key, histogram) in aggregate.pairs {
            func row(_ measure: PerceptionMeasure, _ value: Double?, n: Int, ci: Interval? = nil, status: IndicatorStatus = .ok) -> IndicatorRow {
                IndicatorRow(indicator: .perception(measure, key.design), period: key.period, territory: key.territory,
                             stakeholderType: key.stakeholderType, dimension: key.dimension, category: key.category,
                             value: value, n: n, ciLow: ci?.low, ciHigh: ci?.high, status: status)
            }
            var before: [Double] = [], after: [Double] = []
            for (pair, count) in histogram.sorted(by: { ($0.key.before, $0.key.after) < ($1.key.before, $1.key.after) }) {
                before += Array(repeating: Double(pair.before) / l, count: count)
                after += Array(repeating: Double(pair.after) / l, count: count)
            }
            let n = before.count
            let summary = PairedSummary(before: before, after: after)
            let differences = zip(before, after).map { $1 - $0 }
            let improved = differences.filter { $0 > 0 }.count
            let worsened = differences.filter { $0 < 0 }.count
            let interval = Stats.tInterval(mean: summary.meanDifference, sd: summary.sdDifference, n: n)
            // Differences are exact on the integer scale, so ties are detected exactly.
            let test = Stats.signedRank(histogram.flatMap { entry in
                Array(repeating: Double(entry.key.after - entry.key.before), count: entry.value)
            }.sorted())
            rows += [
                row(.preMean, summary.preMean, n: n),
                row(.postMean, summary.postMean, n: n),
                row(.shift, summary.meanDifference, n: n, ci: interval, status: interval == nil ? .insufficient : .ok),
                row(.improvedShare, Double(improved) / Double(n), n: n, ci: Stats.wilson(successes: improved, n: n)),
                row(.worsenedShare, Double(worsened) / Double(n), n: n, ci: Stats.wilson(successes: worsened, n: n)),
                row(.wilcoxonP, test.p, n: n, status: test.p == nil ? .insufficient : .ok),
                row(.effectSize, test.effectSize, n: n, status: test.effectSize == nil ? .insufficient : .ok),
            ]
        }
        for (key, pre) in aggregate.unpairedPre {
            guard let post = aggregate.unpairedPost[key] else { continue }
            let a = expand(pre, l), b = expand(post, l)
            let ma = PairedSummary.moments(a), mb = PairedSummary.moments(b)
            let welch = Stats.welch(meanA: ma.mean, varA: ma.variance, nA: a.count, meanB: mb.mean, varB: mb.variance, nB: b.count)
            let row = IndicatorRow(indicator: .perceptionShiftUnpaired, period: key.period, territory: key.territory,
                                   stakeholderType: key.stakeholderType, dimension: key.dimension, category: key.category,
                                   value: welch.difference, n: a.count + b.count, ciLow: welch.interval?.low,
                                   ciHigh: welch.interval?.high, status: welch.interval == nil ? .insufficient : .ok)
            rows.append(row)
        }
        return rows
    }

    /// Keys of the unpaired rows one of whose groups has fewer than `k` respondents: each group is a
    /// set of persons, both must reach k for the difference to be published.
    public static func unpairedBelow(_ k: Int, in aggregate: PerceptionAggregate) -> Set<[String]> {
        Set(aggregate.unpairedPre.compactMap { key, pre in
            guard let post = aggregate.unpairedPost[key], min(pre.values.reduce(0, +), post.values.reduce(0, +)) < k else { return nil }
            return [Indicator.perceptionShiftUnpaired.id, key.period, key.territory, key.stakeholderType, key.dimension, key.category]
        })
    }

    static func expand(_ histogram: [Int: Int], _ l: Double) -> [Double] {
        histogram.sorted { $0.key < $1.key }.flatMap { Array(repeating: Double($0.key) / l, count: $0.value) }
    }

    /// Cronbach's alpha per stakeholder type, design and dimension (on the "before" answers), for the
    /// method section and the low-consistency flags; below `k` respondents neither alpha nor their
    /// number is shown (`n` nil), like any figure on too few persons.
    public static func reliability(_ aggregate: PerceptionAggregate, k: Int) -> [Reliability] {
        aggregate.reliability.sorted { $0.key < $1.key }.map { key, sums in
            let shown = sums.n >= k
            return Reliability(type: key.type, design: key.design, dimension: key.dimension, items: sums.sums.count,
                               n: shown ? sums.n : nil, alpha: shown ? sums.alpha : nil)
        }
    }
}

/// One line of the method section's reliability table.
public struct Reliability: Sendable, Equatable {
    public let type: String
    /// Alpha on the `pre` answers (prospective) or on the "before" column (retrospective).
    public let design: SurveyDesign
    public let dimension: String
    public let items: Int
    /// Complete cases; nil when fewer than k (then `alpha` is nil too).
    public let n: Int?
    public let alpha: Double?
    /// Hidden below k respondents.
    public var suppressed: Bool { n == nil }
}
