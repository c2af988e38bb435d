import Foundation

/// Numbers as text, in the contract's machine form and in French or English prose.
public enum NumberText {
    /// Contract form: `.` decimals, no grouping, integers without decimals, at most 6 decimals
    /// (below 10⁻⁴, 6 significant digits in exponent form: `1.23457e-09`).
    public static func machine(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        // Small values (p-values) keep 6 significant digits rather than rounding to 0.
        if abs(value) < 1e-4 { return String(format: "%.5e", value) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// Decimal comma for the Excel CSV (no grouping, so spreadsheets parse it).
    public static func excel(_ value: Double) -> String {
        machine(value).replacing(".", with: ",")
    }

    /// Prose form: French `12 345,5` (narrow no-break space) or English `12,345.5`.
    public static func prose(_ value: Double, decimals: Int = 0, language: String) -> String {
        let fixed = String(format: "%.\(decimals)f", abs(value))
        let parts = fixed.split(separator: ".", omittingEmptySubsequences: false)
        let integer = String(parts[0])
        var grouped = ""
        for (i, c) in integer.enumerated() {
            if i > 0 && (integer.count - i) % 3 == 0 { grouped += language == "fr" ? "\u{202F}" : "," }
            grouped.append(c)
        }
        let sign = value < 0 && fixed.contains(where: { $0 != "0" && $0 != "." }) ? "−" : ""
        guard parts.count > 1 else { return sign + grouped }
        return sign + grouped + (language == "fr" ? "," : ".") + parts[1]
    }

    /// A share as a percentage: `12,5 %` or `12.5%`.
    public static func percent(_ share: Double, decimals: Int = 1, language: String) -> String {
        let number = prose(share * 100, decimals: decimals, language: language)
        return language == "fr" ? number + "\u{00A0}%" : number + "%"
    }
}
