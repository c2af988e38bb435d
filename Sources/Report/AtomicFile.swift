import Foundation
import Records

/// Writes files so that a crash never leaves a half-written one: temporary file, then rename(2).
public enum AtomicFile {
    /// Writes `text` as UTF-8 to `path` atomically, creating the folder when needed.
    public static func write(_ text: String, to path: String) throws(OutputError) {
        try write(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path` atomically; a failure (a full disk included) is an `OutputError`
    /// naming the file and the system's reason.
    public static func write(_ bytes: [UInt8], to path: String) throws(OutputError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileWriting.makeFolder(folder) }
        let temporary = "\(path).\(getpid()).tmp"
        try FileWriting.write(bytes, to: temporary)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw OutputError(path: path, errno: code)
        }
    }
}
