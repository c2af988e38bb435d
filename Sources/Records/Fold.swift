/// Folding of free labels into matching keys: case, accents, punctuation and spacing ignored.
public enum Fold {
    /// "  Saint-Étienne (42) " → "saint etienne 42".
    public static func key(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        var ascii = true
        for b in text.utf8 {
            if b >= 0x80 { ascii = false; break }
            if isASCIIAlphanumeric(b) {
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(b >= 65 && b <= 90 ? b + 32 : b)
            } else {
                pendingSpace = true
            }
        }
        if ascii { return String(decoding: out, as: UTF8.self) }
        return unicodeKey(text)
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
