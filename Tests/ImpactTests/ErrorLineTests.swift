import Foundation
import Testing
import TestSupport
@testable import Pipeline
import PipelineFile
import Records

/// Every exit-2 error is one line: `file:line: key: what was expected`, or `impact: what went wrong:
/// the path: what to do` — never a Foundation error dump, never libxml2's own output.
@Suite("One-line errors", .serialized)
struct ErrorLineTests {
    static func expectOneLine(_ run: BoundedRun, prefix: String, contains: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.code == 2, "exit \(run.code)", sourceLocation: sourceLocation)
        #expect(run.err.hasPrefix(prefix), "\(run.err)", sourceLocation: sourceLocation)
        #expect(run.err.contains(contains), "\(run.err)", sourceLocation: sourceLocation)
        #expect(run.err.hasSuffix("\n") && run.err.split(separator: "\n").count == 1, "\(run.err)", sourceLocation: sourceLocation)
        #expect(!run.err.contains("Domain=") && !run.err.contains("NSCocoa") && !run.err.contains("UserInfo"), sourceLocation: sourceLocation)
        #expect(run.out.isEmpty, "\(run.out)", sourceLocation: sourceLocation)
    }

    /// A key given twice in the pipeline file (190 lines of YAML library output in the issue).
    @Test func duplicateYAMLKey() throws {
        let sample = try SampleCopy("dup-key") { try $0.appending("k: 6", to: "privacy") }
        let line = try String(contentsOfFile: sample.pipeline, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("  k: 6") }.map { $0 + 1 } ?? 0
        Self.expectOneLine(try runImpactBounded(["validate", sample.pipeline], timeout: 60),
                           prefix: "error: \(sample.pipeline):\(line): privacy.k: ", contains: "given twice")
    }

    /// Found by the PipelineFile fuzz target (fuzz/regressions/PipelineFile-duplicate-key-cr-lines): a
    /// key given twice in a file whose lines end with CR alone crashed the loader (the parser counts
    /// CR as a line break, the message's search did not). Now one line, at the key given again.
    @Test func duplicateKeyWithCRLines() throws {
        for newline in ["\r", "\r\n", "\n", "\u{2028}"] {
            let text = ["version: 1", "privacy:", "  k: 5", "  k: 6", ""].joined(separator: newline)
            do {
                _ = try PipelineLoader.parse(text: text, file: "p.yml", baseDirectory: "/tmp")
                Issue.record("loaded")
            } catch let error as PipelineFileError {
                #expect(error.line == 4 && error.key == "privacy.k", "\(newline.unicodeScalars.map(\.value)): \(error)")
            }
        }
        let found = try String(decoding: Data(contentsOf: URL(fileURLWithPath: "\(Paths.root)/fuzz/regressions/PipelineFile-duplicate-key-cr-lines")),
                               as: UTF8.self)
        #expect(throws: PipelineFileError.self) { try PipelineLoader.parse(text: found, file: "p.yml", baseDirectory: "/tmp") }
    }

    /// Found by the PipelineFile fuzz target (fuzz/regressions/PipelineFile-value-with-line-break): a
    /// message quoting a value that holds a line break was two lines. The break is shown as `\n`.
    @Test func quotedValueWithALineBreakStaysOneLine() throws {
        for text in ["|\n  un\n  deux\n", "version: 1\ntitle: [\"a\\nb\"]\n",
                     String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(Paths.root)/fuzz/regressions/PipelineFile-value-with-line-break")), as: UTF8.self)] {
            do {
                _ = try PipelineLoader.parse(text: text, file: "p.yml", baseDirectory: "/tmp")
                Issue.record("loaded: \(text)")
            } catch let error as PipelineFileError {
                #expect(error.description.split(whereSeparator: \.isNewline).count == 1 + error.others.count, "\(error)")
            }
        }
    }

    /// A column XPath that does not compile: one line with the column's own line and key; nothing from libxml2.
    @Test func badColumnXPath() throws {
        let sample = try SampleCopy("bad-xpath") { try $0.setting("sources[presences-saint-etienne].columns.person", "p:Courriel[") }
        let line = try String(contentsOfFile: sample.pipeline, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("p:Courriel[") }.map { $0 + 1 } ?? 0
        Self.expectOneLine(try runImpactBounded(["validate", sample.pipeline], timeout: 60),
                           prefix: "error: \(sample.pipeline):\(line): sources[2].columns.person: ", contains: "'p:Courriel[' is not a valid XPath")
    }

    /// `--output` naming a file.
    @Test func outputPathIsAFile() throws {
        let sample = try SampleCopy("out-file")
        let file = "\(sample.folder)/taken"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        for command in ["run", "refresh"] {
            Self.expectOneLine(try runImpactBounded([command, sample.pipeline, "--output", file], timeout: 60),
                               prefix: "impact: cannot write the outputs: \(file): ", contains: "not a folder")
        }
    }

    /// A full disk: "no space left on device", named as such. Needs a small tmpfs (root).
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func fullDisk() throws {
        let mount = Paths.scratch("full")
        let mounted = Process()
        mounted.executableURL = URL(fileURLWithPath: "/bin/mount")
        mounted.arguments = ["-t", "tmpfs", "-o", "size=48k", "tmpfs", mount]
        try mounted.run()
        mounted.waitUntilExit()
        try #require(mounted.terminationStatus == 0, "could not mount a tmpfs")
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mount]
            try? umount.run()
            umount.waitUntilExit()
        }
        let sample = try SampleCopy("full-run")
        for command in ["run", "refresh"] {
            let run = try runImpactBounded([command, sample.pipeline, "--output", "\(mount)/out"], timeout: 120)
            // `refresh` fills the disk with its store first (out.sqlite, beside the outputs).
            Self.expectOneLine(run, prefix: "impact: cannot write the ", contains: "\(mount)/out")
            #expect(run.err.contains("no space left on device (ENOSPC)"), "\(run.err)")
            #expect(!FileManager.default.fileExists(atPath: "\(mount)/out/.impact-staging"), "\(command) left its staging folder")
        }
    }

    /// A store path that is a folder, a state file that is not one, a missing preview file.
    @Test func storeStateAndPreviewErrors() throws {
        let sample = try SampleCopy("store-dir") { try $0.appending("store: store", to: "outputs") }
        try FileManager.default.createDirectory(atPath: "\(sample.folder)/store", withIntermediateDirectories: true)
        let refresh = try runImpactBounded(["refresh", sample.pipeline], timeout: 60)
        Self.expectOneLine(refresh, prefix: "impact: ", contains: "\(sample.folder)/store")
        let merge = try runImpactBounded(["merge", sample.pipeline, sample.input("actions_declic_2024-2025.csv")], timeout: 60)
        Self.expectOneLine(merge, prefix: "impact: ", contains: "actions_declic_2024-2025.csv")
        let preview = try runImpactBounded(["preview", "\(sample.folder)/absent.csv"], timeout: 60)
        Self.expectOneLine(preview, prefix: "impact: cannot read \(sample.folder)/absent.csv: ", contains: "no such file")
    }

    /// `impact preview` of a FIFO says what it is instead of waiting for a writer.
    @Test func previewOfAFIFO() throws {
        let fifo = "\(Paths.scratch("fifo"))/export.csv"
        #expect(mkfifo(fifo, 0o644) == 0)
        let run = try runImpactBounded(["preview", fifo], timeout: 30)
        #expect(!run.timedOut)
        Self.expectOneLine(run, prefix: "impact: cannot read \(fifo): ", contains: "not a regular file but a named pipe (FIFO)")
    }
}
