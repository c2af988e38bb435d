import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// Partitioned runs (`impact run --emit-state`) merged (`impact merge`) give the whole run's outputs.
@Suite("Partitions and merge", .serialized)
struct MergeTests {
    /// A key file the partitions and their merge share.
    static func sharedKey() throws -> String {
        let path = "\(Paths.scratch("key"))/programme.key"
        try PseudonymKeys.make(path)
        return path
    }

    /// The sample pipeline file keeping only the sources named (paths made absolute), under the key at
    /// `key` (none: no `privacy.key_file`).
    static func partition(_ names: Set<String>, into folder: String, key: String?) throws -> String {
        var pipeline = try TestPipeline.sample().inputs("\(Paths.root)/inputs").output("\(folder)/out").keepingSources(names)
        if let key { pipeline = try pipeline.setting("privacy.key_file", key) }
        return try pipeline.write(to: "\(folder)/p.yml")
    }

    static func outputs(_ folder: String) throws -> [String: String] { try EndToEndTests.contents(folder) }

    @Test func twoPartitionsMergedEqualTheWholeRun() throws {
        let a = Paths.scratch("part-a"), b = Paths.scratch("part-b"), merged = Paths.scratch("merged"), key = try Self.sharedKey()
        let pa = try Self.partition(["actions", "emargements", "questionnaire-conseillers"], into: a, key: key)
        let pb = try Self.partition(["presences-saint-etienne", "questionnaire-industriels", "parcours"], into: b, key: key)
        // Partition b has no actions: its attendance lines are linked at the merge, not before.
        let ra = try runImpact(["run", "--quiet", pa, "--emit-state", "\(a)/state.sqlite"])
        let rb = try runImpact(["run", "--quiet", pb, "--emit-state", "\(b)/state.sqlite"])
        #expect(ra.code == 0, "\(ra.err)")
        #expect(rb.code <= 1, "\(rb.err)")
        let whole = try Self.partition(["actions", "emargements", "questionnaire-conseillers", "presences-saint-etienne",
                                        "questionnaire-industriels", "parcours"], into: Paths.scratch("whole"), key: key)
        let merge = try runImpact(["merge", "--quiet", whole, "\(a)/state.sqlite", "\(b)/state.sqlite", "--output", merged])
        #expect(merge.code == 0, "\(merge.err)")
        let fresh = try Self.outputs(merged), committed = try Self.outputs("\(Paths.root)/outputs/declic-industrie")
        #expect(Set(fresh.keys) == Set(committed.keys))
        // Input paths are relative to each partition's pipeline file: the provenance lines differ, nothing else.
        // (and the whole's pipeline file is a copy naming the shared key).
        func withoutPaths(_ text: String?) -> String {
            (text ?? "").split(separator: "\n").filter { !$0.contains("inputs/") && !$0.contains(".yml` (SHA-256") && !$0.contains("yml</code> (SHA-256") }.joined(separator: "\n")
        }
        for (name, text) in fresh where name != "manifest.json" {
            #expect(withoutPaths(text) == withoutPaths(committed[name]), "\(name) differs between the merge and the whole run")
        }
        // The order the states are given in does not change the figures here (no record is in both).
        let swapped = Paths.scratch("swapped")
        _ = try runImpact(["merge", "--quiet", whole, "\(b)/state.sqlite", "\(a)/state.sqlite", "--output", swapped])
        #expect(try String(contentsOfFile: "\(swapped)/indicators.csv", encoding: .utf8) == committed["indicators.csv"])
    }

    /// Partitions by file whose exports overlap: the merge de-duplicates across them as one run does.
    @Test func overlappingPartitionsAreDeduplicatedAtTheMerge() throws {
        let key = try Self.sharedKey()
        let whole = try RefreshTests.Workspace("whole", key: key)
        let n = whole.lines.count
        try whole.export("a", 0..<(2 * n / 3))
        try whole.export("b", (n / 3)..<n)
        let wholeRun = Paths.scratch("whole-run")
        _ = try PipelineRun.execute(pipelinePath: whole.pipeline, options: RunOptions(outputFolder: wholeRun))
        var states: [String] = []
        for (name, range) in [("a", 0..<(2 * n / 3)), ("b", (n / 3)..<n)] {
            let part = try RefreshTests.Workspace("part-\(name)", key: key)
            try part.export(name, range)
            var options = RunOptions(outputFolder: "\(part.folder)/out")
            options.emitState = "\(part.folder)/state.sqlite"
            // Both partitions also read every other source: the merge sees them twice and counts them once.
            _ = try PipelineRun.execute(pipelinePath: part.pipeline, options: options)
            states.append(options.emitState ?? "")
        }
        let merged = Paths.scratch("merged-overlap")
        let result = try PipelineMerge.execute(pipelinePath: whole.pipeline, states: states, options: RunOptions(outputFolder: merged))
        #expect(try String(contentsOfFile: "\(merged)/indicators.csv", encoding: .utf8)
                == (try String(contentsOfFile: "\(wholeRun)/indicators.csv", encoding: .utf8)))
        let attendance = try #require(result.summary.sources.first { $0.name == "emargements" })
        #expect(attendance.tally.read == (2 * n / 3) + (n - n / 3))
        #expect(attendance.tally.reconciles)
    }
}
