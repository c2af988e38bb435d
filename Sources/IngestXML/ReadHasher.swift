import Crypto

/// A file's SHA-256 and size, computed from the bytes a reader consumed.
public struct ReadDigest: Sendable, Equatable {
    public let sha256: [UInt8]
    public let size: Int

    /// The digest in lower-case hex, as the manifest writes it.
    public var hex: String { Self.hex(sha256) }

    /// Lower-case hex of digest bytes (`String(format:)` per byte cost 3 % of a run over 2,000 ODK files).
    public static func hex<D: Sequence<UInt8>>(_ digest: D) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Hashes a file as a reader consumes it, so a file read to its end needs no second pass for the
/// manifest's SHA-256 (the CSV chunk reader and libxml2's input callback both use it).
public struct ReadHasher {
    private var hasher = SHA256()
    private var size = 0
    private var reachedEnd = false

    public init() {}

    /// Bytes just read; an empty read is the end of the file.
    public mutating func consumed(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { reachedEnd = true; return }
        hasher.update(bufferPointer: bytes)
        size += bytes.count
    }

    /// The read stopped short of a full buffer: the end of the file.
    public mutating func reachedEndOfFile() { reachedEnd = true }

    /// SHA-256 and size of the whole file, once it was read to its end (nil before).
    public var digest: ReadDigest? { reachedEnd ? ReadDigest(sha256: Array(hasher.finalize()), size: size) : nil }
}
