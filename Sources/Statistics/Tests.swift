#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A two-sided interval.
public struct Interval: Equatable, Sendable {
    public let low: Double
    public let high: Double
}

/// The statistics of docs/design.md §5, each small and exact.
public enum Stats {
    /// Mean and 95 % Student t interval of paired differences; the interval is nil when n < 2.
    public static func tInterval(mean: Double, sd: Double, n: Int) -> Interval? {
        guard n >= 2, sd.isFinite else { return nil }
        let half = Distributions.studentTQuantile(0.975, df: Double(n - 1)) * sd / Double(n).squareRoot()
        return Interval(low: mean - half, high: mean + half)
    }

    /// 95 % Wilson score interval of `successes` out of `n`.
    public static func wilson(successes: Int, n: Int) -> Interval? {
        guard n > 0 else { return nil }
        let z = Distributions.z975, nn = Double(n), p = Double(successes) / nn
        let denominator = 1 + z * z / nn
        let centre = (p + z * z / (2 * nn)) / denominator
        let half = z / denominator * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot()
        return Interval(low: max(0, centre - half), high: min(1, centre + half))
    }

    /// Welch's difference of means (b − a) with its 95 % interval (Welch–Satterthwaite df).
    public static func welch(meanA: Double, varA: Double, nA: Int, meanB: Double, varB: Double, nB: Int) -> (difference: Double, interval: Interval?, df: Double?) {
        let difference = meanB - meanA
        guard nA >= 2, nB >= 2 else { return (difference, nil, nil) }
        let sa = varA / Double(nA), sb = varB / Double(nB)
        let se2 = sa + sb
        guard se2 > 0 else { return (difference, nil, nil) }
        let df = se2 * se2 / (sa * sa / Double(nA - 1) + sb * sb / Double(nB - 1))
        let half = Distributions.studentTQuantile(0.975, df: df) * se2.squareRoot()
        return (difference, Interval(low: difference - half, high: difference + half), df)
    }

    /// Mid-ranks of `values` (ties get the mean of the ranks they span), 1-based, and the sizes of tie groups.
    public static func midRanks(_ values: [Double]) -> (ranks: [Double], ties: [Int]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var ties: [Int] = []
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = rank }
            ties.append(j - i + 1)
            i = j + 1
        }
        return (ranks, ties)
    }

    /// Wilcoxon signed-rank test on paired differences (zeros dropped, ties mid-ranked).
    public struct SignedRank: Equatable, Sendable {
        /// Non-zero differences.
        public let m: Int
        public let rPlus: Double
        public let rMinus: Double
        /// Two-sided p-value: exact conditional for m ≤ 50, tie-corrected normal above; nil when m = 0.
        public let p: Double?
        /// Matched-pairs rank-biserial correlation (R⁺ − R⁻)/(R⁺ + R⁻); nil when m = 0.
        public var effectSize: Double? { m == 0 ? nil : (rPlus - rMinus) / (rPlus + rMinus) }
        public let exact: Bool
    }

    /// The signed-rank test of `differences`. The exact p-value enumerates every sign assignment
    /// of the observed mid-ranks through a dynamic programme over doubled ranks (integers).
    public static func signedRank(_ differences: [Double], exactUpTo: Int = 50) -> SignedRank {
        let nonZero = differences.filter { $0 != 0 }
        let m = nonZero.count
        guard m > 0 else { return SignedRank(m: 0, rPlus: 0, rMinus: 0, p: nil, exact: true) }
        let (ranks, ties) = midRanks(nonZero.map(abs))
        var rPlus = 0.0
        for (d, r) in zip(nonZero, ranks) where d > 0 { rPlus += r }
        let total = Double(m * (m + 1)) / 2
        let rMinus = total - rPlus
        if m <= exactUpTo {
            // Doubled mid-ranks are whole numbers; count the sign assignments reaching each doubled sum.
            let doubled = ranks.map { Int(($0 * 2).rounded()) }
            let maximum = doubled.reduce(0, +)
            var counts = [Double](repeating: 0, count: maximum + 1)
            counts[0] = 1
            var reach = 0
            for r in doubled {
                for s in stride(from: reach, through: 0, by: -1) where counts[s] != 0 { counts[s + r] += counts[s] }
                reach += r
            }
            let observed = Int((rPlus * 2).rounded())
            let all = counts.reduce(0, +)
            let lower = counts[0...observed].reduce(0, +) / all
            let upper = counts[observed...].reduce(0, +) / all
            return SignedRank(m: m, rPlus: rPlus, rMinus: rMinus, p: min(1, 2 * min(lower, upper)), exact: true)
        }
        let mm = Double(m)
        let tieCorrection = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) } / 48
        let variance = mm * (mm + 1) * (2 * mm + 1) / 24 - tieCorrection
        guard variance > 0 else { return SignedRank(m: m, rPlus: rPlus, rMinus: rMinus, p: nil, exact: false) }
        let z = (rPlus - mm * (mm + 1) / 4) / variance.squareRoot()
        return SignedRank(m: m, rPlus: rPlus, rMinus: rMinus, p: Distributions.normalTwoSidedP(z), exact: false)
    }

    /// Holm's step-down adjusted p-values of one family of tests, in the order given (nil stays nil and
    /// is not counted in the family): sorted ascending, the i-th smallest becomes
    /// max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Ties keep their input order.
    public static func holm(_ pValues: [Double?]) -> [Double?] {
        let present = pValues.indices.filter { pValues[$0] != nil }.sorted { (pValues[$0] ?? 0, $0) < (pValues[$1] ?? 0, $1) }
        let m = present.count
        var adjusted = [Double?](repeating: nil, count: pValues.count)
        var running = 0.0
        for (rank, i) in present.enumerated() {
            running = max(running, min(1, Double(m - rank) * (pValues[i] ?? 1)))
            adjusted[i] = running
        }
        return adjusted
    }

    /// Cronbach's alpha from complete cases (rows: respondents, columns: items); nil when undefined.
    public static func cronbachAlpha(_ rows: [[Double]]) -> Double? {
        guard let k = rows.first?.count else { return nil }
        var sums = [Double](repeating: 0, count: k), squares = sums
        var total = 0.0, totalSquares = 0.0
        for row in rows {
            for (i, v) in row.enumerated() { sums[i] += v; squares[i] += v * v }
            let t = row.reduce(0, +)
            total += t
            totalSquares += t * t
        }
        return cronbachAlpha(n: rows.count, sums: sums, squares: squares, total: total, totalSquares: totalSquares)
    }

    /// Cronbach's alpha from mergeable sums: cases, Σxᵢ and Σxᵢ² per item, Σ and Σ² of the totals.
    public static func cronbachAlpha(n: Int, sums: [Double], squares: [Double], total: Double, totalSquares: Double) -> Double? {
        let k = sums.count
        guard k >= 2, n >= 2 else { return nil }
        let nn = Double(n)
        func variance(_ s: Double, _ q: Double) -> Double { (q - s * s / nn) / (nn - 1) }
        let items = zip(sums, squares).reduce(0) { $0 + variance($1.0, $1.1) }
        let totalVariance = variance(total, totalSquares)
        guard totalVariance > 0 else { return nil }
        return Double(k) / Double(k - 1) * (1 - items / totalVariance)
    }
}
