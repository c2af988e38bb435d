/// The programme secret under which person keys (e-mails, pseudonyms, candidate ids), organisation
/// names and name words become 64-bit pseudonyms: SipHash-2-4, a keyed PRF, over the folded key.
/// Without the key a list of e-mails tells nothing about who is in a store or a partition state.
///
/// Hand-written rather than HMAC-SHA-256 (swift-crypto): hashing is on the ingest's busiest thread,
/// and the measured costs are in README "Privacy".
public struct PseudonymKey: Sendable, Equatable {
    let k0: UInt64
    let k1: UInt64

    /// The number of secret bytes a key file or variable holds.
    public static let byteCount = 32

    /// A key from 32 secret bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        func word(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }
        k0 = word(0) ^ word(16)
        k1 = word(8) ^ word(24)
    }

    /// 32 bytes from the system's CSPRNG (getrandom on Linux).
    public static func randomBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A fresh key that lives as long as the process (a run that keeps no pseudonym).
    public static func random() -> PseudonymKey {
        PseudonymKey(bytes: randomBytes()) ?? PseudonymKey(k0: 0, k1: 0)
    }

    init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// The pseudonym of already-folded text (see `Fold.key`).
    public func hash(_ folded: String) -> UInt64 {
        var hasher = KeyedHasher(self)
        for b in folded.utf8 { hasher.append(b) }
        return hasher.finish()
    }

    /// Identifies the key without revealing it (stores and states record it; `merge` compares them).
    public var fingerprint: String {
        [hash("impact pseudonym key fingerprint 1"), hash("impact pseudonym key fingerprint 2")]
            .map { word in
                let hex = String(word, radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }.joined()
    }
}

/// SipHash-2-4, no bytes kept: fed 8 bytes at a time over a buffer (`hash`, the folded keys), or one
/// byte at a time (`append`, `PseudonymKey.hash` of a string).
struct KeyedHasher {
    private var v0: UInt64, v1: UInt64, v2: UInt64, v3: UInt64
    private var pending: UInt64 = 0
    /// Bits filled in `pending` (0…56), and 8-byte words compressed so far.
    private var shift: UInt64 = 0
    private var words: UInt64 = 0

    init(_ key: PseudonymKey) {
        v0 = key.k0 ^ 0x736f_6d65_7073_6575
        v1 = key.k1 ^ 0x646f_7261_6e64_6f6d
        v2 = key.k0 ^ 0x6c79_6765_6e65_7261
        v3 = key.k1 ^ 0x7465_6462_7974_6573
    }

    /// Masking shifts and wrapping adds: Swift's checked forms make the hashing a fifth slower (docs/performance.md).
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        pending |= UInt64(byte) &<< shift
        shift &+= 8
        if shift == 64 {
            compress(pending)
            pending = 0
            shift = 0
            words &+= 1
        }
    }

    @inline(__always)
    private mutating func round() {
        v0 &+= v1; v1 = v1 << 13 | v1 >> 51; v1 ^= v0; v0 = v0 << 32 | v0 >> 32
        v2 &+= v3; v3 = v3 << 16 | v3 >> 48; v3 ^= v2
        v0 &+= v3; v3 = v3 << 21 | v3 >> 43; v3 ^= v0
        v2 &+= v1; v1 = v1 << 17 | v1 >> 47; v1 ^= v2; v2 = v2 << 32 | v2 >> 32
    }

    @inline(__always)
    private mutating func compress(_ m: UInt64) {
        v3 ^= m
        round(); round()
        v0 ^= m
    }

    /// The SipHash-2-4 of `bytes` under `key`, read 8 bytes at a time: the same value as appending
    /// them one by one.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, key: PseudonymKey) -> UInt64 {
        var hasher = KeyedHasher(key)
        guard let base = bytes.baseAddress else { return hasher.finish() }
        let raw = UnsafeRawPointer(base), n = bytes.count
        var i = 0
        while i &+ 8 <= n {
            hasher.compress(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i &+= 8
        }
        hasher.words = UInt64(n >> 3)
        while i < n {
            hasher.pending |= UInt64(base[i]) &<< hasher.shift
            hasher.shift &+= 8
            i &+= 1
        }
        return hasher.finish()
    }

    /// The 64-bit SipHash-2-4 of the bytes appended.
    mutating func finish() -> UInt64 {
        compress(pending | (words &* 8 &+ shift &>> 3) &<< 56)
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}
