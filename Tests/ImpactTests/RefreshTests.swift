import Foundation
import Testing
import TestSupport
@testable import Pipeline
@testable import Store

/// `impact refresh` against `impact run`: idempotent, incremental, corrections, pruning, history.
@Suite("Refresh and store", .serialized)
struct RefreshTests {
    /// A copy of the sample whose attendance sheet is read from `inputs/emargements_*.csv` (a glob), so
    /// tests can drop exports in and take them out.
    struct Workspace {
        let folder: String
        var pipeline: String { "\(folder)/p.yml" }
        var inputs: String { "\(folder)/inputs" }
        var out: String { "\(folder)/out" }
        let header: String
        let lines: [String]

        /// `key`: a key file for the pipeline file's `privacy.key_file` (else the store's own key file).
        init(_ name: String, key: String? = nil) throws {
            folder = Paths.scratch(name)
            try FileManager.default.createDirectory(atPath: "\(folder)/inputs", withIntermediateDirectories: true)
            for file in try FileManager.default.contentsOfDirectory(atPath: "\(Paths.root)/inputs") where !file.hasPrefix("emargements") {
                try FileManager.default.copyItem(atPath: "\(Paths.root)/inputs/\(file)", toPath: "\(folder)/inputs/\(file)")
            }
            var pipeline = try TestPipeline.sample().inputs("inputs").output("out").renaming("sources[emargements].path", to: "glob")
                .setting("sources[emargements].glob", "inputs/emargements_*.csv")
            if let key { pipeline = try pipeline.setting("privacy.key_file", key) }
            try pipeline.write(to: "\(folder)/p.yml")
            let sheet = try String(contentsOfFile: "\(Paths.root)/inputs/emargements_declic_2024-2025.csv", encoding: .utf8)
            let all = sheet.split(whereSeparator: \.isNewline).map(String.init)
            header = all[0]
            lines = Array(all.dropFirst())
        }

        /// Writes an export holding data lines `range` of the sample's attendance sheet.
        func export(_ name: String, _ range: Range<Int>, edit: (String) -> String = { $0 }) throws {
            let body = ([header] + lines[range].map(edit)).joined(separator: "\n") + "\n"
            try body.write(toFile: "\(inputs)/emargements_\(name).csv", atomically: true, encoding: .utf8)
        }

        func refresh(prune: Bool = false) throws -> RefreshResult {
            try PipelineRefresh.execute(pipelinePath: pipeline, options: RefreshOptions(prune: prune))
        }

        /// indicators.csv of a clean `impact run` on the current inputs (no store).
        func cleanRun() throws -> String {
            let folder = Paths.scratch("clean")
            _ = try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(outputFolder: folder))
            return try String(contentsOfFile: "\(folder)/indicators.csv", encoding: .utf8)
        }

        func indicators() throws -> String { try String(contentsOfFile: "\(out)/indicators.csv", encoding: .utf8) }
    }

    static func modified(_ path: String) throws -> Date {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date ?? .distantPast
    }

    @Test func secondRefreshOnSameInputsWritesNothing() throws {
        let w = try Workspace("idem")
        try w.export("all", 0..<w.lines.count)
        let first = try w.refresh()
        #expect(first.changed && first.exitCode == 0)
        #expect(try w.indicators() == (try String(contentsOfFile: "\(Paths.root)/outputs/declic-industrie/indicators.csv", encoding: .utf8)))
        let stamps = try ["indicators.csv", "report.md", "manifest.json", "rejects.csv"].map { try Self.modified("\(w.out)/\($0)") }
        let storeStamp = try Self.modified("\(w.folder)/out.sqlite")
        Thread.sleep(forTimeInterval: 0.05)
        let second = try w.refresh()
        #expect(!second.changed && second.run == nil && second.exitCode == 0)
        #expect(second.files.allSatisfy { $0.kind == .unchanged })
        #expect(try ["indicators.csv", "report.md", "manifest.json", "rejects.csv"].map { try Self.modified("\(w.out)/\($0)") } == stamps)
        #expect(try Self.modified("\(w.folder)/out.sqlite") == storeStamp)
        // The scheduled job is silent when nothing changed, and says so with --verbose.
        let quiet = try runImpact(["refresh", w.pipeline])
        #expect(quiet.code == 0 && quiet.out.isEmpty && quiet.err.isEmpty)
        let verbose = try runImpact(["refresh", "--verbose", w.pipeline])
        #expect(verbose.code == 0 && verbose.out.contains("no change"))
        // Outputs deleted by hand are written again.
        try FileManager.default.removeItem(atPath: "\(w.out)/report.md")
        #expect(try w.refresh().changed)
        #expect(FileManager.default.fileExists(atPath: "\(w.out)/report.md"))
    }

    /// The files of a store from before formats were kept (migration v6-input-format leaves a CSV or XML
    /// file's format empty) are replayed under their source's format: the manifest says what a run says.
    @Test func filesOfAnOlderStoreTakeTheirSourcesFormat() throws {
        let w = try Workspace("older-formats")
        try w.export("all", 0..<w.lines.count)
        _ = try w.refresh()
        let fields = ["path", "format", "encoding", "delimiter"]
        let read = try manifestInputs(w.out, fields: fields)
        #expect(Set(read.compactMap { $0["format"] }) == ["csv", "xml", "spreadsheetml"])
        try ImpactStore(path: "\(w.folder)/out.sqlite", access: .snapshots).transaction { tx in try tx.db.execute(sql: "UPDATE file SET format = ''") }
        try FileManager.default.removeItem(atPath: "\(w.out)/manifest.json")
        #expect(try w.refresh().changed)
        #expect(try manifestInputs(w.out, fields: fields) == read)
    }

    @Test func overlappingExportAddsOnlyItsNewHalf() throws {
        let w = try Workspace("overlap")
        let n = w.lines.count, third = n / 3
        try w.export("2025-01", 0..<2 * third)
        _ = try w.refresh()
        // The next export repeats the second half of the previous one: half of it is old.
        try w.export("2025-06", third..<n)
        let result = try w.refresh()
        let file = try #require(result.files.first { $0.path.hasSuffix("emargements_2025-06.csv") })
        #expect(file.kind == .new)
        let counts = try #require(file.counts)
        #expect(counts.physical == n - third)
        #expect(counts.known >= third && counts.known <= third + 2)  // the overlap (plus the sample's own repeated line)
        #expect(counts.added + counts.known + counts.rejected == counts.physical && counts.replaced == 0)
        // The store holds each attendance line once.
        let store = try ImpactStore(path: "\(w.folder)/out.sqlite", access: .snapshots)
        let stored = try store.read { tx in try tx.files().filter { $0.source == "emargements" }.reduce(0) { $0 + $1.added } }
        #expect(stored == counts.added + (try store.read { try $0.files().first { $0.path.hasSuffix("2025-01.csv") }?.added ?? 0 }))
        // Indicators equal a full run on the union, and the sample's (the union is the whole sheet).
        let clean = try w.cleanRun()
        #expect(try w.indicators() == clean)
        #expect(clean == (try String(contentsOfFile: "\(Paths.root)/outputs/declic-industrie/indicators.csv", encoding: .utf8)))
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func correctedFileReplacesItsRecordsAndTheReportSaysHowMany() throws {
        let w = try Workspace("corrected")
        let n = w.lines.count, half = n / 2
        try w.export("a", 0..<half)
        try w.export("b", half..<n)
        _ = try w.refresh()
        // The partner re-sends export a with two people's profile corrected.
        func key(_ line: String) -> String {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f.count > 4 ? "\(f[1])|\(f[4].lowercased())" : line
        }
        let keyCounts = Dictionary(w.lines.map { (key($0), 1) }, uniquingKeysWith: +)
        let targets = Set(w.lines[0..<half].enumerated().filter {
            $0.element.hasSuffix(",Conseiller France Travail") && keyCounts[key($0.element)] == 1
        }.prefix(2).map(\.offset))
        #expect(targets.count == 2)
        var index = -1
        try w.export("a", 0..<half) { line in
            index += 1
            return targets.contains(index) ? line.replacing(",Conseiller France Travail", with: ",Entreprise industrielle") : line
        }
        let result = try w.refresh()
        #expect(result.files.first { $0.path.hasSuffix("emargements_a.csv") }?.kind == .changed)
        #expect(result.replaced == 2)
        #expect(try w.indicators() == (try w.cleanRun()))
        let report = try String(contentsOfFile: "\(w.out)/report.md", encoding: .utf8)
        #expect(report.contains("2\u{00A0}enregistrements de `emargements` ont été remplacés par une version corrigée"))
        // The history section compares with the previous refresh.
        #expect(report.contains("Évolution depuis la dernière actualisation"))
        let history = try runImpact(["history", w.pipeline, "--indicator", "participants", "--type", "industriel", "--csv"])
        #expect(history.code == 0)
        let rows = history.out.split(separator: "\n")
        #expect(rows.count == 3)  // header + two snapshots
        #expect(rows.last?.hasSuffix(",2") == true)  // two more industrial staff than at the previous snapshot
    }

    @Test func vanishedFileKeepsItsRecordsUnlessPruned() throws {
        let w = try Workspace("prune")
        let n = w.lines.count, half = n / 2
        try w.export("a", 0..<half)
        try w.export("b", half..<n)
        _ = try w.refresh()
        let before = try w.indicators()
        try FileManager.default.removeItem(atPath: "\(w.inputs)/emargements_a.csv")
        let kept = try w.refresh()
        #expect(kept.files.contains { $0.kind == .vanished })
        #expect(try w.indicators() == before)
        let pruned = try w.refresh(prune: true)
        #expect(pruned.files.contains { $0.kind == .pruned })
        #expect(try w.indicators() == (try w.cleanRun()))
        #expect(try w.indicators() != before)
    }

    @Test func lockStopsASecondWriterWithExit75() throws {
        let w = try Workspace("lock")
        try w.export("all", 0..<w.lines.count)
        let held = try RunLock.acquire(folder: w.out, wait: false)
        let busy = try runImpact(["refresh", "--log-format", "json", w.pipeline])
        #expect(busy.code == 75)
        #expect(busy.err.contains("\"event\":\"error\"") && busy.err.contains("another impact run or refresh"))
        held.release()
        let json = try runImpact(["refresh", "--log-format", "json", w.pipeline])
        #expect(json.code == 0 && json.out.isEmpty)
        let events = json.err.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(events.first?["event"] as? String == "start")
        #expect(events.last?["event"] as? String == "end")
        #expect(events.last?["duration_s"] is Double)
        #expect(events.contains { $0["event"] as? String == "source" && $0["source"] as? String == "emargements" && $0["read"] as? Int == w.lines.count })
    }

    /// kill -9 at random moments: the store stays sound, the outputs whole, and the next refresh catches up.
    @Test func killedRefreshesLeaveAConsistentStore() throws {
        let w = try Workspace("kill")
        var random = SeededGenerator(seed: 20261123)
        let n = w.lines.count
        var killed = 0
        for round in 0..<20 {
            // Each round brings an export overlapping the previous ones, so the refresh has work to do.
            let start = (round * 37) % n
            try w.export(String(format: "r%02d", round), start..<min(n, start + 120))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Paths.executable)
            process.arguments = ["refresh", w.pipeline]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: Double.random(in: 0.0...0.5, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killed += 1 }
            if FileManager.default.fileExists(atPath: "\(w.folder)/out.sqlite") {
                #expect(try ImpactStore(path: "\(w.folder)/out.sqlite", access: .snapshots).integrityCheck() == "ok", "round \(round)")
            }
            // Whatever is in the output folder is a whole set: every file the manifest lists, complete.
            if let manifest = FileManager.default.contents(atPath: "\(w.out)/manifest.json") {
                let object = try #require(try JSONSerialization.jsonObject(with: manifest) as? [String: Any])
                for name in (object["outputs"] as? [String]) ?? [] {
                    let data = try #require(FileManager.default.contents(atPath: "\(w.out)/\(name)"), "round \(round): \(name) missing")
                    #expect(data.last == UInt8(ascii: "\n") || name.hasSuffix(".svg"), "round \(round): \(name) truncated")
                }
            }
            let next = try w.refresh()
            #expect(next.exitCode == 0)
            #expect(!FileManager.default.fileExists(atPath: "\(w.out)/.impact-staging"))
            #expect(try w.indicators() == (try w.cleanRun()), "round \(round)")
        }
        // Most rounds must really have been cut short, or the test proves nothing.
        #expect(killed >= 10, "only \(killed) of 20 refreshes were killed before they finished")
    }
}
