#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IngestXML
import InputFiles

/// Something that hands out a file's bytes a chunk at a time.
protocol ChunkSource: AnyObject {
    /// The next chunk, or nil at end of input.
    func nextChunk() throws -> [UInt8]?
}

/// A file read with read(2) in fixed chunks: memory stays flat whatever the file's size.
///
/// It hashes what it reads, so a file read to its end needs no second pass for the manifest's SHA-256.
final class FileChunkSource: ChunkSource {
    let path: String
    private let fd: Int32
    private let chunkSize: Int
    private let hasher = ReadHasher()

    /// SHA-256 and size, once the file was read to its end (nil before).
    var digest: ReadDigest? { hasher.digest }

    init(path: String, chunkSize: Int = 1 << 20) throws {
        self.path = path
        self.chunkSize = chunkSize
        fd = try InputFile.open(path)
    }

    deinit { close(fd) }

    func nextChunk() throws -> [UInt8]? {
        // Read into uninitialised storage: zeroing each mebibyte first was 0.9 % of a CSV run's instructions.
        let (fd, path, size) = (fd, path, chunkSize)
        let buffer = try [UInt8](unsafeUninitializedCapacity: size) { storage, count in
            guard let base = storage.baseAddress else { return }
            while count < size {
                let n = read(fd, base + count, size - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw InputFileError(path: path, message: "cannot read: \(InputFile.systemReason(errno))")
                }
                if n == 0 { break }
                count += n
            }
        }
        if buffer.count < chunkSize { hasher.reachedEndOfFile() }
        if buffer.isEmpty { return nil }
        hasher.consumed(block: buffer)
        return buffer
    }
}

/// Re-encodes UTF-16/32 input as UTF-8, chunk by chunk (code units and surrogate pairs may span chunks).
final class TranscodingSource: ChunkSource {
    private let inner: ChunkSource
    private let encoding: TextEncoding
    private var carry: [UInt8] = []
    private var pendingHighSurrogate: UInt32?
    private var done = false

    init(inner: ChunkSource, encoding: TextEncoding) {
        self.inner = inner
        self.encoding = encoding
    }

    func nextChunk() throws -> [UInt8]? {
        guard !done else { return nil }
        guard let chunk = try inner.nextChunk() else {
            done = true
            var out: [UInt8] = []
            if pendingHighSurrogate != nil || !carry.isEmpty { append(0xFFFD, to: &out) }
            return out.isEmpty ? nil : out
        }
        let bytes = carry + chunk
        let unit = (encoding == .utf16le || encoding == .utf16be) ? 2 : 4
        let usable = bytes.count - bytes.count % unit
        carry = Array(bytes[usable...])
        var out: [UInt8] = []
        out.reserveCapacity(usable)
        var i = 0
        while i < usable {
            let v: UInt32
            switch encoding {
            case .utf16le: v = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
            case .utf16be: v = UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            case .utf32le: v = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            default: v = UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
            }
            i += unit
            if unit == 2 {
                if let high = pendingHighSurrogate {
                    pendingHighSurrogate = nil
                    if v >= 0xDC00 && v <= 0xDFFF {
                        append(0x10000 + ((high - 0xD800) << 10) + (v - 0xDC00), to: &out)
                        continue
                    }
                    append(0xFFFD, to: &out)
                }
                if v >= 0xD800 && v <= 0xDBFF { pendingHighSurrogate = v; continue }
                if v >= 0xDC00 && v <= 0xDFFF { append(0xFFFD, to: &out); continue }
            }
            append(v, to: &out)
        }
        return out
    }

    /// UTF-8 of one code point; surrogates, out-of-range values and the non-characters U+FFFE/U+FFFF
    /// (byte-order marks read backwards) become U+FFFD.
    private func append(_ value: UInt32, to out: inout [UInt8]) {
        var v = value
        if v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF { v = 0xFFFD }
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}

/// A source with chunks put back in front, for readers that peeked at the head.
final class PushbackSource: ChunkSource {
    private let inner: ChunkSource
    private var pending: [[UInt8]] = []

    init(_ inner: ChunkSource) { self.inner = inner }

    func unread(_ chunk: [UInt8]) { if !chunk.isEmpty { pending.append(chunk) } }

    func nextChunk() throws -> [UInt8]? {
        if let chunk = pending.popLast() { return chunk }
        return try inner.nextChunk()
    }
}
