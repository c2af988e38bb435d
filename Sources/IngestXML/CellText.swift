import Records

/// How a number format shows a number: as itself, or as a date, a time, both, or a duration.
public enum NumberFormatKind: UInt8, Sendable {
    case number, date, time, dateTime, duration

    /// Excel's built-in format ids (ECMA-376 Part 1, 18.8.30, and the East Asian ids 27–36, 50–58).
    public init(builtIn id: Int) {
        switch id {
        case 14...17, 27...36, 50...58: self = .date
        case 18...21, 45, 47: self = .time
        case 22: self = .dateTime
        case 46: self = .duration
        default: self = .number
        }
    }

    /// A custom format code (`dd/mm/yyyy hh:mm`, `[h]:mm:ss`, `#,##0.00 "€"`), read from its first
    /// section: quoted text, escaped characters and bracketed colours or locales are not tokens.
    public init(code: String) {
        var hasDate = false, hasTime = false, hasMonthOrMinute = false, elapsed = false
        let chars = Array(code.lowercased().unicodeScalars)
        var i = 0
        scan: while i < chars.count {
            let c = chars[i]
            switch c {
            case ";": break scan
            case "\"":
                i += 1
                while i < chars.count, chars[i] != "\"" { i += 1 }
            case "\\", "_", "*":
                i += 1
            case "[":
                var inner = ""
                i += 1
                while i < chars.count, chars[i] != "]" { inner.unicodeScalars.append(chars[i]); i += 1 }
                if !inner.isEmpty, inner.allSatisfy({ $0 == "h" }) || inner.allSatisfy({ $0 == "m" }) || inner.allSatisfy({ $0 == "s" }) {
                    elapsed = true
                }
            case "y", "d": hasDate = true
            case "h", "s": hasTime = true
            case "m": hasMonthOrMinute = true
            case "a" where code.lowercased().dropFirst(i).hasPrefix("am/pm") || code.lowercased().dropFirst(i).hasPrefix("a/p"):
                hasTime = true
            default: break
            }
            i += 1
        }
        if elapsed { self = .duration; return }
        // `m` is a month beside days or years, or alone; a minute beside hours or seconds.
        let date = hasDate || (hasMonthOrMinute && !hasTime)
        switch (date, hasTime) {
        case (true, true): self = .dateTime
        case (true, false): self = .date
        case (false, true): self = .time
        default: self = .number
        }
    }
}

/// Cell values turned into the text a user sees.
public enum CellText {
    /// A number without float noise: the shortest text that reads back to the same double, in plain
    /// decimals (`0.1`, `12`, `0.00001`), as a spreadsheet's General format shows it.
    public static func number(_ value: Double) -> String {
        if value == value.rounded(.towardZero), abs(value) < 1e15 { return String(Int64(value)) }
        let text = "\(value)"
        guard let e = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: e)...]), (-20...20).contains(exponent) else {
            return text
        }
        let negative = text.hasPrefix("-")
        let mantissa = text[..<e].drop { $0 == "-" }
        let digits = mantissa.filter { $0 != "." }
        let point = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count) + exponent
        var out = negative ? "-" : ""
        if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out += digits + String(repeating: "0", count: point - digits.count)
        } else {
            out += digits.prefix(point) + "." + digits.dropFirst(point)
        }
        return out
    }

    /// A serial date (days since 1899-12-30, or since 1904-01-01 in the 1904 system) as ISO 8601
    /// text for its format kind; nil outside years 1900…9999.
    public static func serialDate(_ serial: Double, kind: NumberFormatKind, date1904: Bool) -> String? {
        var bytes: [UInt8] = []
        guard appendSerialDate(serial, kind: kind, date1904: date1904, to: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same, appended to `out` as UTF-8 (no `String` per cell: date columns are common); false
    /// (nothing appended) outside years 1900…9999.
    static func appendSerialDate(_ serial: Double, kind: NumberFormatKind, date1904: Bool, to out: inout [UInt8]) -> Bool {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return false }
        let milliseconds = Int64((serial * 86_400_000).rounded())
        let days = Int(milliseconds / 86_400_000)
        let time = milliseconds % 86_400_000
        switch kind {
        case .duration: appendClock(milliseconds: milliseconds, hoursUnbounded: true, to: &out); return true
        case .time: appendClock(milliseconds: time, hoursUnbounded: false, to: &out); return true
        default: break
        }
        if !date1904 && days == 60 {
            out += Array("1900-02-29".utf8)  // Lotus 1-2-3's leap day, kept by Excel: the serial after 1900-02-28
        } else {
            let offset = date1904 ? 24_107 : (days < 60 ? 25_568 : 25_569)
            guard let day = epoch?.adding(days: days - offset) else { return false }
            appendPadded(day.year, 4, to: &out)
            out.append(UInt8(ascii: "-"))
            appendPadded(day.month, 2, to: &out)
            out.append(UInt8(ascii: "-"))
            appendPadded(day.day, 2, to: &out)
        }
        if kind == .dateTime {
            out.append(UInt8(ascii: "T"))
            appendClock(milliseconds: time, hoursUnbounded: false, to: &out)
        }
        return true
    }

    private static let epoch = CalendarDate(year: 1970, month: 1, day: 1)

    /// `hh:mm:ss`, with `.fff` (trailing zeros dropped) when there are milliseconds; hours past 24 for durations.
    static func appendClock(milliseconds: Int64, hoursUnbounded: Bool, to out: inout [UInt8]) {
        let ms = Int(milliseconds % 1_000)
        let seconds = Int(milliseconds / 1_000)
        appendPadded(hoursUnbounded ? seconds / 3_600 : seconds / 3_600 % 24, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(seconds / 60 % 60, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(seconds % 60, 2, to: &out)
        if ms != 0 {
            out.append(UInt8(ascii: "."))
            appendPadded(ms, 3, to: &out)
            while out.last == UInt8(ascii: "0") { out.removeLast() }
        }
    }

    /// `v` (≥ 0) in decimal, left-padded with zeros to `width` digits.
    static func appendPadded(_ v: Int, _ width: Int, to out: inout [UInt8]) {
        var digits = 1, power = 10
        while v >= power { digits += 1; power *= 10 }
        for _ in digits..<max(width, digits) { out.append(UInt8(ascii: "0")) }
        var divisor = power / 10
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            divisor /= 10
        }
    }

    /// An OpenDocument duration (`PT10H10M10.12S`, `P1DT2H`) as `hh:mm:ss`; nil when malformed.
    public static func isoDuration(_ text: String) -> String? {
        var days = 0.0, hours = 0.0, minutes = 0.0, seconds = 0.0
        var number = ""
        var inTime = false
        var negative = false
        for c in text {
            switch c {
            case "-" where number.isEmpty: negative = true
            case "P": break
            case "T": inTime = true
            case "0"..."9", ".", ",": number.append(c == "," ? "." : c)
            case "D", "H", "M", "S":
                guard let v = Double(number) else { return nil }
                number = ""
                switch c {
                case "D": days = v
                case "H": hours = v
                case "M" where inTime: minutes = v
                case "S": seconds = v
                default: return nil  // months or years: not a clock time
                }
            default: return nil
            }
        }
        guard number.isEmpty, !negative else { return nil }
        let total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        guard total.isFinite, total < 1e12 else { return nil }
        var out: [UInt8] = []
        appendClock(milliseconds: Int64((total * 1_000).rounded()), hoursUnbounded: true, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes OOXML's `_xHHHH_` escapes (ECMA-376 Part 1, 22.9.2.19): `_x000D_` is a carriage
    /// return, `_x005F_` an underscore; UTF-16 surrogate pairs are joined. Other text is unchanged.
    static func decodeEscapes(_ bytes: inout [UInt8], from start: Int) {
        guard bytes[start...].contains(UInt8(ascii: "_")) else { return }
        var out: [UInt8] = []
        var i = start
        var pendingHigh: UInt32?
        func hex(_ at: Int) -> UInt32? {
            guard at + 7 <= bytes.count, bytes[at] == UInt8(ascii: "_"), bytes[at + 1] == UInt8(ascii: "x"),
                  bytes[at + 6] == UInt8(ascii: "_") else { return nil }
            var v: UInt32 = 0
            for b in bytes[(at + 2)..<(at + 6)] {
                guard let d = hexDigit(b) else { return nil }
                v = v << 4 | d
            }
            return v
        }
        while i < bytes.count {
            if let unit = hex(i) {
                i += 7
                if (0xD800...0xDBFF).contains(unit) { pendingHigh = unit; continue }
                var scalar = unit
                if (0xDC00...0xDFFF).contains(unit), let high = pendingHigh {
                    scalar = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
                }
                pendingHigh = nil
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            } else {
                if pendingHigh != nil { out.append(contentsOf: "\u{FFFD}".utf8); pendingHigh = nil }
                out.append(bytes[i])
                i += 1
            }
        }
        bytes.replaceSubrange(start..., with: out)
    }

    private static func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
