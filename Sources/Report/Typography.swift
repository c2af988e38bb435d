/// No-break spaces where typography puts them, so a line never starts with "»", ":", "%" or a lone
/// unit: applied to every plain run of the report by both renderers (never to code).
enum Typography {
    static let narrow: Unicode.Scalar = "\u{202F}"
    static let noBreak: Unicode.Scalar = "\u{00A0}"

    /// French: U+202F after « and before » ; : ! ? %, U+00A0 between a count and the word after it;
    /// both languages: U+00A0 around = and < ("n = 49", "p < 0,001").
    static func apply(_ text: String, language: String) -> String {
        // Most runs (numbers, names) hold no space: nothing to do.
        guard text.utf8.contains(where: { $0 == 0x20 || $0 == 0xC2 || $0 == 0xE2 }) else { return text }
        let french = language == "fr"
        var s = Array(text.unicodeScalars)
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == noBreak || c == narrow }
        func digitsBefore(_ i: Int) -> Int {
            var j = i
            while j > 0, ("0"..."9").contains(s[j - 1]) { j -= 1 }
            return i - j
        }
        var i = 0
        while i < s.count {
            let c = s[i]
            if isSpace(c) {
                let before = i > 0 ? s[i - 1] : nil, after = i + 1 < s.count ? s[i + 1] : nil
                if french, before == "«" {
                    s[i] = narrow
                } else if french, let after, ["»", ";", ":", "!", "?", "%"].contains(after) {
                    s[i] = narrow
                } else if let after, after == "=" || after == "<", i + 2 < s.count, isSpace(s[i + 2]) {
                    s[i] = noBreak
                    s[i + 2] = noBreak
                    i += 2
                } else if french, c == " ", let after, after.properties.isAlphabetic, (1...3).contains(digitsBefore(i)) {
                    // "127 jours", "5 personnes"; not a year ("2024 au"): counts are grouped from 1 000 on.
                    s[i] = noBreak
                }
            }
            i += 1
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s)
        return String(out)
    }
}
