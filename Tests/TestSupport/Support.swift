import Foundation
import Ingest
import Testing

/// Paths the tests need: the package root, the shared corpora beside the clone, scratch folders.
public enum Paths {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// ../shared/corpora beside the clone; `IMPACT_TEST_CORPORA` names another folder (a path that
    /// does not exist shows what a clone alone runs).
    public static let corpora = ProcessInfo.processInfo.environment["IMPACT_TEST_CORPORA"] ?? "\(root)/../shared/corpora"

    public static func corpus(_ relative: String) -> String { "\(corpora)/\(relative)" }

    /// Whether ../shared/corpora (third-party conformance data beside the clone, not in it) is here;
    /// tests that read it are skipped with `corporaAbsent` as the reason when it is not.
    public static var corporaAvailable: Bool { FileManager.default.fileExists(atPath: corpora) }
    public static let corporaAbsent = "needs ../shared/corpora beside the clone (third-party conformance data); absent here"

    /// A fresh, empty temporary folder, inside this test process's own folder (removed when the
    /// process exits: a run of the suite used to leave some 400 folders behind in the temporary folder).
    public static func scratch(_ name: String = "t") -> String {
        let path = "\(scratchRoot)/\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `impact-tests-PID` in the temporary folder; made on first use, when the folders of test
    /// processes that are no longer running are removed too (a crashed run leaves its own).
    public static let scratchRoot: String = {
        let temporary = NSTemporaryDirectory()
        let mine = "\(temporary)impact-tests-\(getpid())"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where entry.hasPrefix("impact-tests-") {
            if let pid = Int32(entry.dropFirst("impact-tests-".count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: temporary + entry)
            }
        }
        try? FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Paths.scratchRoot) }
        return mine
    }()

    /// The `impact` executable built beside the tests.
    public static var executable: String {
        let candidates = [".build/debug/impact", ".build/release/impact"].map { "\(root)/\($0)" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }
}

/// Every record of a CSV file, as the pipeline reads it.
public func records(_ path: String, delimiter: UInt8? = nil, encoding: TextEncoding? = nil) throws -> [[String]] {
    let csv = try CSVFile(path: path, delimiter: delimiter, encoding: encoding)
    var rows: [[String]] = []
    while let row = try csv.next() { rows.append(row.fields) }
    return rows
}

/// Writes bytes to a new temporary file and returns its path.
public func temporaryFile(_ bytes: [UInt8], name: String = "f.csv") -> String {
    let path = "\(Paths.scratch())/\(name)"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// Runs the `impact` executable; returns exit code, stdout and stderr.
public func runImpact(_ arguments: [String], in directory: String = Paths.root) throws -> (code: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// What a bounded run of the `impact` executable did.
public struct BoundedRun {
    public let code: Int32
    public let out: String
    public let err: String
    /// Killed because it outlived its time limit.
    public let timedOut: Bool
}

/// Runs `impact` with at most `memoryMB` of address space and killed after `timeout` seconds, so a
/// regression (a blocking open, a runaway read) fails the test instead of hanging or exhausting the machine.
/// `wrapper` is prepended to the command (e.g. `setpriv …`); `environment` is added to the test's own.
public func runImpactBounded(_ arguments: [String], timeout: Double = 120, memoryMB: Int = 1_500, wrapper: [String] = [],
                      environment: [String: String] = [:], in directory: String = Paths.root) throws -> BoundedRun {
    let quoted = (wrapper + [Paths.executable] + arguments).map { "'" + $0.replacing("'", with: "'\\''") + "'" }.joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "ulimit -v \(memoryMB * 1024); exec \(quoted)"]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let pid = process.processIdentifier
    let timedOut = ManagedFlag()
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
        if process.isRunning { timedOut.set(); killTree(pid) }
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return BoundedRun(code: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
                      err: String(decoding: errData, as: UTF8.self), timedOut: timedOut.isSet)
}

/// SIGKILLs `pid` and its descendants (a wrapper like /usr/bin/time does not pass the signal on).
public func killTree(_ pid: Int32) {
    let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
    kill(pid, SIGSTOP)
    for child in children.split(separator: " ").compactMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) { killTree(child) }
    kill(pid, SIGKILL)
}

/// A flag set from another thread.
public final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    public func set() { lock.withLock { value = true } }
    public var isSet: Bool { lock.withLock { value } }
}

/// A copy of the bundled sample (pipeline file and inputs) in a scratch folder, to break one input at a time.
public struct SampleCopy {
    public let folder: String
    public var pipeline: String { "\(folder)/p.yml" }
    public var inputs: String { "\(folder)/inputs" }
    public var out: String { "\(folder)/out" }

    /// `edit` changes the pipeline file (its paths are already `inputs/…` and `out`).
    public init(_ name: String, edit: (TestPipeline) throws -> TestPipeline = { $0 }) throws {
        folder = Paths.scratch(name)
        try FileManager.default.createDirectory(atPath: "\(folder)/inputs", withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: "\(Paths.root)/inputs") {
            try FileManager.default.copyItem(atPath: "\(Paths.root)/inputs/\(file)", toPath: "\(folder)/inputs/\(file)")
        }
        try edit(try TestPipeline.sample().inputs("inputs").output("out")).write(to: pipeline)
    }

    /// The path of one sample input in this copy.
    public func input(_ name: String) -> String { "\(inputs)/\(name)" }
}

/// A small deterministic generator (SplitMix64) so generated cases are the same on every run.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension Trait where Self == ConditionTrait {
    /// For a test or suite that reads ../shared/corpora: skipped, with the reason, when it is absent.
    public static var needsCorpora: Self { .enabled(if: Paths.corporaAvailable, Comment(rawValue: Paths.corporaAbsent)) }
}

/// What a run's manifest.json says of its inputs, read as an outsider would: each input's fields
/// (`path`, `format`, `encoding`, …) as text, "(absent)" for a field it lacks.
public func manifestInputs(_ folder: String, fields: [String]) throws -> [[String: String]] {
    let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/manifest.json"))) as? [String: Any]
    return (manifest?["inputs"] as? [[String: Any]] ?? []).map { input in
        fields.reduce(into: [:]) { $0[$1] = input[$1].map { "\($0)" } ?? "(absent)" }
    }
}
