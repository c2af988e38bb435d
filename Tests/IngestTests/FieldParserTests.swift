import Testing
import TestSupport
@testable import Ingest
@testable import Records

@Suite("Dates, numbers, folding")
struct FieldParserTests {
    func date(_ text: String) -> CalendarDate? { try? DateParser.parse(text).get() }

    @Test func frenchAndISODates() {
        #expect(date("03/04/2025")?.description == "2025-04-03")
        #expect(date("3/4/2025")?.description == "2025-04-03")
        #expect(date("03.04.2025")?.description == "2025-04-03")
        #expect(date("03/04/25")?.description == "2025-04-03")
        #expect(date("03/04/85")?.description == "1985-04-03")
        #expect(date("2025-04-03")?.description == "2025-04-03")
        #expect(date("2025-04-03T09:30:00Z")?.description == "2025-04-03")
        #expect(date("03/04/2025 14:35")?.description == "2025-04-03")
        #expect(date(" 1er mai 2025 ")?.description == "2025-05-01")
        #expect(date("12 décembre 2024")?.description == "2024-12-12")
        #expect(date("20250403")?.description == "2025-04-03")
        #expect(date("29/02/2024")?.description == "2024-02-29")
    }

    @Test func impossibleDates() {
        #expect(DateParser.parse("31/02/2025") == .failure(.invalid("day 31 does not exist in 2025-02")))
        #expect(DateParser.parse("29/02/2025") == .failure(.invalid("day 29 does not exist in 2025-02")))
        #expect(DateParser.parse("2025-13-01") == .failure(.invalid("month 13 does not exist")))
        #expect(DateParser.parse("32/13/2025") == .failure(.invalid("month 13 does not exist")))
    }

    /// Never guessed month-first: 12/31/2024 only reads as mm/dd, so it is refused.
    @Test func ambiguousDatesAreNotGuessed() {
        guard case .failure(.ambiguous) = DateParser.parse("12/31/2024") else { Issue.record("12/31/2024 accepted"); return }
        guard case .failure(.ambiguous) = DateParser.parse("05-06-07") else { Issue.record("05-06-07 accepted"); return }
    }

    @Test func notDates() {
        for text in ["demain", "45678", "", "2025", "03/04", "3 brumaire 2025"] {
            guard case .failure(.format) = DateParser.parse(text) else { Issue.record("'\(text)' read as a date"); continue }
        }
    }

    @Test func numbers() {
        #expect(NumberParser.parse("25,5") == 25.5)
        #expect(NumberParser.parse("1 234,5") == 1234.5)
        #expect(NumberParser.parse("1\u{202F}234,5") == 1234.5)
        #expect(NumberParser.parse("1.234,5") == 1234.5)
        #expect(NumberParser.parse("1,234.5") == 1234.5)
        #expect(NumberParser.parse("1.234.567") == 1_234_567)
        #expect(NumberParser.parse("-3,25") == -3.25)
        #expect(NumberParser.parse("une vingtaine") == nil)
        #expect(NumberParser.parse("12abc") == nil)
        #expect(NumberParser.parse("1,2,3.4,5") == nil)
        #expect(NumberParser.count("12") == .success(12))
        #expect(NumberParser.count("12,0") == .success(12))
        #expect(NumberParser.count("-2") == .failure(.negative))
        #expect(NumberParser.count("2,5") == .failure(.notWhole))
        #expect(NumberParser.count("vingt") == .failure(.format))
    }

    @Test func folding() {
        #expect(Fold.key("  Saint-Étienne (42) ") == "saint etienne 42")
        #expect(Fold.key("SAINT ETIENNE 42") == "saint etienne 42")
        #expect(Fold.key("Cœur de ville") == "coeur de ville")
        #expect(Fold.key("Chargé d'insertion SIAE") == "charge d insertion siae")
        #expect(Fold.key("—") == "")
    }

    /// The byte-level path and the general path fold every Latin letter and separator alike.
    @Test func foldingPathsAgree() {
        var samples = ["Chargé d’insertion SIAE", "Œuvre « sociale »", "a\u{00A0}b\u{202F}c", "ÆSTHÉTIQUE – ß", "Ðorđe Þór"]
        samples += (0xC0...0x17F).compactMap { Unicode.Scalar(UInt32($0)).map { "x\(Character($0))y" } }
        for text in samples {
            #expect(Fold.key(text) == Fold.unicodeKey(text), "\(text)")
        }
        #expect(Fold.key("Ðorđe") == "ðorde")
    }

    /// Keys hashed from bytes equal the string path's, so CSV and XML sources agree; bytes the fast
    /// path does not handle give nil, never another key.
    @Test func keyHashFromBytesEqualsStringPath() {
        var samples = ["Camille.Martin@exemple.fr", "  JEAN  dupont ", "a--b", "", "---", "x1 Y2", "inès.lefèvre.82.395@exemple.fr",
                       "Société 132, site 82", "Chargé d’insertion SIAE", "Œuvre « sociale »", "a\u{00A0}b\u{202F}c", "ÆSTHÉTIQUE – ß"]
        samples += (0xC0...0x17F).compactMap { Unicode.Scalar(UInt32($0)).map { "x\(Character($0))y" } }
        var handled = 0
        let key = PseudonymKey.random()
        for text in samples {
            let bytes = Array(text.utf8)
            guard let fromBytes = bytes.withUnsafeBufferPointer({ Fold.keyHash($0, key: key) }) else {
                // Only letters the Latin table leaves to the general path may fall back.
                var copy = text
                #expect(copy.withUTF8 { Fold.latinKey($0) } == nil, "\(text)")
                continue
            }
            handled += 1
            #expect(fromBytes == key.hash(Fold.key(text)), "\(text)")
            // Windows-1252 rows: only ASCII is hashed from bytes.
            let ascii = bytes.allSatisfy { $0 < 0x80 }
            #expect((bytes.withUnsafeBufferPointer { Fold.keyHash($0, utf8: false, key: key) } != nil) == ascii, "\(text)")
        }
        #expect(handled >= 190)
        // Invalid UTF-8 (a Windows-1252 'é', a truncated sequence, a stray continuation byte) is left to the decoder.
        for bytes: [UInt8] in [[0x63, 0xE9, 0x64], [0x61, 0xC3], [0x80, 0x61], [0xC3, 0x41], [0xE2, 0x80]] {
            #expect(bytes.withUnsafeBufferPointer { Fold.keyHash($0, key: key) } == nil, "\(bytes)")
        }
    }

    /// The key folded from bytes and hashed a word at a time equals the general (scalar) path's key
    /// hashed byte by byte, on generated texts of every length around a word, and on long ones
    /// (whose fold buffer the runtime may take from the heap).
    @Test func keyHashByWordsEqualsByteByByte() {
        var random = SeededGenerator(seed: 23)
        let key = PseudonymKey.random()
        let pieces = ["a", "B", "7", " ", ".", "@", "é", "Œ", "ß", "\u{00A0}", "’", "--", "x y"]
        for length in Array(0...40) + Array(500...530) + [5_000] {
            for _ in 0..<8 {
                var text = ""
                while text.utf8.count < length { text += pieces[Int.random(in: 0..<pieces.count, using: &random)] }
                let bytes = Array(text.utf8)
                var byByte = KeyedHasher(key)
                for b in Fold.unicodeKey(text).utf8 { byByte.append(b) }
                #expect(bytes.withUnsafeBufferPointer { Fold.keyHash($0, key: key) } == byByte.finish(), "\(text)")
                #expect(Fold.key(text) == Fold.unicodeKey(text), "\(text)")
            }
        }
        // Raw bytes of every length: the word-at-a-time hash against appending them one by one.
        for n in 0...70 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &random) }
            var hasher = KeyedHasher(key)
            for b in bytes { hasher.append(b) }
            #expect(bytes.withUnsafeBufferPointer { KeyedHasher.hash($0, key: key) } == hasher.finish(), "\(n) bytes")
        }
    }

    @Test func vocabularyMatchingIgnoresCaseAccentsSpacesPunctuation() {
        var v = Vocabulary(name: "territory")
        v.add(.init(id: "saint_etienne", label: "Saint-Étienne", aliases: ["St Etienne"]))
        #expect(v.resolve("saint étienne") == "saint_etienne")
        #expect(v.resolve("  SAINT-ETIENNE ") == "saint_etienne")
        #expect(v.resolve("st. etienne") == "saint_etienne")
        #expect(v.resolve("saint_etienne") == "saint_etienne")
        #expect(v.resolve("Lyon") == nil)
        #expect(v.add(.init(id: "lyon", label: "Lyon", aliases: ["St-Étienne"]))?.existing == "saint_etienne")
    }

    @Test func periods() throws {
        let d = try #require(CalendarDate(year: 2025, month: 8, day: 31))
        #expect(PeriodScheme.calendarYear.label(for: d) == "2025")
        #expect(PeriodScheme.programmeYear(startMonth: 9).label(for: d) == "2024-2025")
        let s = try #require(CalendarDate(year: 2025, month: 9, day: 1))
        #expect(PeriodScheme.programmeYear(startMonth: 9).label(for: s) == "2025-2026")
    }
}
