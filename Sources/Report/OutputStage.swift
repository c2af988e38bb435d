import Foundation

/// Writes a run's outputs so that readers see the previous set or the new one, never a mix:
/// every file goes to `.impact-staging/` inside the output folder, then a `COMMIT` list is written and
/// the files are renamed into place. A run killed before `COMMIT` leaves the old outputs untouched (the
/// staging folder is dropped next time); killed during the renames, the next run finishes them.
public final class OutputStage {
    public let folder: String
    public let staging: String
    private var names: [String] = []

    /// The staging folder's name inside the output folder.
    public static let stagingName = ".impact-staging"

    /// Recovers any interrupted commit in `folder`, then opens a fresh staging folder.
    public init(folder: String) throws {
        self.folder = folder
        staging = "\(folder)/\(OutputStage.stagingName)"
        try OutputStage.recover(folder: folder)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
    }

    /// Where a file being staged is written (for writers that stream, like the rejects).
    public func path(_ name: String) -> String { "\(staging)/\(name)" }

    /// Stages one output.
    public func write(_ text: String, name: String) throws {
        try AtomicFile.write(text, to: path(name))
        names.append(name)
    }

    /// Declares a file written through `path(_:)`.
    public func staged(_ name: String) { names.append(name) }

    /// Makes the staged files the outputs.
    public func commit() throws {
        for name in names { try OutputStage.sync(path(name)) }
        try AtomicFile.write(names.joined(separator: "\n") + "\n", to: path("COMMIT"))
        try OutputStage.sync(path("COMMIT"))
        try OutputStage.recover(folder: folder)
    }

    /// Finishes a commit whose list was written (rolls forward), or drops an unfinished staging folder.
    public static func recover(folder: String) throws {
        let staging = "\(folder)/\(stagingName)"
        let fm = FileManager.default
        guard fm.fileExists(atPath: staging) else { return }
        if let list = fm.contents(atPath: "\(staging)/COMMIT") {
            for name in String(decoding: list, as: UTF8.self).split(separator: "\n").map(String.init) where !name.isEmpty {
                let from = "\(staging)/\(name)"
                guard fm.fileExists(atPath: from) else { continue }  // already moved before an interruption
                guard rename(from, "\(folder)/\(name)") == 0 else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "\(folder)/\(name)",
                                                                   NSLocalizedDescriptionKey: String(cString: strerror(errno))])
                }
            }
        }
        try fm.removeItem(atPath: staging)
    }

    private static func sync(_ path: String) throws {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { return }
        defer { try? handle.close() }
        try handle.synchronize()
    }
}
