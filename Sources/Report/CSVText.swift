/// CSV writing shared by every output: quoting and spreadsheet-formula neutralisation.
public enum CSVText {
    /// A text field safe for spreadsheets: a value starting with `=`, `+`, `-`, `@`, tab or CR gets a
    /// leading apostrophe (OWASP's advice), then the field is quoted when it needs to be.
    public static func field(_ text: String, delimiter: Character = ",") -> String {
        var out = CSVBytes(delimiter: delimiter)
        out.field(text)
        return out.text
    }

    /// A field we generated (numbers): quoted when needed, never prefixed.
    public static func quoted(_ value: String, delimiter: Character = ",") -> String {
        var out = CSVBytes(delimiter: delimiter)
        out.quoted(value)
        return out.text
    }
}

/// A CSV file's bytes as it is written, its fields by the rules of `CSVText`. Bytes, not a
/// `String`: appending to a growing `String` (about 340 instructions a call) and scanning fields
/// through `String.utf8` were most of the time spent writing the indicator tables.
public struct CSVBytes {
    public private(set) var bytes: [UInt8] = []
    /// The field delimiter, as a byte: read once, not from a `Character` per field (about 300 instructions).
    public let delimiter: UInt8

    public init(capacity: Int = 0, delimiter: Character = ",") {
        self.delimiter = delimiter.asciiValue ?? UInt8(ascii: ",")
        bytes.reserveCapacity(capacity)
    }

    /// The bytes as text (they are UTF-8: every piece came from a `String`).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends `text` as it is (a header, a number, a line break).
    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends `text` with every byte `old` made `new` (ASCII both: a decimal point made a comma).
    public mutating func append(_ text: String, replacing old: UInt8, with new: UInt8) {
        var text = text
        text.withUTF8 { utf8 in
            for b in utf8 { bytes.append(b == old ? new : b) }
        }
    }

    /// Appends one byte (a line break).
    public mutating func append(byte: UInt8) { bytes.append(byte) }

    /// Appends the delimiter the fields are written for (one rule: the byte quoting looks for).
    public mutating func appendDelimiter() { bytes.append(delimiter) }

    /// Appends a text field: see `CSVText.field`.
    public mutating func field(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            // The first byte stands for the first character: these are ASCII, and a longer character's first byte is not.
            let formula: Bool
            switch utf8.first {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: formula = true
            default: formula = false
            }
            write(utf8, apostrophe: formula)
        }
    }

    /// Appends a field we generated: see `CSVText.quoted`.
    public mutating func quoted(_ value: String) {
        var value = value
        value.withUTF8 { write($0, apostrophe: false) }
    }

    /// Appends `utf8` (after an apostrophe when asked), quoted when it holds the delimiter, a quote or a line break.
    private mutating func write(_ utf8: UnsafeBufferPointer<UInt8>, apostrophe: Bool) {
        let d = delimiter, quote = UInt8(ascii: "\"")
        let needsQuotes = utf8.contains { $0 == d || $0 == quote || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes { bytes.append(quote) }
        if apostrophe { bytes.append(UInt8(ascii: "'")) }
        if needsQuotes {
            for b in utf8 {
                if b == quote { bytes.append(quote) }
                bytes.append(b)
            }
            bytes.append(quote)
        } else {
            bytes.append(contentsOf: utf8)
        }
    }
}
