/// Folding of free labels into matching keys: case, accents, punctuation and spacing ignored.
public enum Fold {
    /// "  Saint-Étienne (42) " → "saint etienne 42".
    public static func key(_ text: String) -> String {
        var text = text
        // Byte-level for ASCII and the Latin letters French uses: the scalar path allocated per
        // character and took a fifth of the ingest time on a 100 MB export.
        if let key = text.withUTF8({ latinKey($0) }) { return key }
        return unicodeKey(text)
    }

    /// The key of UTF-8 bytes made of ASCII, Latin-1 Supplement, Latin Extended-A and common
    /// punctuation; nil when another script appears (the general path handles it).
    static func latinKey(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        var i = 0
        let n = bytes.count
        // No nested helper: a closure capturing `out` boxes it and adds exclusivity checks per byte.
        while i < n {
            let b = bytes[i]
            var first: UInt8 = 0, second: UInt8 = 0
            if b < 0x80 {
                if isASCIIAlphanumeric(b) { first = b >= 65 && b <= 90 ? b + 32 : b }
                i += 1
            } else if b >= 0xC3 && b <= 0xC5 && i + 1 < n {
                let folded = latinFold[((Int(b & 0x1F) << 6) | Int(bytes[i + 1] & 0x3F)) - 0xC0]
                if folded.0 == 0xFF { return nil }
                (first, second) = folded
                i += 2
            } else if b == 0xC2 && i + 1 < n {
                i += 2  // no-break space, «, », °, ·…: separators
            } else if b == 0xE2 && i + 2 < n && bytes[i + 1] == 0x80 {
                i += 3  // ’ – — “ ” … and the narrow no-break space: separators
            } else {
                return nil
            }
            if first == 0 {
                pendingSpace = true
                continue
            }
            if pendingSpace && !out.isEmpty { out.append(0x20) }
            pendingSpace = false
            out.append(first)
            if second != 0 { out.append(second) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// U+00C0…U+017F → lower-case ASCII letter(s); (0, 0) a separator; (0xFF, _) not handled here.
    static let latinFold: [(UInt8, UInt8)] = (0xC0...0x17F).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return (0xFF, 0) }
        if let pair = ligatures[UInt32(value)] {
            return (UInt8(ascii: lower(pair.0)), UInt8(ascii: lower(pair.1)))
        }
        if let base = latinBase[UInt32(value)] { return (UInt8(ascii: lower(base)), 0) }
        return scalar.properties.isAlphabetic ? (0xFF, 0) : (0, 0)
    }

    /// `StableHash.fnv1a(Fold.key(text))` computed straight from ASCII bytes, with no string built;
    /// nil when a byte is not ASCII (then use the string path, which gives the same key).
    public static func keyHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var pendingSpace = false
        var empty = true
        for b in bytes {
            if b >= 0x80 { return nil }
            if isASCIIAlphanumeric(b) {
                if pendingSpace && !empty {
                    h ^= 0x20
                    h &*= 0x0000_0100_0000_01b3
                }
                pendingSpace = false
                empty = false
                h ^= UInt64(b >= 65 && b <= 90 ? b + 32 : b)
                h &*= 0x0000_0100_0000_01b3
            } else {
                pendingSpace = true
            }
        }
        return h
    }

    /// The general path, for text with letters beyond ASCII.
    static func unicodeKey(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        func emit(_ s: Unicode.Scalar) {
            if isAlphanumeric(s) {
                if pendingSpace && !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.append(lower(s))
            } else {
                pendingSpace = true
            }
        }
        for scalar in text.unicodeScalars {
            if !scalar.isASCII, let spelled = ligatures[scalar.value] {
                emit(spelled.0)
                emit(spelled.1)
            } else {
                emit(scalar.isASCII ? scalar : latinBase[scalar.value] ?? scalar)
            }
        }
        return String(out)
    }

    @inline(__always)
    static func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
    }

    private static let ligatures: [UInt32: (Unicode.Scalar, Unicode.Scalar)] = [
        0x153: ("o", "e"), 0x152: ("O", "E"), 0xE6: ("a", "e"), 0xC6: ("A", "E"), 0xDF: ("s", "s"),
    ]

    static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122)
        }
        return s.properties.isAlphabetic || s.properties.numericType != nil
    }

    static func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.isASCII {
            return (s.value >= 65 && s.value <= 90) ? Unicode.Scalar(UInt8(truncatingIfNeeded: s.value + 32)) : s
        }
        return s.properties.lowercaseMapping.unicodeScalars.first ?? s
    }

    private static let latinBase: [UInt32: Unicode.Scalar] = {
        let pairs: [(String, Unicode.Scalar)] = [
            ("ÀÁÂÃÄÅĀĂĄ", "A"), ("àáâãäåāăą", "a"), ("ÇĆĈĊČ", "C"), ("çćĉċč", "c"),
            ("ĎĐ", "D"), ("ďđ", "d"), ("ÈÉÊËĒĔĖĘĚ", "E"), ("èéêëēĕėęě", "e"),
            ("ĜĞĠĢ", "G"), ("ĝğġģ", "g"), ("ĤĦ", "H"), ("ĥħ", "h"), ("ÌÍÎÏĨĪĬĮİ", "I"),
            ("ìíîïĩīĭįı", "i"), ("Ĵ", "J"), ("ĵ", "j"), ("Ķ", "K"), ("ķ", "k"), ("ĹĻĽĿŁ", "L"),
            ("ĺļľŀł", "l"), ("ÑŃŅŇ", "N"), ("ñńņň", "n"), ("ÒÓÔÕÖØŌŎŐ", "O"), ("òóôõöøōŏő", "o"),
            ("ŔŖŘ", "R"), ("ŕŗř", "r"), ("ŚŜŞŠ", "S"), ("śŝşš", "s"), ("ŢŤŦ", "T"), ("ţťŧ", "t"),
            ("ÙÚÛÜŨŪŬŮŰŲ", "U"), ("ùúûüũūŭůűų", "u"), ("Ŵ", "W"), ("ŵ", "w"), ("ÝŸŶ", "Y"),
            ("ýÿŷ", "y"), ("ŹŻŽ", "Z"), ("źżž", "z"),
        ]
        var table: [UInt32: Unicode.Scalar] = [:]
        for (letters, base) in pairs {
            for s in letters.unicodeScalars { table[s.value] = base }
        }
        return table
    }()
}
