import Ingest
import Records

/// What one column of an export holds, tallied value by value: types, dates, distinct values.
public struct ColumnProfile: Sendable {
    public let header: String
    /// 0-based position in the table.
    public let position: Int
    public private(set) var filled = 0
    public private(set) var empty = 0
    public private(set) var integers = 0
    public private(set) var decimalComma = 0
    public private(set) var decimalPoint = 0
    public private(set) var emails = 0
    public private(set) var phones = 0
    /// Answers on the 1–5 agreement scale (numbers or labels) and "no answer" labels.
    public private(set) var likertNumbers = 0
    public private(set) var likertLabels = 0
    public private(set) var likertMissing = 0
    /// Dates by written shape ("dd/mm/yyyy", "yyyy-mm-dd hh:mm"…), and month-first ones refused.
    public private(set) var dateShapes: [String: Int] = [:]
    public private(set) var ambiguousDates = 0
    /// Dates per month (year × 12 + month − 1), for the periods.
    public private(set) var months: [Int: Int] = [:]
    public private(set) var smallest: Int?
    public private(set) var largest: Int?
    public private(set) var totalLength = 0
    /// Distinct values (trimmed, as first written) with their counts, up to `distinctLimit`.
    public private(set) var distinct: [String: Int] = [:]
    /// Values of distinct spellings beyond the limit (not tallied).
    public private(set) var overflow = 0

    public static let distinctLimit = 2_000

    public init(header: String, position: Int) {
        self.header = header
        self.position = position
    }

    public var dates: Int { dateShapes.values.reduce(0, +) }

    /// The share of filled cells `count` is.
    public func share(_ count: Int) -> Double { filled == 0 ? 0 : Double(count) / Double(filled) }

    /// Whether every value was tallied (few enough distinct spellings).
    public var complete: Bool { overflow == 0 }

    public var emptyShare: Double { filled + empty == 0 ? 1 : Double(empty) / Double(filled + empty) }

    /// Tallies one cell.
    public mutating func add(_ raw: String) {
        let value = raw.trimmedWhitespace
        guard !value.isEmpty else { empty += 1; return }
        filled += 1
        totalLength += value.count
        if distinct[value] != nil || distinct.count < Self.distinctLimit { distinct[value, default: 0] += 1 } else { overflow += 1 }
        if let n = Int(value) {
            integers += 1
            smallest = min(smallest ?? n, n)
            largest = max(largest ?? n, n)
            if (1...5).contains(n) { likertNumbers += 1 }
        } else if ValueShapes.isDecimal(value, mark: ",") {
            decimalComma += 1
        } else if ValueShapes.isDecimal(value, mark: ".") {
            decimalPoint += 1
        }
        if ValueShapes.isEmail(value) { emails += 1 } else if ValueShapes.isPhone(value) { phones += 1 }
        if Int(value) == nil {
            switch DateParser.parse(value) {
            case .success(let d):
                dateShapes[ValueShapes.dateShape(value), default: 0] += 1
                months[d.year * 12 + d.month - 1, default: 0] += 1
            case .failure(.ambiguous): ambiguousDates += 1
            case .failure: break
            }
        }
        if Answers.scale.resolve(value) != nil { likertLabels += 1 } else if Answers.missing.resolve(value) != nil { likertMissing += 1 }
    }

    /// The answers on the agreement scale, numbers 1–5, labels or "no answer", as a share of filled cells.
    public var likertShare: Double { share(likertNumbers + likertLabels + likertMissing) }

    /// A column of answers: mostly 1–5 or agreement labels, at least two distinct answers, few spellings.
    public var isLikert: Bool {
        filled >= 2 && likertShare >= 0.9 && (likertLabels > 0 || (integers == likertNumbers && integers > 0))
            && distinct.count <= 12 && distinct.count >= 2 && complete
    }

    /// The most common date shape.
    public var dateShape: String? { dateShapes.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key }

    /// What the column holds, in a few words (`preview`).
    public var inferredType: String {
        guard filled > 0 else { return "empty" }
        if share(emails) >= 0.8 { return "e-mail addresses" }
        if share(phones) >= 0.8 { return "phone numbers" }
        if share(dates) >= 0.8, let shape = dateShape {
            return "date \(shape)" + (ambiguousDates > 0 ? " (\(ambiguousDates) month-first, refused)" : "")
        }
        if isLikert {
            return likertLabels > 0 ? "Likert labels (agreement, 1–5)" : "integer 1–5 (a Likert scale?)"
        }
        if share(integers) >= 0.9, let smallest, let largest { return "integer \(smallest)–\(largest)" }
        if decimalComma > 0, share(integers + decimalComma) >= 0.9 { return "decimal with comma" }
        if decimalPoint > 0, share(integers + decimalPoint) >= 0.9 { return "decimal with point" }
        let mean = totalLength / max(filled, 1)
        return mean > 40 ? "free text" : "text"
    }
}

/// Shapes of values: e-mail, phone, decimal, the written form of a date.
public enum ValueShapes {
    public static func isEmail(_ s: String) -> Bool {
        guard let at = s.firstIndex(of: "@"), at != s.startIndex, !s.contains(" ") else { return false }
        let domain = s[s.index(after: at)...]
        return domain.contains(".") && !domain.contains("@") && domain.last != "."
    }

    /// Nine to fifteen digits starting with 0 or +, with spaces, dots, dashes or brackets.
    public static func isPhone(_ s: String) -> Bool {
        guard s.first == "0" || s.first == "+" else { return false }
        var digits = 0
        for c in s {
            if c.isASCII && c.isNumber { digits += 1 } else if !" .-+()\u{00A0}".contains(c) { return false }
        }
        return (9...15).contains(digits) && !s.contains("/")
    }

    /// `12,5`, `1 234,5` (mark ","), `12.5` (mark "."): digits, one mark, digits.
    public static func isDecimal(_ s: String, mark: Character) -> Bool {
        let compact = s.filter { $0 != " " && $0 != "\u{00A0}" && $0 != "\u{202F}" }
        let body = compact.hasPrefix("-") ? compact.dropFirst() : Substring(compact)
        let parts = body.split(separator: mark, omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// "19/09/2024" → "dd/mm/yyyy", "2025-01-06 12:32:00" → "yyyy-mm-dd hh:mm:ss", "3 mai 2025" → "d month yyyy".
    public static func dateShape(_ s: String) -> String {
        var date = Substring(s), time = ""
        if let t = s.firstIndex(where: { $0 == "T" || $0 == " " }), s[t...].contains(":") {
            date = s[..<t]
            let clock = s[s.index(after: t)...].prefix { $0.isNumber || $0 == ":" }
            time = " " + (clock.split(separator: ":").count >= 3 ? "hh:mm:ss" : "hh:mm")
        }
        if date.contains(where: \.isLetter) { return "d month yyyy" + time }
        let groups = date.split(whereSeparator: { !$0.isNumber })
        guard groups.count == 3, let sep = date.first(where: { !$0.isNumber }) else { return "yyyymmdd" + time }
        if groups[0].count == 4 { return "yyyy\(sep)mm\(sep)dd" + time }
        return "dd\(sep)mm\(sep)" + String(repeating: "y", count: groups[2].count) + time
    }
}

/// The answer labels a draft recognises: the pipeline's built-in scale and "no answer" labels, and
/// the English ones it proposes to add.
public enum Answers {
    /// Written into a draft's `questionnaire.scale` when an export uses them.
    public static let englishScale: [Vocabulary.Entry] = [
        .init(id: "1", label: "", aliases: ["Strongly disagree", "Totally disagree"]),
        .init(id: "2", label: "", aliases: ["Disagree", "Somewhat disagree", "Rather disagree"]),
        .init(id: "3", label: "", aliases: ["Neither agree nor disagree", "Neutral", "Neither agree or disagree"]),
        .init(id: "4", label: "", aliases: ["Agree", "Somewhat agree", "Rather agree"]),
        .init(id: "5", label: "", aliases: ["Strongly agree", "Totally agree", "Completely agree"]),
    ]
    public static let englishMissing = ["Don't know", "Do not know", "No opinion", "Prefer not to say", "Not applicable"]

    public static let scale: Vocabulary = {
        var v = Vocabulary(name: "scale")
        Questionnaire.defaultScale.forEach { v.add($0) }
        englishScale.forEach { v.add(.init(id: $0.id, label: v.label(of: $0.id), aliases: $0.aliases)) }
        return v
    }()

    public static let missing: Vocabulary = {
        var v = Vocabulary(name: "missing")
        Questionnaire.defaultMissing.forEach { v.add($0) }
        v.add(.init(id: "missing", label: "NSP", aliases: englishMissing))
        return v
    }()

    /// Whether a label is one the pipeline reads without help (else the draft adds it).
    public static func isBuiltIn(_ label: String) -> Bool {
        builtIn.resolve(label) != nil || builtInMissing.resolve(label) != nil
    }

    private static let builtIn: Vocabulary = {
        var v = Vocabulary(name: "scale")
        Questionnaire.defaultScale.forEach { v.add($0) }
        return v
    }()

    private static let builtInMissing: Vocabulary = {
        var v = Vocabulary(name: "missing")
        Questionnaire.defaultMissing.forEach { v.add($0) }
        return v
    }()
}
