import Foundation
import Testing
import TestSupport
@testable import IngestWorkbook
@testable import IngestXML
@testable import Pipeline
import Records

/// The advisers' questionnaire saved as .xlsx and as .ods (Fixtures/make_workbooks.py: a notice
/// sheet first, a merged title row above the header, real date-time cells, a hidden column, and in
/// the .ods LibreOffice's blank rows repeated to row 1,048,576) gives the CSV's indicators, byte for byte.
@Suite("Workbooks give the CSV's indicators", .serialized)
struct WorkbookEquivalenceTests {
    static let fixtures = "\(Paths.root)/Tests/ImpactTests/Fixtures"

    static func source(_ path: String, _ extra: String) -> String {
        let items = try? records("\(Paths.root)/inputs/questionnaire_conseillers_2024-2025.csv")[0][4..<11]
        let ids = ["diversite_metiers", "perspectives", "salaires", "acces_sites", "horaires", "connaissance_metiers", "orienter"]
        return """
          - name: questionnaire-conseillers
            kind: responses
            path: \(path)
        \(extra)
            stakeholder_type: prescripteur
            wave: column
            columns: {respondent: Adresse e-mail, territory: Territoire, date: Horodateur, wave: Vague, comment: Commentaire}
            items:
        \(zip(ids, items ?? []).map { "      \($0): \"\($1)\"" }.joined(separator: "\n"))

        """
    }

    @Test func questionnaireAsXLSXAndODS() throws {
        let csv = try XMLEquivalenceTests.indicators(XMLEquivalenceTests.pipeline(sources: Self.source(
            "\(Paths.root)/inputs/questionnaire_conseillers_2024-2025.csv", "")), in: Paths.scratch("wcsv"))
        // No format: the bytes say it is a workbook; the sheet by name.
        let xlsxFolder = Paths.scratch("wxlsx")
        let xlsx = try XMLEquivalenceTests.indicators(XMLEquivalenceTests.pipeline(sources: Self.source(
            "\(Self.fixtures)/questionnaire_conseillers.xlsx", "    sheet: Réponses")), in: xlsxFolder)
        let ods = try XMLEquivalenceTests.indicators(XMLEquivalenceTests.pipeline(sources: Self.source(
            "\(Self.fixtures)/questionnaire_conseillers.ods", "    format: ods\n    sheet: 2")), in: Paths.scratch("wods"))
        #expect(csv.contains("perception_shift,2024-2025,ALL,prescripteur,dimension,attractivite"))
        #expect(xlsx == csv)
        #expect(ods == csv)
        // Rejects name the sheet and its row as the spreadsheet shows it (CSV line 42 is row 44 under the title).
        let rejects = try String(contentsOfFile: "\(xlsxFolder)/out/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("questionnaire-conseillers,\"sheet \"\"Réponses\"\", row 44\",item.diversite_metiers,Peut-être,likert_value"), "\(rejects)")

        // The manifest says what the file was read as (a workbook given without a format: by its bytes);
        // a workbook, a ZIP package, has no text encoding.
        #expect(try manifestInputs("\(xlsxFolder)/out", fields: Self.readAs).last == ["format": "xlsx", "encoding": "", "delimiter": ""])
    }

    static let readAs = ["format", "encoding", "delimiter"]

    /// The scheduled job reads a workbook source into its store like a CSV one: the same indicators,
    /// and a second refresh finds nothing changed.
    @Test func refreshReadsWorkbooks() throws {
        let folder = Paths.scratch("wrefresh")
        try XMLEquivalenceTests.pipeline(sources: Self.source("\(Self.fixtures)/questionnaire_conseillers.ods", "    sheet: Réponses"))
            .write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        let first = try PipelineRefresh.execute(pipelinePath: "\(folder)/p.yml", options: RefreshOptions(outputFolder: "\(folder)/out"))
        #expect(first.changed)
        #expect(try manifestInputs("\(folder)/out", fields: Self.readAs).last == ["format": "ods", "encoding": "", "delimiter": ""])
        let second = try PipelineRefresh.execute(pipelinePath: "\(folder)/p.yml", options: RefreshOptions(outputFolder: "\(folder)/out"))
        #expect(!second.changed)
        let csv = try XMLEquivalenceTests.indicators(XMLEquivalenceTests.pipeline(sources: Self.source(
            "\(Paths.root)/inputs/questionnaire_conseillers_2024-2025.csv", "")), in: Paths.scratch("wrcsv"))
        #expect(try String(contentsOfFile: "\(folder)/out/indicators.csv", encoding: .utf8) == csv)
    }

    /// A sheet whose CRC-32 turns out wrong at its end: its rows are kept and the source reported
    /// unreadable (`on_error: keep`, the default), or no row is kept (`xml: {on_error: drop}`).
    @Test(arguments: [false, true])
    func damagedSheetKeptOrDropped(drop: Bool) throws {
        let archive = try ZIPArchive(path: "\(Self.fixtures)/questionnaire_conseillers.xlsx")
        let parts = try archive.entries.map { ($0.name, try WorkbookFuzzTests.contents(of: $0, in: archive)) }
        let folder = Paths.scratch("wcrc")
        let damaged = "\(folder)/damaged.xlsx"
        try Data(WorkbookFuzzTests.storedZIP(parts, brokenCRC: "xl/worksheets/sheet2.xml")).write(to: URL(fileURLWithPath: damaged))
        try XMLEquivalenceTests.pipeline(sources: Self.source(damaged, "    sheet: Réponses\n    xml: {on_error: \(drop ? "drop" : "keep")}"))
            .write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
        #expect(result.exitCode == 1)
        let source = try #require(result.summary.sources.first { $0.name == "questionnaire-conseillers" })
        #expect(source.unreadable.first?.contains("CRC-32") == true, "\(source.unreadable)")
        #expect(drop ? source.tally.read == 0 : source.tally.read == 290)
    }

    /// An .xlsx row whose XML is larger than `xml.max_record_bytes` (a 2 MB comment) is rejected with
    /// its row, unparsed, and the rows after it are read (290 in all, as in damagedSheetKeptOrDropped);
    /// raising the limit reads it.
    @Test func oversizedSheetRowIsRejected() throws {
        let archive = try ZIPArchive(path: "\(Self.fixtures)/questionnaire_conseillers.xlsx")
        let huge = "<c r=\"L45\" t=\"inlineStr\"><is><t>" + String(repeating: "x", count: 2_000_000) + "</t></is></c></row><row r=\"46\">"
        let parts = try archive.entries.map { entry in
            let bytes = try WorkbookFuzzTests.contents(of: entry, in: archive)
            guard entry.name == "xl/worksheets/sheet2.xml" else { return (entry.name, bytes) }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("</row><row r=\"46\">"))
            return (entry.name, Array(text.replacing("</row><row r=\"46\">", with: huge).utf8))
        }
        let folder = Paths.scratch("wbig")
        try Data(WorkbookFuzzTests.storedZIP(parts)).write(to: URL(fileURLWithPath: "\(folder)/big.xlsx"))
        func run(_ xml: String) throws -> (SourceTally, String) {
            try XMLEquivalenceTests.pipeline(sources: Self.source("\(folder)/big.xlsx", "    sheet: Réponses\n" + xml))
                .write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
            let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
            let source = try #require(result.summary.sources.first { $0.name == "questionnaire-conseillers" })
            #expect(source.unreadable.isEmpty, "\(source.unreadable)")
            return (source.tally, try String(contentsOfFile: "\(folder)/out/rejects.csv", encoding: .utf8))
        }
        let (bounded, rejects) = try run("")
        let (raised, _) = try run("    xml: {max_record_bytes: 5000000}")
        #expect(bounded.read == 290 && raised.read == 290)
        #expect(bounded.rejected == raised.rejected + 1 && bounded.accepted == raised.accepted - 1)
        #expect(rejects.contains("questionnaire-conseillers,\"sheet \"\"Réponses\"\", row 45\",,,xml_record_too_large,\"the record is larger than 1 MB"), "\(rejects)")
        // preview names it rather than profiling it as an empty row.
        let preview = try Preview.text(path: "\(folder)/big.xlsx", sheet: "Réponses")
        #expect(preview.contains("rows not read, larger than xml.max_record_bytes (1 MB by default): 45"), "\(preview)")
    }

    /// The first sheet by default: here the notice, which holds no header — said in one line.
    @Test func firstSheetByDefault() throws {
        let folder = Paths.scratch("wfirst")
        try XMLEquivalenceTests.pipeline(sources: Self.source("\(Self.fixtures)/questionnaire_conseillers.xlsx", "    format: xlsx"))
            .write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
        #expect(result.exitCode == 1)
        let source = try #require(result.summary.sources.first { $0.name == "questionnaire-conseillers" })
        #expect(source.unreadable.first?.contains("none of the first 50 rows holds a mapped column") == true, "\(source.unreadable)")
    }

    /// Rejects point at the sheet and its row number, as the user finds them in the spreadsheet.
    @Test func rejectsNameTheSheetRow() throws {
        let rows = try Workbook(path: "\(Self.fixtures)/questionnaire_conseillers.xlsx")
        var numbers: [Int] = []
        try rows.read(sheet: .name("Réponses")) { numbers.append($0.number) }
        #expect(numbers.prefix(2) == [1, 3])
        #expect(numbers.count == 292)
    }
}

/// `impact preview` on workbooks: the sheets and their sizes, the header found, the first records.
@Suite("Workbook preview")
struct WorkbookPreviewTests {
    @Test func sheetsHeaderAndRecords() throws {
        let text = try Pipeline.Preview.text(path: "\(WorkbookEquivalenceTests.fixtures)/questionnaire_conseillers.ods", rows: 2, sheet: "2")
        #expect(text.contains("format: ods workbook (OpenDocument)"))
        #expect(text.contains("1. Notice — 1 row with values, 1 column (last row 1)"))
        #expect(text.contains("2. Réponses — 292 rows with values, 12 columns (last row 293)   ← shown"))
        #expect(text.contains("header (row 3): [Horodateur] [Adresse e-mail]"))
        #expect(text.contains("row 4: [2024-09-01T10:14:00] [SARAH.BRUN@EXEMPLE-EMPLOI.FR] [Lyon] [Avant]"))
        #expect(text.contains("rows with values after the header: 290"))
    }

    @Test func jsonOfTheChosenSheet() throws {
        var json = ""
        try Pipeline.Preview.json(path: "\(WorkbookEquivalenceTests.fixtures)/questionnaire_conseillers.xlsx", sheet: "Réponses") { json += $0 }
        let rows = try JSONDecoder().decode([[String]].self, from: Data(json.utf8))
        #expect(rows.count == 293)
        #expect(rows[1].isEmpty)
        #expect(rows[2].first == "Horodateur")
        let csv = try records("\(Paths.root)/inputs/questionnaire_conseillers_2024-2025.csv")
        #expect(rows[3][1...] == csv[1][1..<11])
    }

    /// The command line: a legacy .xls is refused in one line, exit 1.
    @Test func legacyWorkbookExitsOne() throws {
        let (code, out, err) = try runImpact(["preview", "\(WorkbookHardeningTests.hostile)/legacy.xls"])
        #expect(code == 1)
        #expect(out.isEmpty)
        #expect(err.hasPrefix("impact: cannot read ") && err.contains("enregistrez-le en .xlsx ou en CSV") && err.split(separator: "\n").count == 1)
    }
}

/// Packages a reader must refuse (Fixtures/hostile, made byte by byte by make_workbooks.py): each
/// in one line saying what to do, in under 5 s; in a run, that source is unreadable, the others are read, exit 1.
@Suite("Hostile workbooks")
struct WorkbookHardeningTests {
    static let hostile = "\(WorkbookEquivalenceTests.fixtures)/hostile"

    @Test(arguments: [
        ("hang.xlsx", "damaged ZIP package"),
        ("crc.xlsx", "CRC-32"),
        ("traversal.xlsx", "points outside the package"),
        ("absolute.xlsx", "points outside the package"),
        ("bomb-ratio.xlsx", "possible ZIP bomb"),
        ("bomb-lying.xlsx", "more than the 1048576 bytes it declares"),
        ("legacy.xls", "enregistrez-le en .xlsx ou en CSV"),
        ("encrypted.xlsx", "enregistrez-le sans mot de passe"),
        ("archive.zip", "neither an .xlsx nor an .ods"),
        ("binary.xlsb", "binary Excel workbook (.xlsb)"),
    ])
    func refusedInOneLine(_ file: String, _ reason: String) throws {
        let clock = ContinuousClock.now
        let error = #expect(throws: WorkbookError.self) {
            try Workbook(path: "\(Self.hostile)/\(file)").readAll { _, _ in }
        }
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        #expect(error?.description.contains("\n") == false)
        #expect(ContinuousClock.now - clock < .seconds(5))
    }

    /// Given as a source without a format (read as a workbook, never as CSV): unreadable, the run goes on.
    @Test(arguments: ["hang.xlsx", "legacy.xls", "encrypted.xlsx", "bomb-lying.xlsx"])
    func unreadableSourceRunGoesOn(_ file: String) throws {
        let folder = Paths.scratch("whostile")
        let pipeline = try XMLEquivalenceTests.pipeline(sources: XMLEquivalenceTests.actionsSource + """
          - name: presences
            kind: attendance
            path: \(Self.hostile)/\(file)
            columns: {action_id: Code action, person: E-mail, stakeholder_type: Profil}

        """)
        try pipeline.write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
        #expect(result.exitCode == 1)
        let presences = try #require(result.summary.sources.first { $0.name == "presences" })
        #expect(presences.unreadable.count == 1)
        #expect(presences.tally.read == 0)
        #expect(result.summary.sources.first { $0.name == "actions" }?.tally.accepted == 39)
        let rejects = try String(contentsOfFile: "\(folder)/out/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("source_unreadable"))
    }
}

/// Cells as a spreadsheet shows them, against hand-computed values.
@Suite("Workbook cell text")
struct CellTextTests {
    @Test(arguments: [(0.1, "0.1"), (12.0, "12"), (-0.0, "0"), (1e-5, "0.00001"), (1e20, "100000000000000000000"),
                      (1.0 / 3.0, "0.3333333333333333"), (22.222200000000001, "22.2222"), (-1234.5, "-1234.5"), (1.5e300, "1.5e+300")])
    func numbers(_ value: Double, _ text: String) {
        #expect(CellText.number(value) == text)
    }

    /// Serial dates: 1900 system (with Lotus' 29 February 1900), 1904 system, times, durations.
    @Test(arguments: [
        (44197.0, NumberFormatKind.date, false, "2021-01-01"),
        (59.0, .date, false, "1900-02-28"), (60.0, .date, false, "1900-02-29"), (61.0, .date, false, "1900-03-01"),
        (1.0, .date, false, "1900-01-01"),
        (0.0, .date, true, "1904-01-01"), (42735.0, .date, true, "2021-01-01"),
        (44197.42361111111, .dateTime, false, "2021-01-01T10:10:00"),
        (0.5, .time, false, "12:00:00"), (45536.455555555556, .time, false, "10:56:00"),
        (10.632060185185185, .duration, false, "255:10:10"), (0.42372928240740737, .time, false, "10:10:10.21"),
    ])
    func serialDates(_ serial: Double, _ kind: NumberFormatKind, _ date1904: Bool, _ text: String) {
        #expect(CellText.serialDate(serial, kind: kind, date1904: date1904) == text)
    }

    @Test(arguments: [
        ("General", NumberFormatKind.number), ("0.00", .number), ("#,##0 \"jours\"", .number), ("0.00E+00", .number),
        ("dd/mm/yyyy", .date), ("mm\\/dd\\/yy", .date), ("[$-40C]d mmmm yyyy;@", .date), ("mmm-yy", .date),
        ("hh:mm", .time), ("mm:ss", .time), ("h:mm AM/PM", .time), ("[h]:mm:ss", .duration),
        ("dd/mm/yyyy hh:mm", .dateTime), ("[Red]dd\\-mm\\-yyyy", .date), ("\"yd\"0", .number),
    ])
    func formatCodes(_ code: String, _ kind: NumberFormatKind) {
        #expect(NumberFormatKind(code: code) == kind)
    }

    @Test func builtInFormats() {
        #expect(NumberFormatKind(builtIn: 14) == .date)
        #expect(NumberFormatKind(builtIn: 22) == .dateTime)
        #expect(NumberFormatKind(builtIn: 20) == .time)
        #expect(NumberFormatKind(builtIn: 46) == .duration)
        #expect(NumberFormatKind(builtIn: 2) == .number)
    }

    @Test(arguments: [("PT10H10M10S", "10:10:10"), ("PT10H10M10.12S", "10:10:10.12"), ("PT255H10M10S", "255:10:10"),
                      ("P1DT2H", "26:00:00")])
    func odfDurations(_ text: String, _ clock: String) {
        #expect(CellText.isoDuration(text) == clock)
    }

    @Test(arguments: [("ABC_x000D_\nDEF", "ABC\r\nDEF"), ("a_x005F_x000D_b", "a_x000D_b"), ("_xD83D__xDE00_", "😀"),
                      ("no escape_x12_", "no escape_x12_"), ("snake_case", "snake_case")])
    func escapes(_ raw: String, _ decoded: String) {
        var bytes = Array(raw.utf8)
        CellText.decodeEscapes(&bytes, from: 0)
        #expect(String(decoding: bytes, as: UTF8.self) == decoded)
    }
}
