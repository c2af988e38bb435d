/// Text matching for the theme lexicon: folded words (case, accents, punctuation ignored) in the
/// singular (French plurals in -s, -x; "-aux" → "-al").
public enum ThemeText {
    /// "Les Transports en commun" → ["le", "transport", "en", "commun"].
    public static func words(_ text: String) -> [String] {
        Fold.key(text).split(separator: " ").map { singular(String($0)) }
    }

    static func singular(_ word: String) -> String {
        guard word.count > 3 else { return word }
        if word.hasSuffix("aux") { return String(word.dropLast(3)) + "al" }
        if word.hasSuffix("s") || word.hasSuffix("x") { return String(word.dropLast()) }
        return word
    }

    /// Whether the phrase `keyword` (singular words) appears in `words`.
    public static func contains(_ words: [String], _ keyword: [String]) -> Bool {
        guard !keyword.isEmpty, words.count >= keyword.count else { return false }
        for start in 0...(words.count - keyword.count) where words[start] == keyword[0] {
            if Array(words[start..<(start + keyword.count)]) == keyword { return true }
        }
        return false
    }

    /// A comment safe to quote: e-mail addresses, phone numbers and the given names (folded words) replaced.
    public static func scrub(_ text: String, names: Set<String>, email: String, phone: String, name: String) -> String {
        scrub(text, isName: names.contains, email: email, phone: phone, name: name)
    }

    /// The same, names recognised by `isName` (given each folded word).
    public static func scrub(_ text: String, isName: (String) -> Bool, email: String, phone: String, name: String) -> String {
        var out: [String] = []
        for token in text.split(separator: " ", omittingEmptySubsequences: false) {
            let t = String(token)
            if t.contains("@") && t.contains(".") { out.append(email); continue }
            let core = Fold.key(t)
            if !core.isEmpty, core.split(separator: " ").contains(where: { isName(String($0)) }) {
                // Keep the punctuation around the name: "Martin," → "[nom],".
                let lead = t.prefix { !$0.isLetter && !$0.isNumber }
                let trail = String(t.reversed().prefix { !$0.isLetter && !$0.isNumber }.reversed())
                out.append(lead + name + trail)
                continue
            }
            out.append(t)
        }
        // Phone numbers: 9+ digits once spaces, dots, dashes and "+33" grouping are ignored.
        var result = out.joined(separator: " ")
        var i = result.startIndex
        var scrubbed = ""
        while i < result.endIndex {
            if result[i].isNumber || (result[i] == "+" && result.index(after: i) < result.endIndex && result[result.index(after: i)].isNumber) {
                var j = i
                var digits = 0
                var end = i
                while j < result.endIndex, result[j].isNumber || " .-+()".contains(result[j]) {
                    if result[j].isNumber { digits += 1; end = result.index(after: j) }
                    j = result.index(after: j)
                }
                if digits >= 9 {
                    scrubbed += phone
                    i = end
                    continue
                }
            }
            scrubbed.append(result[i])
            i = result.index(after: i)
        }
        result = scrubbed
        // Collapse what scrubbing left: "[nom] [nom]" → "[nom]".
        while result.contains("\(name) \(name)") { result = result.replacing("\(name) \(name)", with: name) }
        return result
    }
}
