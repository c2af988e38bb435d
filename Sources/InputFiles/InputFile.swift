#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// An error opening or reading a file, with its path and the system's reason.
public struct InputFileError: ImpactError {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// Opens inputs for reading: regular files only (links followed), and never a call that blocks.
///
/// A FIFO opened for reading waits for a writer, and a device like /dev/zero never ends: both are
/// refused. The file is opened with O_NONBLOCK (so a FIFO cannot block the open), checked with
/// fstat (so a file swapped after a stat cannot slip through), then the flag is cleared.
public enum InputFile {
    /// A descriptor open for reading on the regular file at `path`; the caller closes it.
    public static func open(_ path: String) throws(InputFileError) -> Int32 {
        let fd = path.withCString { Glibc.open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else {
            let code = errno
            // A socket cannot be opened (ENXIO): say what the path is rather than the open's errno.
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG { throw InputFileError(path: path, message: describe(kind: info.st_mode & S_IFMT)) }
            throw InputFileError(path: path, message: openFailure(code))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw InputFileError(path: path, message: "cannot open: \(systemReason(code))")
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(fd)
            throw InputFileError(path: path, message: describe(kind: kind))
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// The size in bytes of the file at `path` as `open` reads it (links followed), nil when it
    /// cannot be told: the one rule for weighing inputs before they are read.
    public static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Why `path` is not a readable regular file, or nil when it is one (checked by opening it).
    public static func problem(_ path: String) -> String? {
        do {
            let fd = try open(path)
            close(fd)
            return nil
        } catch {
            return error.message
        }
    }

    /// What a file of type `kind` (st_mode & S_IFMT) is, said as the reason it cannot be an input.
    public static func describe(kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a folder, not a file"
        case S_IFIFO: return "not a regular file but a named pipe (FIFO); export the data to a file"
        case S_IFCHR, S_IFBLK: return "not a regular file but a device; export the data to a file"
        case S_IFSOCK: return "not a regular file but a socket; export the data to a file"
        default: return "not a regular file; export the data to a file"
        }
    }

    static func openFailure(_ code: Int32) -> String {
        switch code {
        case EACCES, EPERM: return "cannot open: permission denied; give the user running impact read access to it"
        case ENOENT: return "no such file (was it moved or deleted?)"
        default: return "cannot open: \(systemReason(code))"
        }
    }

    /// strerror's text, lower-cased as it reads inside a sentence ("no space left on device").
    public static func systemReason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        guard let first = text.first else { return "error \(code)" }
        return first.lowercased() + text.dropFirst()
    }
}
