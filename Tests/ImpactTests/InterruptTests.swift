import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// Ctrl-C or a scheduler's SIGTERM during a run: one line, the previous outputs kept, no temporary
/// file left; and the spill folders of a run that crashed are removed by the next one.
@Suite("Interruptions", .serialized)
struct InterruptTests {
    /// The sample with an attendance export of 300,000 lines (more than one in-memory buffer of
    /// 262,144 lines, so sorted runs are spilled to TMPDIR).
    static func largeSample() throws -> SampleCopy {
        let sample = try SampleCopy("interrupt") {
            try $0.removing("sources[emargements].columns.last_name").removing("sources[emargements].columns.first_name")
        }
        var text = "Code action,E-mail,Profil,Structure\n"
        text.reserveCapacity(16_000_000)
        let actions = ["LYO-2401", "LYO-2402", "STE-2402", "STE-2410", "LYO-2507", "LYO-2511"]
        for i in 0..<300_000 { text += "\(actions[i % actions.count]),p\(i % 120_000)@exemple.fr,Industriel,Société \(i % 500)\n" }
        try text.write(toFile: sample.input("emargements_declic_2024-2025.csv"), atomically: true, encoding: .utf8)
        return sample
    }

    static func spillFolders(_ tmp: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasPrefix("impact-participations.") }
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func signalLeavesNothingBehind(signal: Int32, code: Int32) throws {
        let sample = try Self.largeSample()
        // A first, complete run: the outputs an interrupted run must leave as they are.
        let first = try runImpactBounded(["run", "--quiet", sample.pipeline], timeout: 300)
        #expect(first.code == 0 || first.code == 1, "\(first.err)")
        let before = try String(contentsOfFile: "\(sample.out)/indicators.csv", encoding: .utf8)
        let tmp = Paths.scratch("tmpdir")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.executable)
        process.arguments = ["run", "--quiet", sample.pipeline]
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": tmp]) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait for the first sorted run on disk, then interrupt.
        let deadline = Date().addingTimeInterval(240)
        while Self.spillFolders(tmp).isEmpty && process.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!Self.spillFolders(tmp).isEmpty, "no spill folder appeared")
        kill(process.processIdentifier, signal)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == code,
                "\(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus)")
        #expect(message == "impact: interrupted: previous outputs kept\n", "\(message)")
        #expect(Self.spillFolders(tmp).isEmpty, "\(Self.spillFolders(tmp))")
        #expect(!FileManager.default.fileExists(atPath: "\(sample.out)/.impact-staging"))
        #expect(try String(contentsOfFile: "\(sample.out)/indicators.csv", encoding: .utf8) == before)
    }

    /// A run that died (kill -9) left its spill folder: the next run removes it, and leaves alone the
    /// folder of a run still going.
    @Test func staleSpillFoldersAreRemoved() throws {
        let tmp = Paths.scratch("stale")
        // A process that has exited: its pid names a dead owner.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let stale = "\(tmp)/impact-participations.\(gone.processIdentifier).a1b2c3"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(stale)/run-0", contents: Data(count: 4096))
        _ = FileManager.default.createFile(atPath: "\(stale)/owner.lock", contents: Data())
        // A live owner: this test process, holding the folder's lock.
        let live = "\(tmp)/impact-participations.\(getpid()).d4e5f6"
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(live)/run-0", contents: Data(count: 4096))
        let lock = open("\(live)/owner.lock", O_RDWR | O_CREAT, 0o600)
        #expect(flock(lock, LOCK_EX) == 0)
        defer { close(lock) }
        let sample = try SampleCopy("stale-run")
        let run = try runImpactBounded(["run", "--quiet", sample.pipeline], timeout: 120, environment: ["TMPDIR": tmp])
        #expect(run.code == 0, "\(run.err)")
        #expect(!FileManager.default.fileExists(atPath: stale), "the dead run's folder is still there")
        #expect(FileManager.default.fileExists(atPath: "\(live)/run-0"), "the live run's folder was removed")
    }
}
