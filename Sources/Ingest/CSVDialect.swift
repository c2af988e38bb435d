/// How a CSV file writes its fields, beyond its delimiter: the quote character, an escape character
/// inside quotes, and spaces after delimiters.
public struct CSVDialect: Equatable, Sendable, CustomStringConvertible {
    /// The byte that opens and closes a quoted field (`"`, or `'` in some exports).
    public var quote = UInt8(ascii: "\"")
    /// Inside a quoted field, this byte makes the next one literal (`\"` in MySQL and PHP exports);
    /// nil: RFC 4180, where a quote is escaped by doubling it.
    public var escape: UInt8?
    /// Spaces after a delimiter (or at a line's start) are not part of the field, and a quote after
    /// them opens a quoted field: `1, "Lyon, Villeurbanne", 3`.
    public var skipInitialSpace = false

    public init(quote: UInt8 = UInt8(ascii: "\""), escape: UInt8? = nil, skipInitialSpace: Bool = false) {
        self.quote = quote
        self.escape = escape
        self.skipInitialSpace = skipInitialSpace
    }

    /// RFC 4180.
    public static let standard = CSVDialect()

    /// What differs from RFC 4180, in words ("quote ', spaces after delimiters skipped"); empty when nothing.
    public var description: String {
        var parts: [String] = []
        if quote != UInt8(ascii: "\"") { parts.append("quote \(String(UnicodeScalar(quote)))") }
        if let escape { parts.append("\(String(UnicodeScalar(escape)))\(String(UnicodeScalar(quote))) escapes a quote") }
        if skipInitialSpace { parts.append("spaces after delimiters skipped") }
        return parts.joined(separator: ", ")
    }
}

/// What the in-place CSV scan reads of a dialect: `CSVDialect`, or RFC 4180 as constants.
protocol ScanDialect {
    var quote: UInt8 { get }
    var escape: UInt8? { get }
    var skipInitialSpace: Bool { get }
}

extension CSVDialect: ScanDialect {}

/// RFC 4180, known at compile time.
struct RFC4180: ScanDialect {
    var quote: UInt8 { UInt8(ascii: "\"") }
    var escape: UInt8? { nil }
    var skipInitialSpace: Bool { false }
}

/// Tells a file's dialect from its first records: the quote character, backslash escapes, spaces
/// after delimiters, and space-separated files.
enum DialectSniffer {
    static let space = UInt8(ascii: " "), backslash = UInt8(ascii: "\\")
    static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    /// The dialect of `head` read with `delimiter`, and why (for `preview`).
    static func dialect(_ head: [UInt8], delimiter: UInt8) -> (CSVDialect, [String]) {
        let sample = Array(head.prefix(64 * 1024))
        var dialect = CSVDialect()
        var why: [String] = []
        // `'` only where no field starts with `"`, and `'…'` fields either hold the delimiter
        // (a `"` reading splits them) or make up most fields: French text is full of apostrophes.
        let double = tally(sample, delimiter: delimiter, quote: UInt8(ascii: "\""))
        if double.quoted == 0 {
            let single = tally(sample, delimiter: delimiter, quote: UInt8(ascii: "'"))
            if single.quoted >= 2, single.holdingDelimiter > 0 || single.quoted * 2 >= single.fields {
                dialect.quote = UInt8(ascii: "'")
                why.append("\(single.quoted) fields quoted with '")
            }
        }
        let chosen = tally(sample, delimiter: delimiter, quote: dialect.quote)
        // `\"` inside a quoted field and not closing it, and never a doubled quote.
        if chosen.backslashQuotes > 0, chosen.doubledQuotes == 0 {
            dialect.escape = backslash
            why.append("\(chosen.backslashQuotes) quotes escaped with \\")
        }
        // Most delimiters followed by a space: `a, b, "c"`.
        if delimiter != space, chosen.delimiters >= 4, chosen.delimitersBeforeSpace * 10 >= chosen.delimiters * 8 {
            dialect.skipInitialSpace = true
            why.append("spaces after \(chosen.delimitersBeforeSpace) of \(chosen.delimiters) delimiters")
        }
        if delimiter == space { dialect.skipInitialSpace = true }
        return (dialect, why)
    }

    /// What a field-by-field reading of `sample` finds.
    struct Tally {
        var fields = 0
        var quoted = 0
        var holdingDelimiter = 0
        var doubledQuotes = 0
        var backslashQuotes = 0
        var delimiters = 0
        var delimitersBeforeSpace = 0
        /// Fields per record (non-blank records; the last one left out when the sample may cut it).
        var counts: [Int] = []
    }

    /// Reads `sample` field by field: a quote opens a field only at its start (after spaces, when
    /// `skipSpaces`) and closes before a delimiter or a line's end.
    static func tally(_ sample: [UInt8], delimiter: UInt8, quote: UInt8, skipSpaces: Bool = true) -> Tally {
        var t = Tally()
        var i = 0, fields = 1, filled = false
        let n = sample.count
        func endRecord() {
            if filled { t.counts.append(fields) }
            fields = 1
            filled = false
        }
        while i < n, t.counts.count < 200 {
            // A field's start.
            if skipSpaces { while i < n, sample[i] == space { i += 1 } }
            let j = i
            if j < n, sample[j] == quote {
                // Quoted: to the quote followed by a delimiter or a line's end.
                var k = j + 1, holds = false
                while k < n {
                    let b = sample[k]
                    if b == backslash, k + 1 < n, sample[k + 1] == quote {
                        let after = k + 2 < n ? sample[k + 2] : lf
                        if after != delimiter && after != cr && after != lf { t.backslashQuotes += 1; k += 2; continue }
                    }
                    if b == quote {
                        if k + 1 < n, sample[k + 1] == quote { t.doubledQuotes += 1; k += 2; continue }
                        break
                    }
                    if b == delimiter { holds = true }
                    k += 1
                }
                t.quoted += 1
                t.fields += 1
                filled = true
                if holds { t.holdingDelimiter += 1 }
                i = k + 1
                // Text after the closing quote belongs to the field.
                while i < n, sample[i] != delimiter, sample[i] != cr, sample[i] != lf { i += 1 }
            } else {
                while i < n, sample[i] != delimiter, sample[i] != cr, sample[i] != lf {
                    filled = true
                    i += 1
                }
                if j < i { t.fields += 1 }
            }
            guard i < n else { break }
            if sample[i] == delimiter {
                t.delimiters += 1
                if i + 1 < n, sample[i + 1] == space { t.delimitersBeforeSpace += 1 }
                if delimiter == space {
                    // Spaces ending a line separate nothing.
                    var k = i + 1
                    while k < n, sample[k] == space { k += 1 }
                    if k >= n || sample[k] == cr || sample[k] == lf { i = k; continue }
                }
                fields += 1
                i += 1
                continue
            }
            // A line's end.
            if sample[i] == cr, i + 1 < n, sample[i + 1] == lf { i += 1 }
            i += 1
            endRecord()
        }
        if i >= n { endRecord() }
        return t
    }

    /// Space-separated values (when no other delimiter splits the lines): every record splits into
    /// the same number of fields, two or more, at runs of spaces.
    static func spaceSeparated(_ head: [UInt8]) -> Bool {
        var counts = tally(Array(head.prefix(64 * 1024)), delimiter: space, quote: UInt8(ascii: "\"")).counts
        if head.count > 64 * 1024 || head.count >= 1 << 20, counts.count > 1 { counts.removeLast() }
        guard counts.count >= 2, let first = counts.first, first > 1 else { return false }
        return counts.allSatisfy { $0 == first }
    }

    /// Lines that split at spaces, but not evenly (an aligned, fixed-width listing?): worth a hint
    /// when no delimiter splits them.
    static func unevenlySpaced(_ head: [UInt8]) -> Bool {
        let counts = tally(Array(head.prefix(64 * 1024)), delimiter: space, quote: UInt8(ascii: "\"")).counts
        return counts.count >= 2 && counts.filter { $0 > 1 }.count * 2 > counts.count
    }
}
