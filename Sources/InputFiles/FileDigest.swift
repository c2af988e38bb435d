import Crypto
import Foundation

/// SHA-256 and size of a file, read in chunks (never whole in memory).
public enum FileDigest {
    /// The file's SHA-256 (hex) and size in bytes; only a regular file is read (a FIFO or a device
    /// would block or never end).
    public static func sha256(path: String) throws(InputFileError) -> (hex: String, size: Int) {
        let fd = try InputFile.open(path)
        defer { close(fd) }
        var hasher = SHA256()
        var size = 0
        // Not zero-filled (a 1 MiB zeroed buffer per file was a third of the instructions of a run over 2,000 ODK files).
        let failure: Int32? = withUnsafeTemporaryAllocation(byteCount: 1 << 16, alignment: 16) { buffer in
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return errno }
                if n == 0 { return nil }
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                size += n
            }
        }
        if let failure { throw InputFileError(path: path, message: "cannot read: \(InputFile.systemReason(failure))") }
        return (ReadDigest.hex(hasher.finalize()), size)
    }

    /// The SHA-256 and size of `path`, or an empty hash and size 0 when it cannot be read (the
    /// reading itself then reports the source unreadable, with the reason).
    public static func sha256OrEmpty(path: String) -> (hex: String, size: Int) {
        (try? sha256(path: path)) ?? ("", 0)
    }

    /// The SHA-256 (hex) of bytes in memory.
    public static func sha256(data: Data) -> String {
        ReadDigest.hex(SHA256.hash(data: data))
    }
}
