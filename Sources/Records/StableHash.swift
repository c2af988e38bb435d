/// A hash that is the same on every run and machine (Swift's `Hasher` is seeded per process).
public enum StableHash {
    /// FNV-1a, 64 bits, over `bytes`: the one definition every stable byte hash uses (labels' raw
    /// bytes in the mapping caches, ids, event kinds), so hashes of the same bytes always agree.
    @inlinable
    public static func fnv1a<Bytes: Sequence<UInt8>>(bytes: Bytes) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }

    /// FNV-1a, 64 bits, over the UTF-8 bytes of `text`: through a buffer of them, since walking
    /// `text.utf8` took 330 instructions for a 9-byte action id (hashed per attendance line).
    @inlinable
    public static func fnv1a(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { fnv1a(bytes: $0) }
    }

    /// Combines two hashes (order matters), for composite keys such as action × person.
    public static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var h = a ^ 0x9e37_79b9_7f4a_7c15
        h = (h ^ (b &+ 0x9e37_79b9_7f4a_7c15 &+ (h << 6) &+ (h >> 2)))
        h &*= 0xbf58_476d_1ce4_e5b9
        return h ^ (h >> 31)
    }
}
