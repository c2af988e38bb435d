import Foundation
import Testing
import TestSupport
@testable import Ingest

/// Dialects beyond RFC 4180: `'` quotes, `\"` escapes, spaces after delimiters, space-separated values.
@Suite("CSV dialects")
struct CSVDialectTests {
    @Test func singleQuotesAreDetected() throws {
        let path = temporaryFile(Array("id,nom,ville\n1,'Dupont, Jean','Lyon'\n2,'Martin','Saint-Étienne'\n3,'L''Hôte',Vénissieux\n".utf8))
        let csv = try CSVFile(path: path)
        #expect(csv.dialect.quote == UInt8(ascii: "'"))
        #expect(try records(path) == [["id", "nom", "ville"], ["1", "Dupont, Jean", "Lyon"], ["2", "Martin", "Saint-Étienne"],
                                      ["3", "L'Hôte", "Vénissieux"]])
    }

    /// French text is full of apostrophes: they open nothing.
    @Test func apostrophesInFrenchTextStayText() throws {
        let path = temporaryFile(Array("id;libellé;avis\n1;l'industrie;d'accord\n2;'Autre';pas d'accord\n3;aujourd'hui;'\n".utf8))
        #expect(try CSVFile(path: path).dialect == .standard)
        #expect(try records(path)[2] == ["2", "'Autre'", "pas d'accord"])
    }

    @Test func backslashEscapedQuotes() throws {
        let path = temporaryFile(Array("id,texte,fin\n1,\"il a dit \\\"oui\\\" puis \\\"non\\\"\",x\n2,\"C:\\\\temp\",y\n3,\"simple\",z\n".utf8))
        let csv = try CSVFile(path: path)
        #expect(csv.dialect.escape == UInt8(ascii: "\\"))
        #expect(try records(path) == [["id", "texte", "fin"], ["1", "il a dit \"oui\" puis \"non\"", "x"], ["2", "C:\\temp", "y"],
                                      ["3", "simple", "z"]])
    }

    /// PhpSpreadsheet's own expectation: a backslash before a closing quote is text (no `\"` escape).
    @Test(.needsCorpora) func backslashBeforeClosingQuoteIsText() throws {
        let path = Paths.corpus("csv-encodings-phpspreadsheet/backslash.csv")
        #expect(try CSVFile(path: path).dialect == .standard)
        #expect(try records(path) == [["field 1", "field 2\\"], ["field 3\\", "field 4"]])
    }

    @Test func spacesAfterDelimitersAreSkipped() throws {
        let path = temporaryFile(Array("id, nom, ville\n1, \"Dupont, Jean\", Lyon\n2, Martin, \"Saint-Étienne\"\n3, , Vénissieux\n".utf8))
        let csv = try CSVFile(path: path)
        #expect(csv.dialect.skipInitialSpace)
        #expect(try records(path) == [["id", "nom", "ville"], ["1", "Dupont, Jean", "Lyon"], ["2", "Martin", "Saint-Étienne"],
                                      ["3", "", "Vénissieux"]])
    }

    @Test func spaceSeparatedValues() throws {
        let path = temporaryFile(Array("id  nom     ville\n1   Dupont  Lyon\n2   \"De la Tour\" Grenoble \n".utf8))
        let csv = try CSVFile(path: path)
        #expect(csv.delimiter == UInt8(ascii: " "))
        #expect(try records(path).map { Array($0.prefix(3)) } == [["id", "nom", "ville"], ["1", "Dupont", "Lyon"], ["2", "De la Tour", "Grenoble"]])
    }

    /// An aligned listing with empty cells cannot be split at spaces: one column, and a hint.
    @Test func unevenlySpacedListingGetsAHint() throws {
        let path = temporaryFile(Array("id  nom     ville\n1   Dupont  Lyon\n2           Grenoble\n3   Martin\n".utf8))
        let csv = try CSVFile(path: path)
        #expect(csv.delimiterEvidence.contains("separated by spaces, not evenly"))
        #expect(try records(path)[1] == ["1   Dupont  Lyon"])
    }

    /// Every dialect option read in place equals the copying state machine, on random bytes, record
    /// by record and in batches (the CSV sources' path: non-blank records only).
    @Test(arguments: [CSVDialect(quote: UInt8(ascii: "'")), CSVDialect(escape: UInt8(ascii: "\\")),
                      CSVDialect(skipInitialSpace: true), CSVDialect(quote: UInt8(ascii: "'"), escape: UInt8(ascii: "\\"), skipInitialSpace: true)])
    func inPlaceEqualsCopying(dialect: CSVDialect) throws {
        for delimiter in [UInt8(ascii: ";"), UInt8(ascii: " ")] {
            var random = SeededGenerator(seed: 22)
            let pieces: [[UInt8]] = [Array("a".utf8), Array("é".utf8), [delimiter], [delimiter], [UInt8(ascii: "\"")], [UInt8(ascii: "'")],
                                     Array("''".utf8), Array("\\'".utf8), Array("\\\"".utf8), [UInt8(ascii: "\\")], [0x0D], [0x0A],
                                     [0x0D, 0x0A], [0x20], [0x20, 0x20], Array("'q;''r'".utf8), Array("\"ok\"".utf8), [0xE9]]
            func read(_ path: String, chunk: Int, inPlace: Bool) throws -> [String] {
                let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: chunk), delimiter: delimiter,
                                       encoding: .utf8, inPlace: inPlace, dialect: dialect)
                var out: [String] = []
                while let row = try reader.nextRecord() {
                    out.append("\(row.line) \(row.unterminatedQuote) \(row.isBlank) \((0..<row.count).map { Array(row.rawField($0)) })")
                }
                return out
            }
            for trial in 0..<40 {
                var bytes: [UInt8] = []
                for _ in 0..<Int.random(in: 0..<300, using: &random) { bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)] }
                let path = temporaryFile(bytes)
                let reference = try read(path, chunk: 1 << 20, inPlace: false)
                for chunk in [1, 2, 3, 7, 64, 1 << 20] {
                    #expect(try read(path, chunk: chunk, inPlace: true) == reference, "trial \(trial), chunk \(chunk), \(dialect)")
                }
                let nonBlank = reference.filter { $0.components(separatedBy: " ")[2] == "false" }  // "line unterminated blank fields"
                for (rows, chunk) in [(1, 7), (3, 3), (1_024, 7), (1_024, 64)] {
                    let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: chunk), delimiter: delimiter, encoding: .utf8,
                                           dialect: dialect)
                    var batched: [String] = []
                    while let batch = try reader.nextBatch(rows: rows) {
                        for i in batch.entries.indices {
                            let row = batch.row(i)
                            batched.append("\(row.line) \(row.unterminatedQuote) \(row.isBlank) \((0..<row.count).map { Array(row.rawField($0)) })")
                        }
                    }
                    #expect(batched == nonBlank, "trial \(trial), batches of \(rows), chunk \(chunk), \(dialect)")
                }
            }
        }
    }
}
