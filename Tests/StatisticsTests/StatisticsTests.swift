import Foundation
import Testing
import TestSupport
@testable import Statistics

/// Every statistic against scipy or a brute-force enumeration (Fixtures/make_statistics.py made
/// Fixtures/statistics.json; its docstring says which reference each value comes from).
@Suite("Statistics against scipy")
struct StatisticsTests {
    struct Fixture: Decodable {
        struct TQuantile: Decodable { let p: Double; let df: Double; let expected: Double }
        struct Paired: Decodable {
            let name: String
            let before: [Double]
            let after: [Double]
            let n: Int
            let pre_mean: Double
            let post_mean: Double
            let shift: Double
            let ci: [Double]?
            let improved: [Double]
            let worsened: [Double]
            let m: Int
            let effect_size: Double?
            let wilcoxon_p: Double?
        }
        struct Welch: Decodable { let a: [Double]; let b: [Double]; let difference: Double; let ci: [Double]; let df: Double }
        struct Cronbach: Decodable { let rows: [[Double]]; let alpha: Double }
        struct Holm: Decodable { let p: [Double]; let adjusted: [Double] }
        let t_quantiles: [TQuantile]
        let paired: [Paired]
        let welch: [Welch]
        let cronbach: [Cronbach]
        let holm: [Holm]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: "\(Paths.root)/Tests/StatisticsTests/Fixtures/statistics.json")
        do { return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)) } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()

    func close(_ a: Double?, _ b: Double?, _ what: String) {
        guard let a, let b else {
            #expect(a == nil && b == nil, "\(what): \(String(describing: a)) vs \(String(describing: b))")
            return
        }
        #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(what): \(a) vs \(b)")
    }

    @Test func fixtureIsLargeEnough() {
        #expect(Self.fixture.paired.count + Self.fixture.welch.count + Self.fixture.cronbach.count >= 20)
        let sizes = Set(Self.fixture.paired.map(\.n))
        for n in [1, 2, 13, 14, 50, 51, 500] { #expect(sizes.contains(n), "n = \(n)") }
    }

    @Test func studentQuantiles() {
        for q in Self.fixture.t_quantiles {
            close(Distributions.studentTQuantile(q.p, df: q.df), q.expected, "t(\(q.p), \(q.df))")
        }
    }

    @Test func pairedStatistics() {
        for c in Self.fixture.paired {
            let d = zip(c.before, c.after).map { $1 - $0 }
            let summary = PairedSummary(before: c.before, after: c.after)
            close(summary.preMean, c.pre_mean, "\(c.name) pre")
            close(summary.postMean, c.post_mean, "\(c.name) post")
            close(summary.meanDifference, c.shift, "\(c.name) shift")
            let ci = Stats.tInterval(mean: summary.meanDifference, sd: summary.sdDifference, n: c.n)
            close(ci?.low, c.ci?[0], "\(c.name) ci low")
            close(ci?.high, c.ci?[1], "\(c.name) ci high")
            for (share, expected, label) in [(d.filter { $0 > 0 }.count, c.improved, "improved"), (d.filter { $0 < 0 }.count, c.worsened, "worsened")] {
                let w = Stats.wilson(successes: share, n: c.n)
                close(Double(share) / Double(c.n), expected[0], "\(c.name) \(label)")
                close(w?.low, expected[1], "\(c.name) \(label) low")
                close(w?.high, expected[2], "\(c.name) \(label) high")
            }
            let test = Stats.signedRank(d)
            #expect(test.m == c.m, "\(c.name) m")
            close(test.p, c.wilcoxon_p, "\(c.name) p")
            close(test.effectSize, c.effect_size, "\(c.name) effect size")
        }
    }

    @Test func welchIntervals() {
        for c in Self.fixture.welch {
            let a = PairedSummary.moments(c.a), b = PairedSummary.moments(c.b)
            let r = Stats.welch(meanA: a.mean, varA: a.variance, nA: c.a.count, meanB: b.mean, varB: b.variance, nB: c.b.count)
            close(r.difference, c.difference, "welch difference")
            close(r.df, c.df, "welch df")
            close(r.interval?.low, c.ci[0], "welch low")
            close(r.interval?.high, c.ci[1], "welch high")
        }
    }

    @Test func cronbach() {
        for c in Self.fixture.cronbach { close(Stats.cronbachAlpha(c.rows), c.alpha, "alpha k=\(c.rows[0].count)") }
    }

    /// Holm against statsmodels' multipletests(method="holm"), ties and families of 1 to 54 included.
    @Test func holmAgainstStatsmodels() {
        #expect(Self.fixture.holm.count >= 10)
        for c in Self.fixture.holm {
            let adjusted = Stats.holm(c.p.map { $0 })
            for (i, expected) in c.adjusted.enumerated() { close(adjusted[i], expected, "holm m=\(c.p.count) #\(i)") }
        }
    }

    /// A missing p-value stays missing and does not count in the family.
    @Test func holmSkipsMissing() {
        let adjusted = Stats.holm([0.01, nil, 0.04])
        close(adjusted[0], 0.02, "first")
        #expect(adjusted[1] == nil)
        close(adjusted[2], 0.04, "last")
    }

    /// The exact p-value equals brute force over all 2^m sign flips, for random tied data.
    @Test func exactWilcoxonEqualsBruteForce() {
        var generator = SystemRandomNumberGenerator()
        for m in [1, 2, 5, 9, 12] {
            let d = (0..<m).map { _ in Double(Int.random(in: -3...3, using: &generator)) }.map { $0 == 0 ? 1 : $0 }
            let (ranks, _) = Stats.midRanks(d.map(abs))
            let observed = zip(d, ranks).filter { $0.0 > 0 }.reduce(0) { $0 + $1.1 }
            var lower = 0, upper = 0
            for mask in 0..<(1 << m) {
                let w = (0..<m).filter { mask & (1 << $0) != 0 }.reduce(0.0) { $0 + ranks[$1] }
                if w <= observed + 1e-9 { lower += 1 }
                if w >= observed - 1e-9 { upper += 1 }
            }
            let expected = min(1, 2 * Double(min(lower, upper)) / Double(1 << m))
            close(Stats.signedRank(d).p, expected, "brute force m=\(m) \(d)")
        }
    }
}
