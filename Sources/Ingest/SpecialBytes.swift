import CSystem

/// Where the next delimiter, quote, CR or LF of a block is, found 64 bytes at a time: the CSV scan
/// asks per field, and a bitmask of the block's next 64 bytes answers most asks with a bit count
/// where the 8-byte scan (`ByteScan.first`) looped over the field's bytes (docs/performance.md).
struct SpecialBytes {
    private let a: UInt8, b: UInt8, c: UInt8, d: UInt8
    /// The block offset of bit 0 of `bits`; -64 before the first mask, so every start is past it.
    private var base = -64
    /// Bit i: byte `base + i` is one of the four (none past the block's end).
    private var bits: UInt64 = 0

    init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        (self.a, self.b, self.c, self.d) = (a, b, c, d)
    }

    /// The first index from `start` of `buffer` (always the same block) holding one of the four bytes; `buffer.count` if none.
    @inline(__always)
    mutating func next(from start: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var p = start
        while true {
            let offset = p &- base
            if offset >= 0, offset < 64 {
                let left = bits & (UInt64.max &<< UInt64(offset))
                if left != 0 { return base &+ left.trailingZeroBitCount }
                p = base &+ 64
            }
            guard p < buffer.count else { return buffer.count }
            base = p
            bits = mask(buffer, at: p)
        }
    }

    /// The mask of the 64 bytes from `p`, or of those left before the block's end.
    @inline(__always)
    private func mask(_ buffer: UnsafeBufferPointer<UInt8>, at p: Int) -> UInt64 {
        if p &+ 64 <= buffer.count, let start = buffer.baseAddress {
            return impact_byte_mask64(start + p, a, b, c, d)
        }
        var bits: UInt64 = 0
        for i in p..<buffer.count {
            let x = buffer[i]
            if x == a || x == b || x == c || x == d { bits |= 1 &<< UInt64(i &- p) }
        }
        return bits
    }
}
