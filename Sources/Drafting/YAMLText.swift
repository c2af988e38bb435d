/// YAML text written line by line, with comments aligned beside values.
struct YAMLText {
    private(set) var lines: [String] = []
    /// Column where comments beside values start (when the value leaves room).
    static let commentColumn = 40

    /// `text` at `indent` spaces, with `comment` beside it.
    mutating func line(_ indent: Int, _ text: String, _ comment: String? = nil) {
        var line = String(repeating: " ", count: indent) + text
        if let comment, !comment.isEmpty {
            line += String(repeating: " ", count: max(2, Self.commentColumn - line.count)) + "# " + Self.oneLine(comment)
        }
        lines.append(line)
    }

    /// A comment line at `indent`.
    mutating func comment(_ indent: Int, _ text: String) {
        lines.append(String(repeating: " ", count: indent) + "# " + Self.oneLine(text))
    }

    mutating func blank() { lines.append("") }

    /// Lines written elsewhere, commented out at `indent` (a source or entry left for a human to keep).
    mutating func commentedOut(_ other: YAMLText, indent: Int) {
        for l in other.lines {
            let body = l.dropFirst(min(indent, l.prefix { $0 == " " }.count))
            lines.append(String(repeating: " ", count: indent) + "# " + body)
        }
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    static func oneLine(_ s: String) -> String {
        s.replacing("\r\n", with: " ").replacing("\n", with: " ").replacing("\r", with: " ")
    }

    /// `s` as a YAML scalar: plain when it reads back as the same text, else double-quoted.
    /// `flow`: inside `[…]` or `{…}`, where commas and brackets end a plain scalar.
    static func scalar(_ s: String, flow: Bool = false) -> String {
        plainIsSafe(s, flow: flow) ? s : quoted(s)
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || scalar.value == 0xFEFF
                    || (0x2028...0x2029).contains(scalar.value) {
                    out += "\\u" + String(String(scalar.value, radix: 16).leftPadded(to: 4))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]

    private static func plainIsSafe(_ s: String, flow: Bool) -> Bool {
        guard let first = s.first, let last = s.last, !first.isWhitespace, !last.isWhitespace else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) { return false }
        if reserved.contains(s.lowercased()) || Double(s) != nil || Int(s) != nil { return false }
        if s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return false }
        if flow, s.contains(where: { ",[]{}".contains($0) }) { return false }
        return s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && !(0x80..<0xA0).contains($0.value) && $0.value != 0xFEFF
            && !(0x2028...0x2029).contains($0.value) }
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
