import Foundation
import Testing
import TestSupport
@testable import Pipeline
@testable import Report

/// Writes stay inside the output folder, and only what impact made there is moved or deleted.
@Suite("Output folder safety", .serialized)
struct OutputSafetyTests {
    /// A small generated programme in a fresh folder; its outputs go to `<folder>/out`.
    static func programme(_ name: String) throws -> (folder: String, pipeline: String) {
        let folder = Paths.scratch(name)
        var generator = SeededGenerator(seed: 7)
        return (folder, try RandomProgramme(&generator).write(to: folder))
    }

    static func oneLine(_ result: (code: Int32, out: String, err: String)) -> Bool {
        result.err.split(separator: "\n").count == 1 && result.err.hasPrefix("impact: will not write the outputs: ")
    }

    /// A planted `COMMIT` line `../../victim.txt` would rename a file two levels up: refused, nothing moves.
    @Test func stagingListCannotReachOutsideTheFolder() throws {
        let (folder, pipeline) = try Self.programme("traversal")
        let out = "\(folder)/deep/er/out"
        let staging = "\(out)/.impact-staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try "impact staging folder\n".write(toFile: "\(staging)/.made-by-impact", atomically: true, encoding: .utf8)
        try "../../victim.txt\n".write(toFile: "\(staging)/COMMIT", atomically: true, encoding: .utf8)
        try "precious".write(toFile: "\(folder)/deep/er/victim.txt", atomically: true, encoding: .utf8)
        let result = try runImpact(["run", "--quiet", pipeline, "--output", out])
        #expect(result.code == 2 && Self.oneLine(result), "\(result.err)")
        #expect(result.err.contains("COMMIT") && result.err.contains("../../victim.txt"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/deep/er/victim.txt"))
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/deep/victim.txt"))
        for bad in ["../x.csv", "/etc/x.csv", ".hidden.csv", "a/b.csv", "report.md.sh", ".."] { #expect(!OutputStage.isOutputName(bad), "\(bad)") }
        for good in ["indicators.csv", "report.md", "manifest.json", "reach-2024-2025.svg", "report.html"] { #expect(OutputStage.isOutputName(good)) }
    }

    /// A folder named `.impact-staging` that impact did not make (no marker) is the user's: refused, never deleted.
    @Test func aUsersStagingFolderIsNotDeleted() throws {
        let (folder, pipeline) = try Self.programme("own-staging")
        try FileManager.default.createDirectory(atPath: "\(folder)/out/.impact-staging", withIntermediateDirectories: true)
        try "mine".write(toFile: "\(folder)/out/.impact-staging/notes.txt", atomically: true, encoding: .utf8)
        let result = try runImpact(["run", "--quiet", pipeline])
        #expect(result.code == 2 && Self.oneLine(result), "\(result.err)")
        #expect(result.err.contains("not made by impact"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/out/.impact-staging/notes.txt"))
        // Once it is moved away, the run goes through and cleans up its own staging folder.
        try FileManager.default.moveItem(atPath: "\(folder)/out/.impact-staging", toPath: "\(folder)/kept")
        #expect(try runImpact(["run", "--quiet", pipeline]).code <= 1)
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/out/.impact-staging"))
    }

    /// A run killed between making its staging folder and writing the marker leaves an empty folder:
    /// the next run removes it (nothing can be lost) instead of refusing to run.
    @Test func anEmptyStagingFolderIsRemoved() throws {
        let (folder, pipeline) = try Self.programme("empty-staging")
        try FileManager.default.createDirectory(atPath: "\(folder)/out/.impact-staging", withIntermediateDirectories: true)
        let result = try runImpact(["run", "--quiet", pipeline])
        #expect(result.code <= 1, "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/out/.impact-staging"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/out/indicators.csv"))
    }

    /// A symbolic link at `.impact.lock` is never followed (its target would be truncated): one line, exit 2.
    @Test func lockSymlinkIsRefused() throws {
        let (folder, pipeline) = try Self.programme("lock-link")
        try FileManager.default.createDirectory(atPath: "\(folder)/out", withIntermediateDirectories: true)
        try "precious".write(toFile: "\(folder)/victim.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/out/.impact.lock", withDestinationPath: "\(folder)/victim.txt")
        let result = try runImpact(["run", "--quiet", pipeline])
        #expect(result.code == 2 && Self.oneLine(result), "\(result.err)")
        #expect(result.err.contains(".impact.lock") && result.err.contains("symbolic link"))
        #expect(try String(contentsOfFile: "\(folder)/victim.txt", encoding: .utf8) == "precious")
    }

    /// `/`, the home folder, and a folder holding the inputs or the pipeline file are refused before anything is written.
    @Test func unfitOutputFoldersAreRefused() throws {
        let (folder, pipeline) = try Self.programme("refused")
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        for (output, words) in [("/", "root folder"), (home, "home folder"), (folder, "holds"), ("\(folder)/..", "holds"), ("\(folder)/.", "holds")] {
            let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            #expect(throws: OutputRefused.self, "\(output)") {
                try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(outputFolder: output))
            }
            let result = try runImpact(["run", "--quiet", pipeline, "--output", output])
            #expect(result.code == 2 && Self.oneLine(result) && result.err.contains(words), "\(output): \(result.err)")
            // The message names the output folder refused, as given.
            #expect(result.err.contains("\(output):"), "\(output): \(result.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == before, "nothing written for \(output)")
        }
        // The same for the scheduled job and the merge.
        #expect(throws: OutputRefused.self) {
            try PipelineRefresh.execute(pipelinePath: pipeline, options: RefreshOptions(outputFolder: folder))
        }
    }
}
