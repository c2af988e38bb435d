import Foundation
import Testing
import TestSupport
@testable import Ingest
@testable import Pipeline

/// Every CSV case of ../shared/corpora with an expected result parses to exactly that result.
@Suite("CSV corpora", .needsCorpora)
struct CSVCorpusTests {
    static let spectrum = ["comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "location_coordinates",
                           "newlines", "newlines_crlf", "quotes_and_newlines", "simple", "simple_crlf", "utf8"]

    /// csv-spectrum: `impact preview --json` output, keyed by header, equals json/NAME.json.
    @Test(arguments: spectrum)
    func csvSpectrum(name: String) throws {
        var text = ""
        try Pipeline.Preview.json(path: Paths.corpus("csv-spectrum/csvs/\(name).csv")) { text += $0 }
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String]])
        let header = try #require(rows.first)
        let objects = rows.dropFirst().map { row in
            Dictionary(uniqueKeysWithValues: zip(header, row + Array(repeating: "", count: max(0, header.count - row.count))))
        }
        let expectedData = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("csv-spectrum/json/\(name).json")))
        let parsed = try JSONSerialization.jsonObject(with: expectedData)
        if name == "location_coordinates" {
            // Upstream's expected file is a bare object whose phone number (1234567890) contradicts its
            // own CSV (2095257564); every other field must match exactly.
            var expected = try #require(parsed as? [String: String])
            var actual = try #require(objects.first)
            #expect(objects.count == 1)
            #expect(actual.removeValue(forKey: "Contact Phone Number") == "2095257564")
            expected.removeValue(forKey: "Contact Phone Number")
            #expect(actual == expected)
            return
        }
        let expected = try #require(parsed as? [[String: String]])
        #expect(objects == expected)
    }

    static let premiere = ["utf8", "utf8bom", "utf16be", "utf16bebom", "utf16le", "utf16lebom",
                           "utf32be", "utf32bebom", "utf32le", "utf32lebom", "win1252"]

    /// PhpSpreadsheet: A1 = "première", C2 = "sixième" whatever the encoding, BOM or not.
    @Test(arguments: premiere)
    func premiereEncodings(variant: String) throws {
        let rows = try records(Paths.corpus("csv-encodings-phpspreadsheet/premiere.\(variant).csv"))
        #expect(rows[0][0] == "première")
        #expect(rows[1][2] == "sixième")
    }

    /// The UTF-16LE file's third row: a surrogate pair, then two non-characters replaced by U+FFFD.
    @Test func utf16SurrogatesAndReplacement() throws {
        let rows = try records(Paths.corpus("csv-encodings-phpspreadsheet/premiere.utf16le.csv"))
        #expect(rows[2] == ["\u{10400}", "\u{FFFD}", "\u{FFFD}"])
    }

    @Test(arguments: ["utf8", "utf8bom", "utf16be", "utf16le", "utf32be", "utf32le", "iso88591"])
    func singleCellEncodings(variant: String) throws {
        let rows = try records(Paths.corpus("csv-encodings-phpspreadsheet/encoding.\(variant).csv"))
        #expect(rows[0][0] == "Å")
    }

    @Test func excelSepLine() throws {
        let csv = try CSVFile(path: Paths.corpus("csv-encodings-phpspreadsheet/sep.csv"))
        #expect(csv.delimiter == UInt8(ascii: ";"))
        #expect(try records(Paths.corpus("csv-encodings-phpspreadsheet/sep.csv")) == [["A", "1"], ["2", "3"]])
    }

    @Test(arguments: ["semicolon_separated.csv", "csv_without_extension"])
    func semicolonDetectedDecimalCommaKept(file: String) throws {
        let path = Paths.corpus("csv-encodings-phpspreadsheet/\(file)")
        #expect(try CSVFile(path: path).delimiter == UInt8(ascii: ";"))
        let rows = try records(path)
        #expect(rows[1][2] == "25,5")
        #expect(rows[2] == ["Two colons and a comma", "B|3", ":,:"])
    }

    @Test func enclosureWithTrailingDelimiters() throws {
        let rows = try records(Paths.corpus("csv-encodings-phpspreadsheet/enclosure.csv"))
        #expect(rows[3][2] == "username2")
        #expect(rows[0] == ["Date/Time", "task", "username"])
    }

    @Test(arguments: ["line_break_in_enclosure.csv", "line_break_in_enclosure_with_escaped_quotes.csv",
                      "utf16be.line_break_in_enclosure.csv", "line_break_escaped_32le.csv"])
    func lineBreaksInQuotes(file: String) throws {
        let rows = try records(Paths.corpus("csv-encodings-phpspreadsheet/\(file)"))
        #expect(rows[2][0] == "Test")
        #expect(rows[1][1].contains("\n"))
    }

    @Test func escapedQuotesInsideMultilineField() throws {
        let rows = try records(Paths.corpus("csv-encodings-phpspreadsheet/line_break_in_enclosure_with_escaped_quotes.csv"))
        #expect(rows[1][1].hasPrefix("This is a \"test csv file\"\nwith both \"line breaks\""))
        #expect(rows[1][2] == "http://google.com")
    }

    @Test(arguments: ["mac", "unix", "win"])
    func lineEndings(kind: String) throws {
        #expect(try records(Paths.corpus("csv-encodings-phpspreadsheet/linend.\(kind).csv")) == [["A", "1"], ["2", "3"]])
    }

    @Test func emptyAndSingleColumnFiles() throws {
        #expect(try records(Paths.corpus("csv-encodings-phpspreadsheet/empty.csv")).isEmpty)
        #expect(try records(Paths.corpus("csv-encodings-phpspreadsheet/no_delimiter.csv")) == [["SingleLine"]])
    }

    /// data.gouv csv-detective: ';', the header repeated on the first three lines, 404 data lines.
    @Test func datagouvRepeatedHeader() throws {
        let path = Paths.corpus("french-csv-datagouv-csv-detective/tests-data/a_test_file.csv")
        #expect(try CSVFile(path: path).delimiter == UInt8(ascii: ";"))
        let rows = try records(path)
        let header = rows[0]
        #expect(header.first == "NUMCOM" && header.count == 11)
        #expect(rows.filter { $0 != header }.count == 404)
        #expect(rows[3][9] == "{\"champ_1\": 0, \"champ_2\": -1.0}")
    }

    @Test func leadingZerosStayText() throws {
        let rows = try records(Paths.corpus("french-csv-datagouv-csv-detective/tests-data/b_test_file.csv"))
        #expect(rows[1][0] == "01")
    }

    @Test func realFrenchOpenData() throws {
        let path = Paths.corpus("french-csv-datagouv-csv-detective/historic/subventions-commune-de-castelmaurou.csv")
        let csv = try CSVFile(path: path)
        #expect(csv.delimiter == UInt8(ascii: ","))
        #expect(csv.encoding.encoding == .utf8)
        let rows = try records(path)
        #expect(rows.count > 1)
        #expect(Set(rows.map(\.count)).count == 1)
    }
}
