import Foundation
import Records

/// A refusal to write or move something outside what impact owns in the output folder (exit 2):
/// `impact: will not write the outputs: PATH: why; what to do`.
public struct OutputRefused: ImpactError {
    public let path: String
    public let reason: String
    public var description: String { "will not write the outputs: \(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// Writes a run's outputs so that readers see the previous set or the new one, never a mix:
/// every file goes to `.impact-staging/` inside the output folder, then a `COMMIT` list is written and
/// the files are renamed into place. A run killed before `COMMIT` leaves the old outputs untouched (the
/// staging folder is dropped next time); killed during the renames, the next run finishes them.
///
/// Only what impact made is touched: the staging folder carries a marker file (a folder of that name
/// without it is the user's, and is refused, never deleted), and the `COMMIT` list may name only plain
/// file names of the kinds impact writes (no `/`, no `..`, nothing hidden), each a regular file.
/// A run that fails, or is interrupted (SIGINT, SIGTERM), before `COMMIT` removes its staging folder.
public final class OutputStage {
    public let folder: String
    public let staging: String
    private var names: [String] = []
    private var token: Cleanup.Token?

    /// The staging folder's name inside the output folder.
    public static let stagingName = ".impact-staging"
    /// The file that says a staging folder is impact's.
    static let markerName = ".made-by-impact"
    /// Extensions of the files impact writes into the output folder.
    static let outputExtensions: Set<String> = ["csv", "md", "json", "svg", "html"]

    /// Recovers any interrupted commit in `folder`, then opens a fresh staging folder.
    public init(folder: String) throws {
        self.folder = folder
        let staging = "\(folder)/\(OutputStage.stagingName)"
        self.staging = staging
        try OutputStage.recover(folder: folder)
        try FileWriting.makeFolder(folder)
        token = try Cleanup.critical { () throws -> Cleanup.Token in
            guard mkdir(staging, 0o700) == 0 else {
                if errno == EEXIST { throw OutputRefused(path: staging, reason: "appeared while impact was starting (another run?): run again") }
                throw OutputError(path: staging, errno: errno)
            }
            let token = Cleanup.register { OutputStage.discard(staging) }
            // Written in place (not through a temporary file and a rename): a run killed now leaves
            // the folder empty or marked, never holding only a temporary file.
            do throws(OutputError) {
                try FileWriting.write(Array("impact staging folder\n".utf8), to: "\(staging)/\(OutputStage.markerName)")
            } catch {
                Cleanup.unregister(token)
                OutputStage.discard(staging)
                throw error
            }
            return token
        }
    }

    deinit {
        // Not committed (an error, or commit itself failing before its list): nothing of this run stays.
        if let token {
            Cleanup.unregister(token)
            Cleanup.critical { OutputStage.discard(staging) }
        }
    }

    /// Removes a staging folder unless its commit list was written (then the next run finishes it).
    static func discard(_ staging: String) {
        guard access("\(staging)/COMMIT", F_OK) != 0 else { return }
        Cleanup.removeTree(staging)
    }

    /// Where a file being staged is written (for writers that stream, like the rejects).
    public func path(_ name: String) -> String { "\(staging)/\(name)" }

    /// Stages one output.
    public func write(_ text: String, name: String) throws {
        try Cleanup.critical { () throws(OutputError) in try AtomicFile.write(text, to: path(name)) }
        names.append(name)
    }

    /// Declares a file written through `path(_:)`.
    public func staged(_ name: String) { names.append(name) }

    /// Makes the staged files the outputs.
    public func commit() throws {
        for name in names { try OutputStage.sync(path(name)) }
        try Cleanup.critical { () throws in
            try AtomicFile.write(names.joined(separator: "\n") + "\n", to: path("COMMIT"))
            try OutputStage.sync(path("COMMIT"))
            if let token { Cleanup.unregister(token) }
            token = nil
            try OutputStage.recover(folder: folder)
        }
    }

    /// Whether `name` is one impact could have written: a plain, visible file name of an output kind.
    public static func isOutputName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), !name.contains("\0"), name.utf8.count < 256,
              let dot = name.lastIndex(of: ".") else { return false }
        return outputExtensions.contains(String(name[name.index(after: dot)...]))
    }

    /// Finishes a commit whose list was written (rolls forward), or drops an unfinished staging folder.
    public static func recover(folder: String) throws {
        let staging = "\(folder)/\(stagingName)"
        var info = stat()
        guard lstat(staging, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw OutputRefused(path: staging, reason: "is not a folder impact made (a link or a file): move it away, then run again")
        }
        let fm = FileManager.default
        guard isRegularFile("\(staging)/\(markerName)") else {
            // A run killed between making the folder and writing its marker leaves it empty: removing an
            // empty folder loses nothing, whoever made it.
            if rmdir(staging) == 0 { return }
            throw OutputRefused(path: staging, reason: "this folder was not made by impact (no \(markerName) marker): move it away or delete it yourself, then run again")
        }
        if let list = fm.contents(atPath: "\(staging)/COMMIT") {
            let listed = String(decoding: list, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            // The whole list is checked before anything moves: a planted line never half-applies.
            if let bad = listed.first(where: { !isOutputName($0) }) {
                throw OutputRefused(path: "\(staging)/COMMIT", reason: "lists '\(bad)', which is not an output impact writes: delete the \(stagingName) folder, then run again")
            }
            for name in listed {
                let from = "\(staging)/\(name)"
                var entry = stat()
                guard lstat(from, &entry) == 0 else { continue }  // already moved before an interruption
                guard entry.st_mode & S_IFMT == S_IFREG else {
                    throw OutputRefused(path: from, reason: "is not a regular file: delete the \(stagingName) folder, then run again")
                }
                guard rename(from, "\(folder)/\(name)") == 0 else { throw OutputError(path: "\(folder)/\(name)", errno: errno) }
            }
        }
        Cleanup.removeTree(staging)
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Flushes a file written through `path(_:)` to the disk.
    private static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw OutputError(path: path, errno: errno) }
    }
}
