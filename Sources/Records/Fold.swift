/// Folding of free labels into matching keys: case, accents, punctuation and spacing ignored.
public enum Fold {
    /// "  Saint-Étienne (42) " → "saint etienne 42".
    public static func key(_ text: String) -> String {
        var text = text
        // Byte-level for ASCII and the Latin letters French uses: the scalar path allocates per character.
        if let key = text.withUTF8({ latinKey($0) }) { return key }
        return unicodeKey(text)
    }

    /// The key of UTF-8 bytes made of ASCII, Latin-1 Supplement, Latin Extended-A and common
    /// punctuation; nil when another script appears (the general path handles it).
    static func latinKey(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        withFolded(bytes, utf8: true) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the folded key of `bytes` in a temporary buffer (on the stack for short
    /// texts); nil when a byte sequence is not handled (see `fold`).
    @inline(__always)
    static func withFolded<R>(_ bytes: UnsafeBufferPointer<UInt8>, utf8: Bool, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, 2 * bytes.count)) { buffer -> R? in
            guard let base = buffer.baseAddress, let count = fold(bytes, utf8: utf8, into: base) else { return nil }
            return body(UnsafeBufferPointer(start: base, count: count))
        }
    }

    /// Writes the folded key of `bytes` to `out`: letters and digits lower-cased, accents dropped,
    /// one space between words. Returns its length, or nil when a character is not handled (see
    /// `latinCharacter`). A key is never longer than its text (a space stands for at least one
    /// separator byte dropped, and a character folds to at most as many letters as it has bytes);
    /// `out` must still have room for 2 × `bytes.count` bytes, a bound that needs no such argument
    /// (a byte writes at most two: a space and a letter).
    @inline(__always)
    static func fold(_ bytes: UnsafeBufferPointer<UInt8>, utf8: Bool, into out: UnsafeMutablePointer<UInt8>) -> Int? {
        asciiFold.withUnsafeBufferPointer { ascii -> Int? in
            var n = 0, i = 0
            var pendingSpace = false
            while i < bytes.count {
                let b = bytes[i]
                var first: UInt8, second: UInt8 = 0
                if b < 0x80 {
                    // A table, not range tests: the key hash of e-mail addresses and organisation
                    // names was the largest cost of the CSV mapping thread.
                    first = ascii[Int(b)]
                    i &+= 1
                } else {
                    guard utf8, let c = latinCharacter(bytes, at: i) else { return nil }
                    (first, second) = (c.first, c.second)
                    i &+= c.length
                }
                if first == 0 {
                    pendingSpace = true
                    continue
                }
                if pendingSpace && n != 0 {
                    out[n] = 0x20
                    n &+= 1
                }
                pendingSpace = false
                out[n] = first
                n &+= 1
                if second != 0 {
                    out[n] = second
                    n &+= 1
                }
            }
            return n
        }
    }

    /// ASCII byte → its folded letter or digit (lower case); 0 for a separator.
    static let asciiFold: [UInt8] = (0..<128).map { (value: Int) -> UInt8 in
        let b = UInt8(value)
        guard isASCIIAlphanumeric(b) else { return 0 }
        return b >= 65 && b <= 90 ? b + 32 : b
    }

    /// The non-ASCII UTF-8 character at `i`: its folded letters (lower-case ASCII, `first` 0 for a
    /// separator) and its length in bytes; nil when not handled (another script). Only valid UTF-8
    /// is accepted (continuation bytes checked), so a key built from raw bytes is the key of the very
    /// text the decoder would produce.
    @inline(__always)
    static func latinCharacter(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (first: UInt8, second: UInt8, length: Int)? {
        let b = bytes[i], n = bytes.count
        if b >= 0xC3 && b <= 0xC5 && i + 1 < n && bytes[i + 1] & 0xC0 == 0x80 {
            let folded = latinFold[((Int(b & 0x1F) << 6) | Int(bytes[i + 1] & 0x3F)) - 0xC0]
            return folded.0 == 0xFF ? nil : (folded.0, folded.1, 2)
        }
        // No-break space, «, », °, ·…: separators.
        if b == 0xC2 && i + 1 < n && bytes[i + 1] & 0xC0 == 0x80 { return (0, 0, 2) }
        // ’ – — “ ” … and the narrow no-break space: separators.
        if b == 0xE2 && i + 2 < n && bytes[i + 1] == 0x80 && bytes[i + 2] & 0xC0 == 0x80 { return (0, 0, 3) }
        return nil
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

    /// `key.hash(Fold.key(text))` computed straight from the bytes, with no string built.
    /// `utf8`: the bytes are UTF-8, and the Latin letters `latinKey` handles are folded too (person
    /// and organisation names with accents: building and folding their strings was a fifth of the
    /// mapping thread). Otherwise only ASCII is handled. Nil when a byte sequence is not handled
    /// (another script, invalid UTF-8, Windows-1252 text): then use the string path.
    public static func keyHash(_ bytes: UnsafeBufferPointer<UInt8>, utf8: Bool = true, key: PseudonymKey) -> UInt64? {
        // Folded into a buffer, then hashed a word at a time (feeding the hasher byte by byte cost more than the folding).
        withFolded(bytes, utf8: utf8) { KeyedHasher.hash($0, key: key) }
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
