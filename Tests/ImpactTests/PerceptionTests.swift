import Foundation
import Testing
import TestSupport
@testable import Indicators
@testable import Pipeline
@testable import Records
@testable import Report

@Suite("Perception shift", .serialized)
struct PerceptionTests {
    /// A two-item dimension, `b` reverse-coded; five advisers before and after, with NSP and blanks.
    static let csv = """
    id,territoire,date,vague,a,b
    R1,Lyon,01/02/2025,avant,Plutôt pas d'accord,Tout à fait d'accord
    R1,Lyon,01/06/2025,après,Plutôt d'accord,Plutôt pas d'accord
    R2,Lyon,01/02/2025,avant,3,NSP
    R2,Lyon,01/06/2025,après,5,1
    R3,Lyon,01/02/2025,avant,,2
    R3,Lyon,01/06/2025,après,4,2
    R4,Lyon,01/02/2025,avant,1,5
    R4,Lyon,01/06/2025,après,2,4
    R5,Lyon,01/02/2025,avant,2,4
    R5,Lyon,01/06/2025,après,3,3

    """

    static func pipeline(folder: String, k: Int) -> String {
        """
        outputs: {folder: out}
        privacy: {k: \(k)}
        vocabularies:
          territory: {lyon: [Lyon]}
        questionnaire:
          items:
            a: {label: "A", dimension: d}
            b: {label: "B (négative)", dimension: d, reverse: true}
        sources:
          - name: q
            kind: responses
            path: q.csv
            stakeholder_type: prescripteur
            wave: column
            columns: {respondent: id, territory: territoire, date: date, wave: vague}
            items: {a: a, b: b}
        """
    }

    static func run(k: Int = 3) throws -> RunSummary {
        let folder = Paths.scratch("perception")
        try csv.write(toFile: "\(folder)/q.csv", atomically: true, encoding: .utf8)
        try pipeline(folder: folder, k: k).write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        return try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(write: false)).summary
    }

    /// Hand-computed (b reversed: 6 − x; NSP and blank missing; a dimension score needs half its
    /// items, the same at both times):
    /// item a pairs (2,4) (3,5) (1,2) (2,3) → before 2.0, after 3.5, shift 1.5, n 4 (R3 has no "before").
    /// item b pairs (1,4) (4,4) (1,2) (2,3) → before 2.0, after 3.25, n 4 (R2's "before" is NSP).
    /// dimension d: R1 1.5→4, R2 3→5 (a only), R3 4→4 (b only), R4 1→2, R5 2→3:
    /// before 2.3, after 3.6, shift 1.3, improved 4/5; Wilcoxon on (2.5, 2, 0, 1, 1): zero dropped,
    /// mid-ranks 1.5, 1.5, 3, 4 all positive → exact p = 2 × 1/16 = 0.125, rank-biserial 1.
    @Test func reverseCodingAndMissingAnswersByHand() throws {
        let s = try Self.run()
        func w(_ indicator: Indicator, _ dimension: String, _ category: String) -> IndicatorRow? {
            s.row(indicator, "2025", "lyon", "prescripteur", dimension: dimension, category: category)
        }
        #expect(w(.perceptionPreMean, "item", "a")?.value == 2.0)
        #expect(w(.perceptionPostMean, "item", "a")?.value == 3.5)
        #expect(w(.perceptionShift, "item", "a")?.n == 4)
        #expect(w(.perceptionPreMean, "item", "b")?.value == 2.0)
        #expect(w(.perceptionPostMean, "item", "b")?.value == 3.25)
        #expect(abs((w(.perceptionPreMean, "dimension", "d")?.value ?? 0) - 2.3) < 1e-12)
        #expect(abs((w(.perceptionPostMean, "dimension", "d")?.value ?? 0) - 3.6) < 1e-12)
        #expect(abs((w(.perceptionShift, "dimension", "d")?.value ?? 0) - 1.3) < 1e-12)
        #expect(w(.perceptionShift, "dimension", "d")?.n == 5)
        #expect(w(.perceptionImprovedShare, "dimension", "d")?.value == 0.8)
        #expect(w(.perceptionWilcoxonP, "dimension", "d")?.value == 0.125)
        #expect(w(.perceptionEffectSize, "dimension", "d")?.value == 1)
    }

    /// No figure resting on fewer than k respondents shows a value in any output.
    @Test func smallGroupsAreHiddenEverywhere() throws {
        let folder = Paths.scratch("k")
        let pipeline = try TestPipeline.sample().inputs("\(Paths.root)/inputs")
        try pipeline.setting("privacy.k", "20").write(to: "\(folder)/p.yml")
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
        // A target's own value is the evaluator's number, not a figure about persons: it stays.
        let small = result.unprotectedRows.filter {
            $0.indicator.isPersonBased && $0.count < 20 && !($0.value == 0 && $0.count == 0) && $0.category != "target"
        }
        #expect(!small.isEmpty)
        let published = Dictionary(result.summary.rows.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for row in small.compactMap({ published[$0.key] }) {
            #expect(row.status == .suppressed && row.value == nil && row.n == nil && row.ciLow == nil, "\(row.key)")
        }
        for (file, separator) in [("indicators.csv", ","), ("indicators-excel.csv", ";")] {
            let lines = try String(contentsOfFile: "\(folder)/out/\(file)", encoding: .utf8).split(separator: "\n").dropFirst()
            for line in lines where line.contains("perception") {
                let cells = line.split(separator: Character(separator), omittingEmptySubsequences: false)
                guard let n = Int(cells[cells.count - 4]), n < 20 else { continue }
                #expect(cells[cells.count - 5].isEmpty && cells[cells.count - 3].isEmpty, "\(file): \(line)")
            }
        }
        // Lyon's 19 industrial respondents: every figure of theirs is the secrecy mark in the report.
        let report = try String(contentsOfFile: "\(folder)/out/report.md", encoding: .utf8)
        let lyon = report.split(separator: "\n").filter { $0.hasPrefix("| Regard sur les personnes en reconversion | Lyon |") }
        #expect(lyon == ["| Regard sur les personnes en reconversion | Lyon | s | s | s | s | s |"])

        // With k above every industrial group (55 respondents), their chart is not drawn at all.
        try pipeline.setting("privacy.k", "60").write(to: "\(folder)/p.yml")
        _ = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out60"))
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/out60")
        #expect(!files.contains { $0.hasPrefix("perceived-shift-industriel") })
        #expect(files.contains { $0.hasPrefix("shift-prescripteur") })  // 87–91 pairs: still drawn
    }

    /// Partitions by respondent, aggregated apart and merged, give the whole's figures.
    @Test func mergingPartitionsEqualsWhole() throws {
        let q = Questionnaire(items: [.init(id: "a", label: "A", dimension: "d", reverse: false),
                                      .init(id: "b", label: "B", dimension: "d", reverse: true),
                                      .init(id: "c", label: "C", dimension: "e", reverse: false)],
                              dimensions: [("d", "D"), ("e", "E")], scale: .init(name: "s"), missing: .init(name: "m"), waves: .init(name: "w"))
        var whole = PerceptionState(questionnaire: q, scheme: .calendarYear)
        var halves = [PerceptionState(questionnaire: q, scheme: .calendarYear), PerceptionState(questionnaire: q, scheme: .calendarYear)]
        var generator = SeededGenerator(seed: 7)
        for r in 0..<300 {
            let territory = r % 3 == 0 ? "lyon" : "ste"
            for wave in [Wave.pre, .post, .retrospective] where Int.random(in: 0..<10, using: &generator) < 8 {
                let answers = (0..<3).map { _ in UInt8.random(in: 0...5, using: &generator) }
                let before = wave == .retrospective ? (0..<3).map { _ in UInt8.random(in: 0...5, using: &generator) } : []
                let response = SurveyResponse(respondent: UInt64(r), stakeholderType: r % 2 == 0 ? "prescripteur" : "industriel",
                                              territory: territory, date: CalendarDate(year: 2025, month: 3, day: 1 + r % 28)!,
                                              wave: wave, answers: answers, before: before, location: .init(source: "t", line: r))
                _ = whole.add(response, source: 0)
                _ = halves[r % 2].add(response, source: 0)
            }
        }
        var merged = halves[0].aggregate()
        merged.merge(halves[1].aggregate())
        #expect(merged == whole.aggregate())
        let a = PerceptionIndicators.compute(merged).sortedByKey()
        let b = PerceptionIndicators.compute(whole.aggregate()).sortedByKey()
        #expect(a == b)
        #expect(a.count > 100)
    }

    @Test func latestAnswerInAWaveWins() throws {
        let q = Questionnaire(items: [.init(id: "a", label: "A", dimension: "d", reverse: false)], dimensions: [("d", "D")],
                              scale: .init(name: "s"), missing: .init(name: "m"), waves: .init(name: "w"))
        var state = PerceptionState(questionnaire: q, scheme: .calendarYear)
        func response(_ day: Int, _ value: UInt8, _ wave: Wave) -> SurveyResponse {
            SurveyResponse(respondent: 1, stakeholderType: "prescripteur", territory: "lyon", date: CalendarDate(year: 2025, month: 5, day: day)!,
                           wave: wave, answers: [value], before: [], location: .init(source: "t", line: day))
        }
        #expect(state.add(response(1, 2, .pre), source: 0) == nil)
        #expect(state.add(response(10, 4, .post), source: 1) == nil)
        #expect(state.add(response(20, 5, .post), source: 1) == 1)  // the earlier post answer gives way
        #expect(state.add(response(5, 1, .post), source: 2) == 2)   // an older one arriving later is the duplicate
        let pairs = state.aggregate().pairs.first { $0.key.territory == "lyon" && $0.key.stakeholderType == "prescripteur" && $0.key.dimension == "item" }
        let scale = state.aggregate().scale
        #expect(pairs?.value == [PerceptionAggregate.Pair(before: 2 * scale, after: 5 * scale): 1])
    }
}
