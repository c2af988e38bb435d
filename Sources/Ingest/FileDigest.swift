import Crypto
import Foundation
import IngestXML

/// SHA-256 and size of a file, read in chunks (never whole in memory).
public enum FileDigest {
    /// The file's SHA-256 (hex) and size in bytes.
    public static func sha256(path: String) throws -> (hex: String, size: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        return (ReadDigest.hex(hasher.finalize()), size)
    }

    /// The SHA-256 (hex) of bytes in memory.
    public static func sha256(data: Data) -> String {
        ReadDigest.hex(SHA256.hash(data: data))
    }
}
