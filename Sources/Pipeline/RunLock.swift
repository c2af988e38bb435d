import Foundation
import Records

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
    public static func acquire(folder: String, wait: Bool) throws -> RunLock {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = "\(folder)/.impact.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path,
                                                               NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
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
