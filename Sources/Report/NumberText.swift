import Foundation

/// Numbers as text, in the contract's machine form and in French or English prose.
public enum NumberText {
    /// Contract form: `.` decimals, no grouping, integers without decimals, at most 6 decimals
    /// (below 10⁻⁴, 6 significant digits in exponent form: `1.23457e-09`).
    public static func machine(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        // Small values (p-values) keep 6 significant digits rather than rounding to 0.
        if abs(value) < 1e-4 { return cFormat("%.5e", value) }
        var text = cFormat("%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// Decimal comma for the Excel CSV (no grouping, so spreadsheets parse it).
    public static func excel(_ value: Double) -> String {
        String(decoding: machine(value).utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: ",") : $0 }, as: UTF8.self)
    }

    /// Prose form: French `12 345,5` (narrow no-break space) or English `12,345.5`.
    public static func prose(_ value: Double, decimals: Int = 0, language: String) -> String {
        let fixed = cFormat("%.\(decimals)f", abs(value))
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

    /// C's printf formatting in the POSIX locale: Foundation's `String(format:)` took 4 % of a
    /// 100 MB run for the same text (docs/performance.md).
    static func cFormat(_ format: String, _ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
            let n = withVaList([value]) { vsnprintf(buffer.baseAddress, buffer.count, format, $0) }
            guard n >= 0, Int(n) < buffer.count else { return String(format: format, value) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(n)), as: UTF8.self)
        }
    }
}
