import Foundation
import Testing
import TestSupport
@testable import Pipeline
import Records

/// Inputs that are not what they claim: special files, unreadable files, folders matched by a glob,
/// a record path that matches nothing. Each makes its source unreadable (one clear line, exit 1)
/// while the others are read; none blocks, none grows without bound.
@Suite("Hostile inputs", .serialized)
struct HostileInputTests {
    static let attendance = "emargements_declic_2024-2025.csv"

    /// Makes a Unix socket at a short path (sun_path holds 108 bytes) and returns it; closed by the caller.
    static func socketFile() -> (path: String, fd: Int32) {
        let path = "/tmp/impact-socket-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
            raw[path.utf8.count] = 0
        }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        return (path, fd)
    }

    /// A FIFO, a link to /dev/zero, a link to a socket and a link to a folder in place of the attendance
    /// export: `run` and `refresh` mark that source unreadable, read the others, exit 1, and return at once.
    @Test(arguments: ["fifo", "device", "socket", "folder"])
    func specialFileIsUnreadableAndNeverBlocks(kind: String) throws {
        let sample = try SampleCopy("special-\(kind)")
        let target = sample.input(Self.attendance)
        try FileManager.default.removeItem(atPath: target)
        var socket: Int32 = -1
        switch kind {
        case "fifo": #expect(mkfifo(target, 0o644) == 0)
        case "device": try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: "/dev/zero")
        case "socket":
            let made = Self.socketFile()
            socket = made.fd
            try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: made.path)
        default: try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: sample.inputs)
        }
        defer { if socket >= 0 { close(socket) } }
        let expected: [String: String] = ["fifo": "not a regular file but a named pipe (FIFO)", "device": "not a regular file but a device",
                                          "socket": "not a regular file but a socket", "folder": "a folder, not a file"]
        for command in ["run", "refresh"] {
            let run = try runImpactBounded([command, sample.pipeline], timeout: 90)
            #expect(!run.timedOut, "\(kind): \(command) blocked")
            #expect(run.code == 1, "\(kind): \(command) exit \(run.code): \(run.err)")
            let line = run.out.split(separator: "\n").first { $0.hasPrefix("emargements:") } ?? ""
            #expect(line.contains("UNREADABLE: inputs/\(Self.attendance): \(expected[kind] ?? "")"), "\(kind): \(command): \(run.out)")
            #expect(run.out.contains("actions: read 44"), "\(kind): \(command): the other sources are read")
            #expect(run.err.isEmpty, "\(kind): \(command): \(run.err)")
            #expect(!FileManager.default.fileExists(atPath: "\(sample.out)/.impact-staging"))
        }
        let rejects = try String(contentsOfFile: "\(sample.out)/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("emargements,inputs/\(Self.attendance),,,source_unreadable,"))
    }

    /// An input the user may not read (mode 000): that source is unreadable with the system's reason,
    /// the run goes on and exits 1 — no Foundation error. As root, the test drops the capabilities
    /// that bypass file permissions (setpriv), so it runs as an ordinary user would.
    @Test func unreadableInputIsThatSourceOnly() throws {
        let sample = try SampleCopy("eacces")
        chmod(sample.input(Self.attendance), 0)
        let wrapper = getuid() == 0 ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"] : []
        let run = try runImpactBounded(["run", sample.pipeline], timeout: 90, wrapper: wrapper)
        #expect(run.code == 1, "exit \(run.code): \(run.err)")
        #expect(!run.err.contains("NSCocoaErrorDomain") && run.err.isEmpty, "\(run.err)")
        #expect(run.out.contains("emargements: read 0, accepted 0, rejected 0, duplicates 0 — UNREADABLE: inputs/\(Self.attendance): cannot open: permission denied"),
                "\(run.out)")
        #expect(run.out.contains("presences-saint-etienne: read"))
    }

    /// `glob: inputs/*` matching folders as well as the export: the folders are skipped with a note,
    /// the export is read, nothing is left in the output folder's staging area.
    @Test func globSkipsFoldersWithANote() throws {
        let sample = try SampleCopy("glob-folders") { try Self.globbed($0, "inputs/emargements/*") }
        try FileManager.default.createDirectory(atPath: "\(sample.inputs)/emargements/archives", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: sample.input(Self.attendance), toPath: "\(sample.inputs)/emargements/\(Self.attendance)")
        let run = try runImpactBounded(["run", sample.pipeline], timeout: 90)
        #expect(run.code == 0, "exit \(run.code): \(run.err)")
        #expect(run.out.contains("note: emargements: skipped inputs/emargements/archives (a folder, not a file)"), "\(run.out)")
        #expect(run.out.contains("emargements: read 375"), "\(run.out)")
        #expect(!FileManager.default.fileExists(atPath: "\(sample.out)/.impact-staging"))
        // A glob matching only folders matches no file: a pipeline-file error, as when it matches nothing.
        let onlyFolders = try SampleCopy("glob-only-folders") { try Self.globbed($0, "inputs/archive*") }
        try FileManager.default.createDirectory(atPath: "\(onlyFolders.inputs)/archives", withIntermediateDirectories: true)
        let run2 = try runImpactBounded(["run", onlyFolders.pipeline], timeout: 90)
        #expect(run2.code == 2)
        #expect(run2.err.hasPrefix("error: \(onlyFolders.pipeline):") && run2.err.contains("no file matches"), "\(run2.err)")
        #expect(run2.err.split(separator: "\n").count == 1)
    }

    /// The attendance source read through `glob` instead of its path.
    static func globbed(_ pipeline: TestPipeline, _ glob: String) throws -> TestPipeline {
        try pipeline.renaming("sources[emargements].path", to: "glob").setting("sources[emargements].glob", glob)
    }

    /// A typo in `xml.record` reads nothing: the source is unreadable and says which element repeats most.
    @Test func recordPathMatchingNothingIsUnreadable() throws {
        let sample = try SampleCopy("record-typo") {
            try $0.setting("sources[presences-saint-etienne].xml.record", "/p:Export/p:Seance/p:Participants")
        }
        let result = try PipelineRun.execute(pipelinePath: sample.pipeline, options: RunOptions(outputFolder: sample.out))
        #expect(result.exitCode == 1)
        let presences = try #require(result.summary.sources.first { $0.name == "presences-saint-etienne" })
        #expect(presences.unreadable == ["inputs/presences_saint-etienne_2024-2025.xml: no element matches `xml.record` /p:Export/p:Seance/p:Participants; the most repeated element is /p:Export/p:Seance/p:Participant (72 times)"],
                "\(presences.unreadable)")
    }
}
