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
        var fixed = fixed(abs(value), decimals: decimals)
        let french = language == "fr"
        // Grouped as bytes (the text is ASCII digits and a point): through Characters, a number took 3,000 instructions.
        return fixed.withUTF8 { digits in
            let point = digits.firstIndex(of: UInt8(ascii: ".")) ?? digits.count
            var out: [UInt8] = []
            out.reserveCapacity(digits.count + 16)
            if value < 0 && digits.contains(where: { $0 != UInt8(ascii: "0") && $0 != UInt8(ascii: ".") }) {
                out.append(contentsOf: [0xE2, 0x88, 0x92])  // − (U+2212)
            }
            for i in 0..<point {
                if i > 0 && (point - i) % 3 == 0 {
                    if french { out.append(contentsOf: [0xE2, 0x80, 0xAF]) } else { out.append(UInt8(ascii: ",")) }  // U+202F or ","
                }
                out.append(digits[i])
            }
            if point < digits.count {
                out.append(french ? UInt8(ascii: ",") : UInt8(ascii: "."))
                out.append(contentsOf: digits[(point + 1)...])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// `printf("%.*f", decimals, value)`; whole numbers (most figures are counts) without printf,
    /// whose decimal conversion took 6,700 instructions a number.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value == value.rounded(), abs(value) < 1e15 else { return cFormat("%.\(decimals)f", value) }
        let whole = String(Int(value))
        return decimals > 0 ? whole + "." + String(repeating: "0", count: decimals) : whole
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
