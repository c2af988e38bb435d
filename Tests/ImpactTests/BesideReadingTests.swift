import Foundation
import InputFiles
import Testing
import TestSupport
@testable import Pipeline
import PipelineFile
import Records
import Report

/// Surveys and hiring logs read on another thread while the actions and attendance are read here
/// (`BesideReading`): every output is the one of reading the sources in turn, whatever the order of
/// the sources in the pipeline file, and rejects.csv keeps the reading order.
@Suite("Sources read beside the attendance", .serialized)
struct BesideReadingTests {
    static let besideNote = BesideReading.note

    static func reject(_ source: String, _ n: Int) -> Reject {
        let reasons = RejectReason.allCases
        return Reject(location: RecordLocation(source: source, line: n + 2), field: "f\(n % 3)", value: "v\(n)",
                      reason: reasons[n % reasons.count], message: "m\(n)")
    }

    /// A companion log merged at marks gives the log of appending in that order: the same rejects.csv
    /// bytes, sample (a small one, so that cuts fall before, in and after it), counts and total.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func mergedLogEqualsOneLog(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let folder = Paths.scratch("reject-merge-\(seed)")
        let limit = Int.random(in: 1...12, using: &random)
        let main = try RejectLog(path: "\(folder)/a/rejects.csv", sampleLimit: limit)
        let one = try RejectLog(path: "\(folder)/b/rejects.csv", sampleLimit: limit)
        let side = try main.companion("beside")
        var cuts: [(there: RejectLog.Mark, here: RejectLog.Mark)] = []
        var n = 0
        // Sources in reading order, each read here or beside, with 0 to 40 rejects (a few with 9,000: past a flush).
        for source in 0..<Int.random(in: 1...9, using: &random) {
            let count = Int.random(in: 0...10, using: &random) == 0 ? 9_000 : Int.random(in: 0...40, using: &random)
            let besides = Bool.random(using: &random)
            let here = main.mark
            for _ in 0..<count {
                let r = Self.reject("s\(source)", n)
                n += 1
                one.append(r)
                (besides ? side : main).append(r)
            }
            if besides { cuts.append((side.mark, here)) }
        }
        if cuts.isEmpty { cuts.append((side.mark, main.mark)) }
        main.merge(side, cuts: cuts)
        #expect(main.total == one.total)
        #expect(main.sample.map(\.message) == one.sample.map(\.message))
        #expect(main.countsByReason == one.countsByReason)
        #expect(main.countsBySource == one.countsBySource)
        try main.commit(render: { $0.uppercased() })
        try one.commit(render: { $0.uppercased() })
        let merged = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/a/rejects.csv"))
        #expect(merged == (try Data(contentsOf: URL(fileURLWithPath: "\(folder)/b/rejects.csv"))))
        #expect(String(decoding: merged, as: UTF8.self).split(separator: "\n").count == n + 1)
        // The companion's temporary file goes with it.
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/a")
        #expect(left == ["rejects.csv"], "\(left)")
    }

    /// The sample pipeline with its sources reordered so that sources read beside come first, between
    /// and last (a survey before the attendance, the hiring log between two attendance sources): the
    /// outputs are byte-identical read beside or in turn, and the stages are logged in reading order.
    @Test func besideEqualsInTurn() throws {
        var text = try String(contentsOfFile: "\(Paths.root)/pipelines/declic-industrie.yml", encoding: .utf8)
        text = text.replacing("../inputs/", with: "\(Paths.root)/inputs/")
        guard let start = text.range(of: "\nsources:\n") else { Issue.record("no sources section"); return }
        let blocks = text[start.upperBound...].components(separatedBy: "\n  - name: ").filter { !$0.isEmpty }
            .map { $0.hasPrefix("  - name: ") ? String($0.dropFirst(10)) : $0 }
        func block(_ name: String) -> String {
            blocks.first { $0.hasPrefix(name + "\n") }.map { "  - name: " + $0.trimmingCharacters(in: .newlines) } ?? ""
        }
        let order = ["questionnaire-conseillers", "emargements", "parcours", "presences-saint-etienne", "actions", "questionnaire-industriels"]
        #expect(order.allSatisfy { !block($0).isEmpty }, "the sample's sources were renamed: update this test")
        let folder = Paths.scratch("beside")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pipeline = "\(folder)/p.yml"
        try (String(text[..<start.upperBound]) + order.map(block).joined(separator: "\n") + "\n").write(toFile: pipeline, atomically: true, encoding: .utf8)

        var inTurn = RunOptions(outputFolder: "\(folder)/in-turn")
        inTurn.besideLimit = 0
        let a = try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(outputFolder: "\(folder)/beside"))
        let b = try PipelineRun.execute(pipelinePath: pipeline, options: inTurn)
        #expect(a.written == b.written)
        for name in a.written where name != "manifest.json" {
            #expect(a.outputHashes[name] == b.outputHashes[name], "\(name) differs")
        }
        let manifest = { (run: String) in
            try String(contentsOfFile: "\(folder)/\(run)/manifest.json", encoding: .utf8).split(separator: "\n").filter { !$0.contains("_at\"") }
        }
        #expect(try manifest("beside") == manifest("in-turn"))
        // Nothing else in the outputs (the companion log's temporary file is gone).
        let outputs = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/beside").filter { $0 != ".impact.lock" }.sorted()
        #expect(outputs == a.written.sorted(), "\(outputs)")
        let reads = { (r: RunResult) in r.timings.filter { $0.stage == "read" }.compactMap(\.source) }
        #expect(reads(a) == ["actions", "questionnaire-conseillers", "emargements", "parcours", "presences-saint-etienne", "questionnaire-industriels"])
        #expect(reads(a) == reads(b))
        if Cores.available > 1 {
            #expect(a.timings.filter { $0.note?.hasSuffix(Self.besideNote) == true }.compactMap(\.source)
                    == ["questionnaire-conseillers", "parcours", "questionnaire-industriels"])
        }
        #expect(!b.timings.contains { $0.note?.hasSuffix(Self.besideNote) == true })
        // The sample rejects records of surveys and of the hiring log: the merge is exercised.
        let rejects = try String(contentsOfFile: "\(folder)/beside/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("questionnaire-conseillers,") && rejects.contains("parcours,") && rejects.contains("emargements,"))
    }

    /// Surveys and hiring logs are read beside only up to `besideLimit` bytes of their files (their
    /// aggregates grow while the attendance is read): one byte more, and every source is read in turn.
    @Test func largeSurveysAreReadInTurn() throws {
        guard Cores.available > 1 else { return }
        let pipeline = try LoadedPipeline(path: "\(Paths.root)/pipelines/declic-industrie.yml")
        let besideFiles = pipeline.config.sources.filter { Ingestion.goesBeside($0.kind) }.flatMap(\.files)
        let total = Ingestion.bytes(of: besideFiles)
        #expect(total > 0)
        for (limit, beside) in [(total, true), (total - 1, false)] {
            var options = RunOptions(write: false)
            options.besideLimit = limit
            let run = try PipelineRun.execute(pipelinePath: "\(Paths.root)/pipelines/declic-industrie.yml", options: options)
            #expect(run.timings.contains { $0.note?.hasSuffix(Self.besideNote) == true } == beside, "limit \(limit) of \(total) bytes")
        }
    }

    /// A workbook weighs more than the limit, whatever its packed size (its sheets' XML may be many times larger).
    @Test func workbooksAreReadInTurn() throws {
        for name in ["questionnaire_conseillers.xlsx", "questionnaire_conseillers.ods"] {
            let file = "\(Paths.root)/Tests/ImpactTests/Fixtures/\(name)"
            #expect(FileManager.default.fileExists(atPath: file))
            #expect(Ingestion.bytes(of: [file]) > Ingestion.besideByteLimit, "\(name)")
        }
        #expect(Ingestion.bytes(of: ["\(Paths.root)/inputs/questionnaire_conseillers_2024-2025.csv"]) < 1 << 20)
    }

    /// A symbolic link to an input weighs what its target does, for the beside limit and the progress
    /// line alike (`InputFile.size`: the progress line read the link's own size).
    @Test func aLinkWeighsItsTarget() throws {
        let target = "\(Paths.root)/inputs/questionnaire_conseillers_2024-2025.csv"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("impact-link-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let link = "\(folder)/answers.csv"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let size = try #require(InputFile.size(target))
        #expect(size > 1_000)
        #expect(InputFile.size(link) == size)
        #expect(Ingestion.bytes(of: [link]) == size)
        #expect(InputFile.size("\(folder)/missing.csv") == nil)
        #expect(Ingestion.bytes(of: ["\(folder)/missing.csv"]) == 0)
    }

    /// Sources read at once count together on the progress line, from the first's start to the last's end.
    @Test func progressCountsSourcesReadAtOnce() throws {
        let progress = ReadProgress()
        progress.begin(source: "a", totalBytes: 100)
        progress.add(bytes: 10)
        progress.begin(source: "b", totalBytes: 50)
        progress.add(bytes: 5)
        let both = try #require(progress.snapshot())
        #expect(both.source == "a, b" && both.totalBytes == 150 && both.bytes == 15)
        progress.end(source: "a")
        #expect(progress.snapshot()?.source == "b")
        progress.end(source: "b")
        #expect(progress.snapshot() == nil)
        progress.begin(source: "c", totalBytes: 7)
        #expect(progress.snapshot()?.bytes == 0)
    }
}
