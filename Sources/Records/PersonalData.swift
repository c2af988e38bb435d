/// The one rule for what of an export's content may be shown in a reject or a message.
///
/// A field that holds or may hold a person (the person key, names, free text, organisations, any
/// field of a header-less or unmapped row — field "") never shows its value: it becomes a mask saying
/// only its length. A vocabulary or typed field (territory, type, action code, date, wave, contract…)
/// shows its value — evaluators need it to add an alias — unless it looks like an e-mail address or a
/// phone number. Masks are written as language-neutral tokens here (so the store and partition states
/// hold no personal data either) and rendered in the report's language by `render`, which also masks
/// the words of every name read in the inputs' name fields.
public enum PersonalData {
    /// Fields whose values are shown (vocabulary, codes, dates, numbers); `item.` and `counts.` fields too.
    static let shownFields: Set<String> = ["territory", "stakeholder_type", "action_type", "event", "contract", "referrer_type",
                                           "wave", "date", "contract_start", "contract_end", "contract_months", "duration_hours",
                                           "action_id"]

    /// Whether a field's values may be shown (after e-mails and phones are masked).
    public static func isShown(field: String) -> Bool {
        shownFields.contains(field) || field.hasPrefix("item.") || field.hasPrefix("counts.")
    }

    /// A mask, as a token that no export can forge (private-use characters are dropped from values first).
    public enum Mask: Equatable, Sendable {
        case email, phone, name
        /// A value hidden whole: its length in characters.
        case hidden(Int)

        var token: String {
            switch self {
            case .email: return "\u{E000}e\u{E001}"
            case .phone: return "\u{E000}p\u{E001}"
            case .name: return "\u{E000}n\u{E001}"
            case .hidden(let count): return "\u{E000}h\(count)\u{E001}"
            }
        }
    }

    /// `value` as a reject may show it, for a value of `field`.
    public static func mask(_ value: String, field: String) -> String {
        if isToken(value) || value.isEmpty { return value }
        let clean = String(value.unicodeScalars.filter { !(0xE000...0xE001).contains($0.value) }.map(Character.init))
        return isShown(field: field) ? maskContacts(clean) : Mask.hidden(clean.count).token
    }

    /// Whether `text` is exactly one mask token (already masked: masking again keeps it).
    static func isToken(_ text: String) -> Bool {
        text.hasPrefix("\u{E000}") && text.hasSuffix("\u{E001}") && text.unicodeScalars.filter { $0 == "\u{E000}" }.count == 1
    }

    /// E-mail addresses and phone numbers (9 digits or more, however grouped) replaced by masks.
    public static func maskContacts(_ text: String) -> String {
        guard mayHoldContacts(text) else { return text }
        return ThemeText.scrub(text, isName: { _ in false }, email: Mask.email.token, phone: Mask.phone.token, name: Mask.name.token)
    }

    /// Most values (codes, labels, messages) have neither an '@' nor 9 digits: one pass over the bytes says so.
    static func mayHoldContacts(_ text: String) -> Bool {
        var digits = 0
        for b in text.utf8 {
            if b == UInt8(ascii: "@") { return true }
            if b >= 48 && b <= 57 { digits += 1 }
        }
        return digits >= 9
    }

    /// Labels of the masks in one language.
    public struct Labels: Sendable {
        public let email: String, phone: String, name: String
        /// With `{1}` for the number of characters.
        public let hidden: String

        public init(email: String, phone: String, name: String, hidden: String) {
            self.email = email
            self.phone = phone
            self.name = name
            self.hidden = hidden
        }
    }

    /// `text` for an output: tokens rendered in `labels`' language, e-mails and phones masked, and
    /// every word `isName` recognises (the names read in the inputs) replaced; nil `isName`: no names to look for.
    public static func render(_ text: String, labels: Labels, isName: ((String) -> Bool)?) -> String {
        var out = ""
        var rest = Substring(text)
        // No byte 0xEE (U+E000 is EE 80 80): no token, and the Character search below is the costly part.
        if !text.utf8.contains(0xEE) { (out, rest) = (text, "") }
        while let start = rest.firstIndex(of: "\u{E000}") {
            out += rest[..<start]
            guard let end = rest[start...].firstIndex(of: "\u{E001}") else { rest = rest[rest.index(after: start)...]; continue }
            let kind = rest[rest.index(after: start)..<end]
            switch kind.first {
            case "e": out += labels.email
            case "p": out += labels.phone
            case "n": out += labels.name
            default: out += labels.hidden.replacing("{1}", with: String(kind.dropFirst()))
            }
            rest = rest[rest.index(after: end)...]
        }
        out += rest
        // The full scrub only where there may be something to mask: it is costly (docs/performance.md).
        // Without names (organisation names, thousands of them) the words are not even folded.
        let hasName = isName.map { isName in
            out.split(separator: " ").contains { Fold.key(String($0)).split(separator: " ").contains { isName(String($0)) } }
        } ?? false
        guard hasName || mayHoldContacts(out) else { return out }
        return ThemeText.scrub(out, isName: isName ?? { _ in false }, email: labels.email, phone: labels.phone, name: labels.name)
    }
}
