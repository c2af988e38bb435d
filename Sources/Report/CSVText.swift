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
        guard value.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacing("\"", with: "\"\"") + "\""
    }
}
