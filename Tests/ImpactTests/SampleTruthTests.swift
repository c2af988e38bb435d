import Foundation
import Testing
import TestSupport
@testable import Indicators
@testable import Pipeline
@testable import Report

/// The sample's new figures against an independent recomputation from inputs/ with pandas, scipy and
/// statsmodels (Fixtures/make_sample_truth.py wrote Fixtures/sample_truth.json; its docstring says
/// how each value was computed): the committed indicators.csv, read back as published, must agree.
@Suite("The sample against pandas, scipy and statsmodels")
struct SampleTruthTests {
    struct Truth: Decodable {
        struct Alpha: Decodable { let type: String; let design: String; let dimension: String; let alpha: Double; let n: Int }
        struct Holm: Decodable { let indicator: String; let type: String; let level: String; let category: String; let p: Double; let holm: Double }
        struct Rate: Decodable { let type: String; let territory: String; let design: String; let persons: Int; let answered: Int; let rate: Double }
        struct Baseline: Decodable { let dimension: String; let paired: Int; let before_only: Int; let difference: Double; let ci: [Double] }
        struct Share: Decodable { let indicator: String; let k: Int; let n: Int; let value: Double; let ci: [Double] }
        struct Format: Decodable { let indicator: String; let type: String; let dimension: String; let category: String; let n: Int; let mean: Double; let ci: [Double] }
        struct Hiring: Decodable { let hires: Int; let before_first_action: Int; let censored: Int; let too_early: Int; let data_end: String }
        let alpha: [Alpha]
        let holm: [Holm]
        let response_rate: [Rate]
        let baseline: [Baseline]
        let shares: [Share]
        let formats: [Format]
        let hiring: Hiring
    }

    static let truth: Truth = {
        let url = URL(fileURLWithPath: "\(Paths.root)/Tests/ImpactTests/Fixtures/sample_truth.json")
        do { return try JSONDecoder().decode(Truth.self, from: Data(contentsOf: url)) } catch { fatalError("cannot read \(url.path): \(error)") }
    }()

    /// Published figures are written with 6 decimals (6 significant digits below 10⁻⁴).
    func close(_ published: Double?, _ expected: Double, _ what: String) {
        let tolerance = abs(expected) < 1e-4 ? abs(expected) * 1e-5 : 5e-7
        #expect(published.map { abs($0 - expected) <= tolerance } == true, "\(what): \(String(describing: published)) vs \(expected)")
    }

    @Test func holmWithinEachFamily() throws {
        let published = try PublishedFigures(folder: EndToEndTests.committed)
        #expect(Self.truth.holm.count == 18)
        for h in Self.truth.holm {
            let raw = published[[String(h.indicator.dropLast("_holm".count)), "2024-2025", "ALL", h.type, h.level, h.category]]
            let adjusted = published[[h.indicator, "2024-2025", "ALL", h.type, h.level, h.category]]
            close(raw?.value, h.p, "\(h.type) \(h.category) p")
            close(adjusted?.value, h.holm, "\(h.type) \(h.category) Holm")
        }
        for h in Self.truth.holm { #expect(h.holm >= h.p) }
    }

    @Test func responseRates() throws {
        let published = try PublishedFigures(folder: EndToEndTests.committed)
        for r in Self.truth.response_rate {
            let f = published[["response_rate", "2024-2025", r.territory, r.type, "design", r.design]]
            #expect(f?.n == r.persons, "\(r.type) \(r.territory) persons")
            close(f?.value, r.rate, "\(r.type) \(r.territory) rate")
        }
    }

    @Test func sharesAndHiring() throws {
        let published = try PublishedFigures(folder: EndToEndTests.committed)
        for s in Self.truth.shares {
            let f = published[[s.indicator, "2024-2025", "ALL", "candidat", "", ""]]
            #expect(f?.n == s.n, "\(s.indicator) n")
            close(f?.value, s.value, s.indicator)
            close(Double(f?.ciLow ?? ""), s.ci[0], "\(s.indicator) low")
            close(Double(f?.ciHigh ?? ""), s.ci[1], "\(s.indicator) high")
        }
        let h = Self.truth.hiring
        #expect(published[["hires", "2024-2025", "ALL", "candidat", "", ""]]?.value == Double(h.hires))
        #expect(published[["hires", "2024-2025", "ALL", "candidat", "timing", "before_first_action"]] != nil)
        let report = try String(contentsOfFile: "\(EndToEndTests.committed)/report.md", encoding: .utf8)
        #expect(report.contains("\(h.censored)\u{00A0}des \(h.hires)\u{00A0}embauches ont moins de six mois"))
        #expect(report.contains("au 16\u{00A0}août 2025") && h.data_end == "2025-08-16")
        let rejects = try String(contentsOfFile: "\(EndToEndTests.committed)/rejects.csv", encoding: .utf8)
        #expect(rejects.split(separator: "\n").filter { $0.contains(",retention_too_early,") }.count == h.too_early)
    }

    @Test func formats() throws {
        let published = try PublishedFigures(folder: EndToEndTests.committed)
        for f in Self.truth.formats {
            let row = published[[f.indicator, "2024-2025", "ALL", f.type, f.dimension, f.category]]
            #expect(row?.n == f.n, "\(f.indicator) \(f.category) n")
            close(row?.value, f.mean, "\(f.indicator) \(f.category)")
            close(Double(row?.ciLow ?? ""), f.ci[0], "\(f.indicator) \(f.category) low")
            close(Double(row?.ciHigh ?? ""), f.ci[1], "\(f.indicator) \(f.category) high")
        }
    }

    /// Alpha on the "before" answers and the baseline comparison are report figures: read from a run.
    @Test func alphaAndBaseline() throws {
        let result = try PipelineRun.execute(pipelinePath: EndToEndTests.pipeline, options: RunOptions(write: false))
        for a in Self.truth.alpha {
            let r = result.summary.perception.reliability.first { $0.type == a.type && $0.design.rawValue == a.design && $0.dimension == a.dimension }
            #expect(r?.n == a.n, "\(a.dimension) n")
            #expect(r?.alpha.map { abs($0 - a.alpha) < 1e-9 } == true, "\(a.dimension): \(String(describing: r?.alpha)) vs \(a.alpha)")
            #expect(a.alpha >= 0.6 && a.alpha <= 0.85, "the sample's items correlate as real Likert items do")
        }
        for b in Self.truth.baseline {
            let g = result.summary.perception.baselineGaps.first { $0.stakeholderType == "prescripteur" && $0.dimension == b.dimension }
            #expect(g?.paired == b.paired && g?.beforeOnly == b.before_only, "\(b.dimension) groups")
            #expect(g.map { abs($0.difference - b.difference) < 1e-9 } == true, "\(b.dimension) difference")
            #expect(g?.interval.map { abs($0.low - b.ci[0]) < 1e-9 && abs($0.high - b.ci[1]) < 1e-9 } == true, "\(b.dimension) interval")
        }
    }
}
