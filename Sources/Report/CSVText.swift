/// CSV writing shared by every output: quoting and spreadsheet-formula neutralisation.
public enum CSVText {
    /// A text field safe for spreadsheets: a value starting with `=`, `+`, `-`, `@`, tab or CR gets a
    /// leading apostrophe (OWASP's advice), then the field is quoted when it needs to be.
    public static func field(_ text: String, delimiter: Character = ",") -> String {
        var value = text
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        return quoted(value, delimiter: delimiter)
    }

    /// A field we generated (numbers): quoted when needed, never prefixed.
    public static func quoted(_ value: String, delimiter: Character = ",") -> String {
        // Byte scan, not Character iteration: indicator CSVs have 100,000s of fields (delimiters are ASCII).
        let d = delimiter.asciiValue ?? UInt8(ascii: ",")
        guard value.utf8.contains(where: { $0 == d || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
            return value
        }
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count + 4)
        out.append(UInt8(ascii: "\""))
        for b in value.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
