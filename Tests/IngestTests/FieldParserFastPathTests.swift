import Testing
import TestSupport
@testable import Ingest

/// The byte paths of dates and numbers (the shapes exports nearly always write) must answer exactly
/// what the general, Character-by-Character reading answers, or leave the text to it.
@Suite("Dates and numbers: byte paths agree with the general reading")
struct FieldParserFastPathTests {
    /// Texts over `alphabet`, every one up to `short` characters long, then `random` more up to `long`.
    func texts(_ alphabet: [Character], short: Int, random: Int, long: Int) -> [String] {
        var out = [""]
        var level = [""]
        for _ in 0..<short {
            level = level.flatMap { prefix in alphabet.map { prefix + String($0) } }
            out += level
        }
        var generator = SeededGenerator(seed: 23)
        for _ in 0..<random {
            let count = Int.random(in: 1...long, using: &generator)
            out.append(String((0..<count).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        return out
    }

    /// Date-shaped texts: one to four runs of zero to six digits, mostly between equal separators.
    func dateShapes(_ count: Int) -> [String] {
        var generator = SeededGenerator(seed: 2023)
        return (0..<count).map { _ in
            let separator = "/.-".randomElement(using: &generator)!
            return (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                String((0..<Int.random(in: 0...6, using: &generator)).map { _ in "0123456789".randomElement(using: &generator)! })
            }.joined(separator: Int.random(in: 0..<10, using: &generator) == 0 ? "/" : String(separator))
        }
    }

    @Test func datesAgree() {
        let cases = texts(Array("0123456789/.-"), short: 4, random: 20_000, long: 14) + dateShapes(50_000)
            + ["03/04/2025", "3/4/2025", "03.04.2025", "03/04/25", "03/04/85", "05-06-07", "12/31/2024", "2025-04-03",
               "31/02/2025", "29/02/2024", "2025-13-01", "0003/04/2025", "03//04/2025", "/03/04/2025", "03/04/2025/",
               "03/04-2025", "1234567890/01/2025", "99999999999999999999/01/01", "03/04/2025 14:35", " 03/04/2025",
               "03/04/202５", "٠٣/٠٤/٢٠٢٥", "20250403", "45678"]
        var byBytes = 0
        for text in cases {
            guard let fast = DateParser.numericDate(text) else { continue }
            byBytes += 1
            #expect(fast == DateParser.generalDate(text), "\(text)")
        }
        #expect(DateParser.numericDate("21/02/2024") != nil)
        #expect(byBytes > 5_000)
    }

    @Test func numbersAgree() {
        let cases = texts(Array("0123456789,.-+ '"), short: 4, random: 30_000, long: 12)
            + ["3,5", "12", "0,25", "5,", ",5", ".", ",", "1,234", "1.234", "00012", "1e5", "inf", "nan",
               String(repeating: "9", count: 400), String(repeating: "9", count: 400) + ",5", "３,５"]
        var byBytes = 0
        for text in cases {
            guard let fast = NumberParser.plainDecimal(text) else { continue }
            byBytes += 1
            #expect(fast == NumberParser.generalNumber(text), "\(text)")
        }
        #expect(NumberParser.plainDecimal("3,5") == .some(3.5))
        #expect(byBytes > 10_000)
    }
}
