import Records

/// Why a text could not be read as a date.
public enum DateProblem: Error, Equatable, Sendable {
    /// Not a date at all ("demain", "45678").
    case format(String)
    /// Shaped like a date but the day does not exist (31/02/2025).
    case invalid(String)
    /// Could be read two ways (12/31/2025 only makes sense month-first): never guessed.
    case ambiguous(String)
}

/// Dates as French exports write them: `dd/mm/yyyy`, `dd/mm/yy`, ISO `yyyy-mm-dd`, "3 mai 2025",
/// each possibly followed by a time. Day-first always; month-first is never guessed.
public enum DateParser {
    static let months: [String: Int] = [
        "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
        "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
        "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
    ]

    /// Parses `text` (already trimmed or not).
    public static func parse(_ text: String) -> Result<CalendarDate, DateProblem> {
        numericDate(text) ?? generalDate(text)
    }

    /// Every shape `parse` reads, Character by Character.
    static func generalDate(_ text: String) -> Result<CalendarDate, DateProblem> {
        let trimmed = text.trimmedWhitespace
        var datePart = Substring(trimmed)
        // Drop a time: "12/03/2025 14:35", "2025-03-12T09:00:00Z".
        if let t = datePart.firstIndex(where: { $0 == "T" || $0 == " " }), datePart[t...].utf8.contains(UInt8(ascii: ":")) {
            datePart = datePart[..<t]
        }
        let chars = Array(datePart)
        let separators = chars.filter { !$0.isNumber }
        let numbers = datePart.split(whereSeparator: { !$0.isNumber }).map(String.init)
        if separators.isEmpty {
            if chars.count == 8, let y = Int(datePart.prefix(4)), let m = Int(datePart.dropFirst(4).prefix(2)),
               let d = Int(datePart.suffix(2)), y >= 1900 {
                return make(y, m, d, text)
            }
            return .failure(.format(chars.count == 5 ? "a number, not a date (an Excel serial date? export dates as text)" : "not a date"))
        }
        if numbers.count == 3, separators.count == 2, separators[0] == separators[1], "/.-".contains(separators[0]),
           let a = Int(numbers[0]), let b = Int(numbers[1]), let c = Int(numbers[2]) {
            return threeParts((a, b, c), digits: (numbers[0].count, numbers[1].count, numbers[2].count),
                              dashed: separators[0] == "-", text)
        }
        // "3 mai 2025", "1er mars 2025"
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" })
        if words.count == 3, let day = Int(words[0].replacing("er", with: "")), let y = Int(words[2]), words[2].count == 4,
           let m = months[Fold.key(String(words[1]))] {
            return make(y, m, day, text)
        }
        return .failure(.format("not a date"))
    }

    /// Three numbers between two equal separators (`/`, `.` or `-`; `digits`: how many each had).
    static func threeParts(_ n: (Int, Int, Int), digits: (Int, Int, Int), dashed: Bool, _ text: String) -> Result<CalendarDate, DateProblem> {
        let (a, b, c) = n
        if digits.0 == 4 {
            return make(a, b, c, text)  // yyyy-mm-dd (or yyyy/mm/dd)
        }
        guard digits.0 <= 2, digits.1 <= 2 else { return .failure(.format("not a date")) }
        var year = c
        if digits.2 == 2 {
            if dashed { return .failure(.ambiguous("two-digit parts with '-' could be yy-mm-dd or dd-mm-yy")) }
            year = c < 70 ? 2000 + c : 1900 + c
        } else if digits.2 != 4 {
            return .failure(.format("not a date"))
        }
        if b > 12 && a <= 12 {
            return .failure(.ambiguous("only makes sense month-first (mm/dd); French exports are day-first"))
        }
        return make(year, b, a, text)
    }

    /// The shape nearly every export writes — ASCII digits around two equal separators among `/.-`,
    /// nothing else — read from the bytes; nil for anything else, left to `parse`'s general reading.
    /// That reading goes Character by Character with Unicode properties: on a date column it was
    /// most of the mapping thread's time (docs/performance.md). Tests check it against `generalDate`.
    static func numericDate(_ text: String) -> Result<CalendarDate, DateProblem>? {
        var numbers = (0, 0, 0), digits = (0, 0, 0)
        var part = 0, value = 0, count = 0, separator: UInt8 = 0
        func close() -> Bool {
            // An empty part (separators side by side, or at an end) or a long one: the general path.
            guard count > 0, count <= 9, part < 3 else { return false }
            switch part {
            case 0: numbers.0 = value; digits.0 = count
            case 1: numbers.1 = value; digits.1 = count
            default: numbers.2 = value; digits.2 = count
            }
            part += 1
            value = 0
            count = 0
            return true
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = value &* 10 &+ Int(byte &- UInt8(ascii: "0"))
                count += 1
            case UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"):
                if separator == 0 { separator = byte } else if separator != byte { return nil }
                guard close() else { return nil }
            default:
                return nil
            }
        }
        guard close(), part == 3 else { return nil }
        return threeParts(numbers, digits: digits, dashed: separator == UInt8(ascii: "-"), text)
    }

    static func make(_ y: Int, _ m: Int, _ d: Int, _ text: String) -> Result<CalendarDate, DateProblem> {
        guard let date = CalendarDate(year: y, month: m, day: d) else {
            if !(1...12).contains(m) { return .failure(.invalid("month \(m) does not exist")) }
            return .failure(.invalid("day \(d) does not exist in \(y)-\(m < 10 ? "0" : "")\(m)"))
        }
        return .success(date)
    }
}

/// Why a text could not be read as a number.
public enum NumberProblem: Error, Equatable, Sendable {
    case format
    case negative
    case notWhole
}

/// Numbers as French and English exports write them: `12,5`, `1 234,5`, `1.234,5`, `1,234.5`.
public enum NumberParser {
    /// A decimal; the last of `,`/`.` is the decimal mark when both appear, spaces group thousands.
    public static func parse(_ text: String) -> Double? {
        plainDecimal(text) ?? generalNumber(text)
    }

    /// Every form `parse` reads, Character by Character.
    static func generalNumber(_ text: String) -> Double? {
        var s = ""
        for c in text.trimmedWhitespace where !(c == " " || c == "\u{00A0}" || c == "\u{202F}" || c == "'") { s.append(c) }
        guard !s.isEmpty else { return nil }
        let commas = s.filter { $0 == "," }.count
        let dots = s.filter { $0 == "." }.count
        if commas > 0 && dots > 0 {
            guard let lastComma = s.lastIndex(of: ","), let lastDot = s.lastIndex(of: ".") else { return nil }
            let (decimal, group): (Character, Character) = lastComma > lastDot ? (",", ".") : (".", ",")
            guard s.filter({ $0 == decimal }).count == 1 else { return nil }
            s = String(s.filter { $0 != group }.map { $0 == decimal ? "." : $0 })
        } else if commas > 1 {
            s = s.filter { $0 != "," }
        } else if dots > 1 {
            s = s.filter { $0 != "." }
        } else {
            s = String(s.map { $0 == "," ? "." : $0 })
        }
        guard s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+") }),
              let value = Double(s), value.isFinite else { return nil }
        return value
    }

    /// ASCII digits with at most one `,` or `.` (how exports write counts and durations) read from
    /// the bytes, the value `generalNumber` gives (tests check it); nil for anything else.
    static func plainDecimal(_ text: String) -> Double?? {
        var mark: (offset: Int, byte: UInt8)? = nil, offset = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): break
            case UInt8(ascii: ","), UInt8(ascii: "."):
                guard mark == nil else { return nil }
                mark = (offset, byte)
            default: return nil
            }
            offset += 1
        }
        guard offset > 0 else { return nil }
        var value = Double(text)
        if let mark, mark.byte == UInt8(ascii: ",") {
            var bytes = Array(text.utf8)
            bytes[mark.offset] = UInt8(ascii: ".")
            value = Double(String(decoding: bytes, as: UTF8.self))
        }
        return .some(value.flatMap { $0.isFinite ? $0 : nil })
    }

    /// A whole number ≥ 0 (a participant count).
    public static func count(_ text: String) -> Result<Int, NumberProblem> {
        guard let v = parse(text) else { return .failure(.format) }
        if v < 0 { return .failure(.negative) }
        guard v == v.rounded(), v < 1e12 else { return .failure(.notWhole) }
        return .success(Int(v))
    }
}
