import Foundation
import Records
import Report

/// Another run or refresh holds the output folder: exit 75 (EX_TEMPFAIL, "try again later").
public struct LockBusy: ImpactError {
    public let lockPath: String
    /// What the holder wrote into the lock file (pid and start time), if readable.
    public let holder: String
    public var exitCode: Int32 { 75 }

    public var description: String {
        "another impact run or refresh is writing these outputs (\(holder.isEmpty ? "holder unknown" : holder)); "
            + "this one stops without writing. Retry later, or pass --wait to queue behind it (lock: \(lockPath))"
    }
}

/// An exclusive `flock(2)` on `<output folder>/.impact.lock`: released by the kernel when the process dies,
/// so a killed refresh never leaves a stale lock.
public final class RunLock {
    private var descriptor: Int32
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { release() }

    /// Takes the lock of `folder`; with `wait` false, throws `LockBusy` at once when it is held.
    /// The lock file is never followed through a symbolic link (`O_NOFOLLOW`): a link planted there
    /// would make impact truncate whatever it points to.
    public static func acquire(folder: String, wait: Bool) throws -> RunLock {
        try FileWriting.makeFolder(folder)
        let path = "\(folder)/.impact.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            guard errno == ELOOP else { throw OutputError(path: path, errno: errno) }
            throw OutputRefused(path: path, reason: "is a symbolic link; impact never writes through one there: remove it, then run again")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw OutputRefused(path: path, reason: "is not a regular file: remove it, then run again")
        }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            var buffer = [UInt8](repeating: 0, count: 200)
            let count = pread(fd, &buffer, buffer.count, 0)
            let holder = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw LockBusy(lockPath: path, holder: holder)
        }
        let stamp = "pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = stamp.withCString { pwrite(fd, $0, strlen($0), 0) }
        return RunLock(descriptor: fd, path: path)
    }

    /// Releases the lock (also done when the process exits, however it exits).
    public func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}

/// Where outputs may go: never `/`, the user's home, or a folder holding the inputs or the pipeline file
/// (a typo in `--output` must not make impact write among the exports, or stage files in a home folder).
public enum OutputFolderCheck {
    /// Throws `OutputRefused` (exit 2) when `folder` is unfit for outputs.
    public static func check(_ folder: String, pipeline: String, inputs: [String]) throws {
        let target = canonical(folder)
        let reason = "set outputs.folder (or --output) to a folder of its own"
        if target == "/" { throw OutputRefused(path: folder, reason: "is the root folder; \(reason)") }
        let homes = [ProcessInfo.processInfo.environment["HOME"], NSHomeDirectory()].compactMap { $0 }.filter { !$0.isEmpty }.map(canonical)
        if homes.contains(target) { throw OutputRefused(path: folder, reason: "is your home folder; \(reason)") }
        var folders = Set<String>()
        for file in [pipeline] + inputs {
            let parent = (file as NSString).deletingLastPathComponent.isEmpty ? "." : (file as NSString).deletingLastPathComponent
            // Once per folder: an ODK folder's thousands of submissions share one.
            guard folders.insert(parent).inserted else { continue }
            let holder = canonical(parent)
            if holder == target || holder.hasPrefix(target == "/" ? "/" : target + "/") {
                let what = file == pipeline ? "the pipeline file" : "the input \(file)"
                throw OutputRefused(path: folder, reason: "holds \(what); \(reason)")
            }
        }
    }

    /// The absolute path with `.`, `..` and symbolic links of its existing part resolved.
    static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var existing = (absolute as NSString).standardizingPath
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing), existing != "/" {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        var resolved = existing
        if let real = realpath(existing, nil) {
            resolved = String(cString: real)
            free(real)
        }
        return rest.reduce(resolved) { ($0 as NSString).appendingPathComponent($1) }
    }
}
