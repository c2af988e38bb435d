import Records
import Statistics

/// Perception-shift indicators (docs/design.md §5) from the mergeable histograms.
public enum PerceptionIndicators {
    /// Every perception row, with intervals, unprotected (see `unpairedBelow` and `SmallCellProtection`).
    /// Each key's rows are computed apart, the keys split into `parts` ranges (`Parallel.map`'s default);
    /// the rows come in the same order whatever the split.
    public static func compute(_ aggregate: PerceptionAggregate, parts: Int? = nil) -> [IndicatorRow] {
        let l = Double(aggregate.scale)
        let paired = Array(aggregate.pairs)
        let unpaired = aggregate.unpairedPre.compactMap { key, pre in aggregate.unpairedPost[key].map { (key: key, pre: pre, post: $0) } }
        return Parallel.map(paired.count + unpaired.count, parts: parts) { range in
            range.flatMap { i in
                if i < paired.count { return pairedRows(paired[i].key, paired[i].value, l) }
                let (key, pre, post) = unpaired[i - paired.count]
                return [unpairedRow(key, pre: pre, post: post, l)]
            }
        }
    }

    /// The paired figures of one key: means, shift and its interval, shares, Wilcoxon test, effect size.
    static func pairedRows(_ key: PerceptionAggregate.Key, _ histogram: [PerceptionAggregate.Pair: Int], _ l: Double) -> [IndicatorRow] {
        func row(_ measure: PerceptionMeasure, _ value: Double?, n: Int, ci: Interval? = nil, status: IndicatorStatus = .ok) -> IndicatorRow {
            IndicatorRow(indicator: .perception(measure, key.design), period: key.period, territory: key.territory,
                         stakeholderType: key.stakeholderType, dimension: key.dimension, category: key.category,
                         value: value, n: n, ciLow: ci?.low, ciHigh: ci?.high, status: status)
        }
        let (before, after) = expand(histogram, l)
        let n = before.count
        let summary = PairedSummary(before: before, after: after)
        var (improved, worsened) = (0, 0)
        for (b, a) in zip(before, after) where a != b { if a - b > 0 { improved += 1 } else { worsened += 1 } }
        let interval = Stats.tInterval(mean: summary.meanDifference, sd: summary.sdDifference, n: n)
        // Differences are exact on the integer scale, so ties are detected exactly.
        var differences: [Double] = []
        differences.reserveCapacity(n)
        for (pair, count) in histogram { differences.append(contentsOf: repeatElement(Double(pair.after - pair.before), count: count)) }
        let test = Stats.signedRank(differences.sorted())
        return [
            row(.preMean, summary.preMean, n: n),
            row(.postMean, summary.postMean, n: n),
            row(.shift, summary.meanDifference, n: n, ci: interval, status: interval == nil ? .insufficient : .ok),
            row(.improvedShare, Double(improved) / Double(n), n: n, ci: Stats.wilson(successes: improved, n: n)),
            row(.worsenedShare, Double(worsened) / Double(n), n: n, ci: Stats.wilson(successes: worsened, n: n)),
            row(.wilcoxonP, test.p, n: n, status: test.p == nil ? .insufficient : .ok),
            row(.effectSize, test.effectSize, n: n, status: test.effectSize == nil ? .insufficient : .ok),
        ]
    }

    /// The difference between the respondents who answered only before and those who answered only after (Welch).
    static func unpairedRow(_ key: PerceptionAggregate.Key, pre: [Int: Int], post: [Int: Int], _ l: Double) -> IndicatorRow {
        let a = expand(pre, l), b = expand(post, l)
        let ma = PairedSummary.moments(a), mb = PairedSummary.moments(b)
        let welch = Stats.welch(meanA: ma.mean, varA: ma.variance, nA: a.count, meanB: mb.mean, varB: mb.variance, nB: b.count)
        return IndicatorRow(indicator: .perceptionShiftUnpaired, period: key.period, territory: key.territory,
                            stakeholderType: key.stakeholderType, dimension: key.dimension, category: key.category,
                            value: welch.difference, n: a.count + b.count, ciLow: welch.interval?.low,
                            ciHigh: welch.interval?.high, status: welch.interval == nil ? .insufficient : .ok)
    }

    /// Keys of the unpaired rows one of whose groups has fewer than `k` respondents: each group is a
    /// set of persons, both must reach k for the difference to be published.
    public static func unpairedBelow(_ k: Int, in aggregate: PerceptionAggregate) -> Set<[String]> {
        Set(aggregate.unpairedPre.compactMap { key, pre in
            guard let post = aggregate.unpairedPost[key], min(pre.values.reduce(0, +), post.values.reduce(0, +)) < k else { return nil }
            return [Indicator.perceptionShiftUnpaired.id, key.period, key.territory, key.stakeholderType, key.dimension, key.category]
        })
    }

    /// A histogram of single values as the values, ascending, on the answers' scale. (Arrays sized
    /// at once: one allocation each, as the perception rows are made on several threads that share
    /// one malloc arena.)
    static func expand(_ histogram: [Int: Int], _ l: Double) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(histogram.values.reduce(0, +))
        for (value, count) in histogram.sorted(by: { $0.key < $1.key }) { values.append(contentsOf: repeatElement(Double(value) / l, count: count)) }
        return values
    }

    /// A histogram of pairs as the before and the after values, in (before, after) order.
    static func expand(_ histogram: [PerceptionAggregate.Pair: Int], _ l: Double) -> (before: [Double], after: [Double]) {
        var before: [Double] = [], after: [Double] = []
        let n = histogram.values.reduce(0, +)
        before.reserveCapacity(n)
        after.reserveCapacity(n)
        for (pair, count) in histogram.sorted(by: { ($0.key.before, $0.key.after) < ($1.key.before, $1.key.after) }) {
            before.append(contentsOf: repeatElement(Double(pair.before) / l, count: count))
            after.append(contentsOf: repeatElement(Double(pair.after) / l, count: count))
        }
        return (before, after)
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
