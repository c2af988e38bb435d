#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outputs (or the store, or a state file) could not be written: printed as
/// `impact: cannot write the outputs: PATH: REASON; WHAT TO DO`.
public struct OutputError: ImpactError, Equatable {
    /// What could not be written: "the outputs", "the store", "the state file".
    public let what: String
    public let path: String
    /// The system's reason, e.g. "no space left on device".
    public let reason: String
    public let advice: String

    public init(_ what: String = "the outputs", path: String, reason: String, advice: String) {
        self.what = what
        self.path = path
        self.reason = reason
        self.advice = advice
    }

    /// From an errno value, with the advice that fits it.
    public init(_ what: String = "the outputs", path: String, errno code: Int32, option: String = "--output") {
        self.what = what
        self.path = path
        reason = Self.reason(code)
        switch code {
        case ENOSPC, EDQUOT: advice = "free some space, or choose another folder (\(option))"
        case EACCES, EPERM, EROFS: advice = "make it writable by the user running impact, or choose another folder (\(option))"
        case EEXIST, ENOTDIR: advice = "a file is in the way: move it, or choose another folder (\(option))"
        default: advice = "check the folder, or choose another one (\(option))"
        }
    }

    public var description: String { "cannot write \(what): \(path): \(reason); \(advice)" }

    /// strerror's text lower-cased, with the errno name where it helps a search ("no space left on device (ENOSPC)").
    public static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        let lowered = (text.first.map { $0.lowercased() } ?? "") + text.dropFirst()
        switch code {
        case ENOSPC: return "\(lowered) (ENOSPC)"
        case EDQUOT: return "\(lowered) (EDQUOT)"
        case EEXIST, ENOTDIR: return "it is a file, not a folder"
        default: return lowered
        }
    }
}

/// Writing files with the system's own error codes (Foundation's file APIs lose them, and a full
/// disk must be said as such).
public enum FileWriting {
    /// Makes `path` and its missing parents; throws when something on the way is not a folder.
    public static func makeFolder(_ path: String, what: String = "the outputs", option: String = "--output") throws(OutputError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw OutputError(what, path: path, errno: ENOTDIR, option: option) }
            return
        }
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !parent.isEmpty { try makeFolder(parent, what: what, option: option) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw OutputError(what, path: path, errno: errno, option: option) }
    }

    /// Writes all of `bytes` to `fd` (retrying short writes); `path` names it in errors.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String, what: String = "the outputs") throws(OutputError) {
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError(what, path: path, errno: errno)
            }
            offset += n
        }
    }

    /// Writes `bytes` to `path` (created or truncated); `sync` flushes them to the disk.
    public static func write(_ bytes: [UInt8], to path: String, what: String = "the outputs", sync: Bool = false) throws(OutputError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(what, path: path, errno: errno) }
        var failure: OutputError?
        bytes.withUnsafeBytes { raw in
            do throws(OutputError) { try writeAll(fd, raw, path: path, what: what) } catch { failure = error }
        }
        if failure == nil && sync && fsync(fd) != 0 { failure = OutputError(what, path: path, errno: errno) }
        if let failure {
            close(fd)
            unlink(path)
            throw failure
        }
        guard close(fd) == 0 else { throw OutputError(what, path: path, errno: errno) }
    }
}
