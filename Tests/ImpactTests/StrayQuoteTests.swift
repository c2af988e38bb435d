import Foundation
import Testing
import TestSupport
@testable import Ingest
@testable import Pipeline
import PipelineFile
import Records

/// A stray `"` opening a field must not swallow the lines after it: the record holding it is
/// rejected (`csv_stray_quote`) and reading resumes at the next physical line.
@Suite("Stray quotes")
struct StrayQuoteTests {
    static let attendance = "\(Paths.root)/inputs/emargements_declic_2024-2025.csv"

    /// What became of each physical record of `file` read as the sample's attendance source:
    /// "line: accepted" or "line: rejected reason,reason".
    static func outcomes(_ file: String, config: PipelineConfig) throws -> [String] {
        let source = try #require(config.sources.first { $0.name == "emargements" })
        var out: [String] = []
        try SourceMapper(source: source, config: config, key: PseudonymKey.random()).map(file: file) { record in
            switch record {
            case .attendance(let a): out.append("\(a.location.line): accepted")
            case .rejected(let r, _): out.append("\(r[0].location.line): rejected \(r.map(\.reason.rawValue).sorted().joined(separator: ","))")
            default: out.append("other")
            }
        }
        return out
    }

    /// The issue's case, at every byte of data line 3 (physical line 4): the number of records read
    /// never changes and no other line's fate does; a quote opening a field rejects that line as a
    /// stray quote, a quote inside or after a value is kept as text (`12" pouces`).
    @Test func quoteAtEveryPositionOfALine() throws {
        let config = try PipelineLoader.load(path: EndToEndTests.pipeline)
        let original = try Self.outcomes(Self.attendance, config: config)
        #expect(original.count == 375)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.attendance)))
        var lineStarts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { lineStarts.append(i + 1) }
        let start = lineStarts[3], end = lineStarts[4] - 2  // line 4, without its CRLF
        let folder = Paths.scratch("stray")
        for offset in start...end {
            var broken = bytes
            broken.insert(UInt8(ascii: "\""), at: offset)
            let path = "\(folder)/e\(offset).csv"
            _ = FileManager.default.createFile(atPath: path, contents: Data(broken))
            let got = try Self.outcomes(path, config: config)
            let opensField = offset == start || bytes[offset - 1] == UInt8(ascii: ",")
            #expect(got.count == original.count, "quote at column \(offset - start + 1): \(got.count) records read")
            #expect(got.filter { !$0.hasPrefix("4:") } == original.filter { !$0.hasPrefix("4:") }, "quote at column \(offset - start + 1)")
            if opensField {
                #expect(got.contains("4: rejected csv_stray_quote"), "quote at column \(offset - start + 1)")
            }
        }
    }

    /// The same through `impact run`: read stays 375, the reject names the line and says what to fix,
    /// and nothing of the person on that line (name, e-mail, phone) reaches the files written or the console.
    @Test func strayQuoteIsReportedWithItsLine() throws {
        let sample = try SampleCopy("stray-run")
        var lines = try String(contentsOfFile: sample.input("emargements_declic_2024-2025.csv"), encoding: .utf8)
            .components(separatedBy: "\r\n")  // the sample is CRLF
        lines[3] = lines[3].replacing(",Masson,", with: ",\"Masson,")
        try lines.joined(separator: "\r\n").write(toFile: sample.input("emargements_declic_2024-2025.csv"), atomically: true, encoding: .utf8)
        let result = try PipelineRun.execute(pipelinePath: sample.pipeline, options: RunOptions(outputFolder: sample.out))
        let emargements = try #require(result.summary.sources.first { $0.name == "emargements" })
        #expect(emargements.tally.read == 375)
        let rejects = try String(contentsOfFile: "\(sample.out)/rejects.csv", encoding: .utf8)
        let line = rejects.split(separator: "\n").first { $0.contains("csv_stray_quote") }.map(String.init) ?? ""
        #expect(line.hasPrefix("emargements,line 4,last_name,,csv_stray_quote,"), "\(line)")
        #expect(line.contains("quote opening column 3 (Nom) on line 4"), "\(line)")
        let console = try runImpact(["run", sample.pipeline, "--output", "\(sample.out)/cli"])
        #expect(console.code == 0, "\(console.err)")
        for folder in [sample.out, "\(sample.out)/cli"] {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) where !file.hasSuffix(".svg") && file != "cli" {
                let text = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8).lowercased()
                for secret in ["masson", "thomas.masson@exemple-emploi.fr", "06 13 63 77 66"] {
                    #expect(!text.contains(secret), "\(secret) in \(folder)/\(file)")
                }
            }
        }
        for secret in ["Masson", "thomas.masson", "06 13 63 77 66"] {
            #expect(!console.out.contains(secret) && !console.err.contains(secret), "\(secret) on the console")
        }
    }

    /// A file whose only quote opens a field: the rest of the file is not one unterminated field.
    @Test func quoteNeverClosedLosesOnlyItsLine() throws {
        let config = try PipelineLoader.load(path: EndToEndTests.pipeline)
        var lines = try String(contentsOfFile: Self.attendance, encoding: .utf8).components(separatedBy: "\r\n")
        lines[89] = lines[89].replacing("\"", with: "")  // the sample's only quoted field, line 90
        let clean = Paths.scratch("unclosed") + "/clean.csv"
        try lines.joined(separator: "\r\n").write(toFile: clean, atomically: true, encoding: .utf8)
        lines[299] = lines[299].replacing(",Conseill", with: ",\"Conseill")
        let broken = Paths.scratch("unclosed") + "/broken.csv"
        try lines.joined(separator: "\r\n").write(toFile: broken, atomically: true, encoding: .utf8)
        let before = try Self.outcomes(clean, config: config), after = try Self.outcomes(broken, config: config)
        #expect(after.count == before.count)
        #expect(after.filter { !$0.hasPrefix("300:") } == before.filter { !$0.hasPrefix("300:") })
        #expect(after.contains("300: rejected csv_stray_quote"), "\(after.filter { $0.hasPrefix("300:") })")
    }

    /// Legitimate multi-line values (a remark over a few lines, the right number of fields) are kept;
    /// one over more lines than a spreadsheet cell can hold (253 line feeds) is a stray quote even
    /// when the field count happens to be right.
    @Test func multiLineValuesUpToTheBound() throws {
        let folder = Paths.scratch("bound")
        func run(_ breaks: Int) throws -> [String] {
            let remark = (0...breaks).map { "ligne \($0)" }.joined(separator: "\n")
            let text = "Code action,E-mail,Profil,Remarque\nLYO-2401,a@x.fr,Industriel,\"\(remark)\"\nLYO-2401,b@x.fr,Industriel,ok\n"
            try text.write(toFile: "\(folder)/e.csv", atomically: true, encoding: .utf8)
            let pipeline = try TestPipeline.sample().withSources("""
              - name: emargements
                kind: attendance
                path: \(folder)/e.csv
                columns: {action_id: Code action, person: E-mail, stakeholder_type: Profil}

            """)
            try pipeline.write(to: "\(folder)/p.yml")
            return try Self.outcomes("\(folder)/e.csv", config: PipelineLoader.load(path: "\(folder)/p.yml"))
        }
        #expect(try run(3) == ["2: accepted", "6: accepted"])
        #expect(try run(253) == ["2: accepted", "256: accepted"])
        // 254 line feeds: the quoted line is rejected, and every line after it is read as a record.
        let over = try run(254)
        #expect(over.first == "2: rejected csv_stray_quote")
        #expect(over.count == 1 + 254 + 1, "\(over.count)")
        #expect(over.last == "257: accepted")
    }
}

/// The stray-quote rules against every CSV file of the corpora: read with the header's width known (as
/// the pipeline reads once it has found the header), every file gives the records it gives without —
/// a legitimate value over several lines is never taken for a stray quote.
@Suite("Stray quotes: the corpora", .needsCorpora)
struct StrayQuoteCorpusTests {
    static let files: [String] = ["csv-spectrum/csvs", "csv-encodings-phpspreadsheet", "french-csv-datagouv-csv-detective",
                                  "qualtrics-csv-qualtRics"].flatMap { folder -> [String] in
        let root = Paths.corpus(folder)
        let names = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return names.filter { name in [".csv", ".tsv", ".txt"].contains { name.lowercased().hasSuffix($0) } }.sorted().map { "\(folder)/\($0)" }
    }

    static func records(_ path: String, widthKnown: Bool) throws -> [String] {
        let csv = try CSVFile(path: path)
        var out: [String] = []
        while let row = try csv.next() {
            if out.isEmpty && widthKnown { csv.expectFields(row.count) }
            out.append("\(row.line) \(row.problem.map { "\($0)" } ?? "-") \(row.fields)")
        }
        return out
    }

    @Test func everyCorpusFileReadsTheSame() throws {
        #expect(Self.files.count > 40, "\(Self.files.count) files")
        var multiLine = 0
        for file in Self.files {
            let path = Paths.corpus(file)
            let free = try Self.records(path, widthKnown: false), bounded = try Self.records(path, widthKnown: true)
            #expect(bounded == free, "\(file)")
            #expect(!bounded.contains { $0.contains("strayQuote") }, "\(file)")
            if free.contains(where: { $0.contains("\\n") }) { multiLine += 1 }
        }
        #expect(multiLine >= 3, "corpus files holding values over several lines: \(multiLine)")
    }
}
