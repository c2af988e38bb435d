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
    /// Distinct values (trimmed, as first written) with what they are, up to `distinctLimit`.
    private var values: [String: ValueKind] = [:]
    /// Values of distinct spellings beyond the limit (not tallied).
    public private(set) var overflow = 0
    /// Date parts already read ("2025-01-06" of "2025-01-06 12:32:00"): timestamps repeat their day.
    private var days: [Substring: ValueKind] = [:]

    public static let distinctLimit = 2_000

    public init(header: String, position: Int) {
        self.header = header
        self.position = position
    }

    /// Distinct values with their counts (the first `distinctLimit` spellings).
    public var distinct: [String: Int] { values.mapValues(\.count) }

    public var dates: Int { dateShapes.values.reduce(0, +) }

    /// The share of filled cells `count` is.
    public func share(_ count: Int) -> Double { filled == 0 ? 0 : Double(count) / Double(filled) }

    /// Whether every value was tallied (few enough distinct spellings).
    public var complete: Bool { overflow == 0 }

    public var emptyShare: Double { filled + empty == 0 ? 1 : Double(empty) / Double(filled + empty) }

    /// Tallies one cell. A value is read once (what it is, then only counted): a 100 MB export's
    /// cells are mostly repeats, and reading each as a number, a date and a label took 84 s.
    public mutating func add(_ raw: String) {
        let value = Self.mayNeedTrimming(raw) ? raw.trimmedWhitespace : raw
        guard !value.isEmpty else { empty += 1; return }
        filled += 1
        totalLength += value.utf8.count
        let kind: ValueKind
        if let i = values.index(forKey: value) {
            values.values[i].count += 1
            kind = values.values[i]
        } else {
            kind = classify(value)
            if values.count < Self.distinctLimit { values[value] = kind } else { overflow += 1 }
        }
        if let n = kind.integer {
            integers += 1
            smallest = min(smallest ?? n, n)
            largest = max(largest ?? n, n)
            if (1...5).contains(n) { likertNumbers += 1 }
        }
        if kind.flags.contains(.decimalComma) { decimalComma += 1 }
        if kind.flags.contains(.decimalPoint) { decimalPoint += 1 }
        if kind.flags.contains(.email) { emails += 1 }
        if kind.flags.contains(.phone) { phones += 1 }
        if kind.flags.contains(.likertLabel) { likertLabels += 1 }
        if kind.flags.contains(.likertMissing) { likertMissing += 1 }
        if kind.flags.contains(.ambiguousDate) { ambiguousDates += 1 }
        if let shape = kind.dateShape, let month = kind.month {
            dateShapes[shape, default: 0] += 1
            months[month, default: 0] += 1
        }
    }

    /// Whether `raw` may start or end with white space (ASCII tested on the bytes; anything else
    /// beyond ASCII goes to the character test).
    static func mayNeedTrimming(_ raw: String) -> Bool {
        guard let first = raw.utf8.first, let last = raw.utf8.last else { return false }
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b >= 0x80 }
        return blank(first) || blank(last)
    }

    /// What a value is; cheap tests first, so that an e-mail or a name is never parsed as a date.
    private mutating func classify(_ value: String) -> ValueKind {
        var kind = ValueKind()
        let utf8 = value.utf8
        let first = utf8.first ?? 0
        let digitFirst = first >= 0x30 && first <= 0x39
        if digitFirst || first == UInt8(ascii: "-") {
            if utf8.count <= 18, let n = Int(value) {
                kind.integer = n
                return kind
            }
            if ValueShapes.isDecimal(value, mark: ",") { kind.flags.insert(.decimalComma) }
            else if ValueShapes.isDecimal(value, mark: ".") { kind.flags.insert(.decimalPoint) }
        }
        let hasAt = utf8.contains(UInt8(ascii: "@"))
        if hasAt, ValueShapes.isEmail(value) { kind.flags.insert(.email) }
        if first == UInt8(ascii: "0") || first == UInt8(ascii: "+"), ValueShapes.isPhone(value) { kind.flags.insert(.phone) }
        // A date has a separator or a month's name: a phone number or an amount is not parsed as one.
        if digitFirst, utf8.count >= 6, utf8.count <= 40,
           utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }) {
            date(value, into: &kind)
        }
        // Answer labels are few: a column past the distinct limit holds none worth reading.
        if !hasAt, !digitFirst, utf8.count <= 60, values.count < Self.distinctLimit {
            if Answers.scale.resolve(value) != nil { kind.flags.insert(.likertLabel) }
            else if Answers.missing.resolve(value) != nil { kind.flags.insert(.likertMissing) }
        }
        return kind
    }

    /// A date, read once per day written (the time of a timestamp is left aside by the parser too).
    private mutating func date(_ value: String, into kind: inout ValueKind) {
        let day = value.prefix { $0 != " " && $0 != "T" }
        let time = value.dropFirst(day.count)
        let clock = time.isEmpty || time.utf8.contains(UInt8(ascii: ":"))
        if clock, let known = days[day] {
            kind.merge(date: known, shape: known.month == nil ? nil : ValueShapes.dateShape(value))
            return
        }
        var found = ValueKind()
        switch DateParser.parse(value) {
        case .success(let d):
            found.dateShape = ValueShapes.dateShape(value)
            found.month = d.year * 12 + d.month - 1
        case .failure(.ambiguous): found.flags.insert(.ambiguousDate)
        case .failure: break
        }
        if days.count > 10_000 { days.removeAll(keepingCapacity: true) }
        if clock { days[day] = found }
        kind.merge(date: found, shape: found.dateShape)
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
        let bytes = s.utf8
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at != bytes.startIndex, !bytes.contains(UInt8(ascii: " ")) else { return false }
        let domain = bytes[bytes.index(after: at)...]
        return domain.contains(UInt8(ascii: ".")) && !domain.contains(UInt8(ascii: "@")) && domain.last != UInt8(ascii: ".")
    }

    /// Nine to fifteen digits starting with 0 or +, with spaces, dots, dashes or brackets.
    public static func isPhone(_ s: String) -> Bool {
        guard s.first == "0" || s.first == "+" else { return false }
        var digits = 0
        for c in s {
            if c.isASCII && c.isNumber { digits += 1 } else if !" .-+()\u{00A0}".contains(c) { return false }
        }
        return (9...15).contains(digits) && !s.utf8.contains(UInt8(ascii: "/"))
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
        if let t = s.firstIndex(where: { $0 == "T" || $0 == " " }), s[t...].utf8.contains(UInt8(ascii: ":")) {
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

/// What a value is, once read: a number, a date and its month, an e-mail…
struct ValueKind: Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt16
        static let decimalComma = Flags(rawValue: 1), decimalPoint = Flags(rawValue: 2), email = Flags(rawValue: 4)
        static let phone = Flags(rawValue: 8), likertLabel = Flags(rawValue: 16), likertMissing = Flags(rawValue: 32)
        static let ambiguousDate = Flags(rawValue: 64)
    }

    var count = 1
    var flags: Flags = []
    var integer: Int?
    var dateShape: String?
    var month: Int?

    mutating func merge(date other: ValueKind, shape: String?) {
        if other.flags.contains(.ambiguousDate) { flags.insert(.ambiguousDate) }
        month = other.month
        dateShape = other.month == nil ? nil : shape
    }
}
