/// Finds the first of three byte values eight bytes at a time (SWAR): CSV fields average 16 bytes, and
/// the byte-at-a-time loop was 29 % of the CSV mapping thread once fields were no longer copied.
/// Shared by the CSV copying reader and the XML guard (inlinable: both call it per field or per tag);
/// the in-place CSV scan asks 64 bytes at a time (`SpecialBytes`).
public enum ByteScan {
    /// The index of the first byte of `buffer` from `start` equal to `a`, `b` or `c`; `buffer.count` if none.
    @inlinable @inline(__always)
    public static func first(_ a: UInt8, _ b: UInt8, _ c: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = buffer.count
        var p = start
        if let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let ma = ones &* UInt64(a), mb = ones &* UInt64(b), mc = ones &* UInt64(c)
            while p &+ 8 <= n {
                // Little-endian load: byte k of the buffer is bits 8k…8k+7.
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                let hits = zeroBytes(x ^ ma) | zeroBytes(x ^ mb) | zeroBytes(x ^ mc)
                if hits != 0 { return p &+ hits.trailingZeroBitCount >> 3 }
                p &+= 8
            }
        }
        while p < n {
            let x = buffer[p]
            if x == a || x == b || x == c { return p }
            p += 1
        }
        return n
    }

    /// High bit set in each byte of the lowest zero byte of `v` (higher ones may be false positives,
    /// so only the lowest set bit is used).
    @inlinable @inline(__always)
    public static func zeroBytes(_ v: UInt64) -> UInt64 {
        (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
    }
}
