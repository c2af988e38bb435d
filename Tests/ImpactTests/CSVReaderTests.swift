import Foundation
import Testing
@testable import Ingest

@Suite("CSV reader")
struct CSVReaderTests {
    /// The case: Windows-1252, ';', CRLF, `é` in a header, a quoted field holding ';', a newline and "".
    @Test func windows1252QuotedSemicolonNewlineQuotes() throws {
        let text = "Durée;Remarques;Territoire\r\n2;\"Bus complet ; liste d'attente.\r\nRetour \"\"très positif\"\"\";Lyon\r\n3;ok;Saint-Étienne\r\n"
        let bytes = Array(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })  // Latin-1 ⊂ Windows-1252 here
        let path = temporaryFile(bytes)
        let csv = try CSVFile(path: path)
        #expect(csv.encoding.encoding == .windows1252)
        #expect(csv.delimiter == UInt8(ascii: ";"))
        var rows: [CSVRow] = []
        while let row = try csv.next() { rows.append(row) }
        #expect(rows.map(\.fields) == [
            ["Durée", "Remarques", "Territoire"],
            ["2", "Bus complet ; liste d'attente.\r\nRetour \"très positif\"", "Lyon"],
            ["3", "ok", "Saint-Étienne"],
        ])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test func detectsEachDelimiter() throws {
        for d in [",", ";", "\t", "|"] {
            let text = ["a", "b", "c"].joined(separator: d) + "\n" + ["1", "2,5", "x"].joined(separator: d) + "\n"
            let path = temporaryFile(Array(text.utf8))
            let expected = d == "," ? [["a", "b", "c"], ["1", "2", "5", "x"]] : [["a", "b", "c"], ["1", "2,5", "x"]]
            #expect(try records(path) == expected, "delimiter \(d)")
        }
    }

    @Test func blankLinesAndTrailingEmptyRowsAreSkipped() throws {
        let path = temporaryFile(Array("a;b\n\n1;2\n;\n;;\n\n".utf8))
        #expect(try records(path) == [["a", "b"], ["1", "2"]])
    }

    @Test func unterminatedQuoteIsFlagged() throws {
        let path = temporaryFile(Array("a,b\n1,\"open\n2,3\n".utf8))
        let csv = try CSVFile(path: path)
        _ = try csv.next()
        let row = try #require(try csv.next())
        #expect(row.unterminatedQuote)
        #expect(row.fields == ["1", "open\n2,3\n"])
    }

    /// A UTF-8 file with one stray Windows-1252 byte: that field is read as Windows-1252, flagged.
    @Test func mixedEncodingFallsBackPerField() throws {
        var bytes = Array("nom,ville\nZoé,Lyon\nHélène,Vénissieux\n".utf8)
        bytes += [0x52, 0xE9, 0x6D, 0x69, 0x2C, 0x53, 0x74, 0x2D, 0xC9, 0x74, 0x69, 0x65, 0x6E, 0x6E, 0x65, 0x0A]  // "Rémi,St-Étienne" in 1252
        let csv = try CSVFile(path: temporaryFile(bytes))
        #expect(csv.encoding.encoding == .utf8)
        var rows: [CSVRow] = []
        while let row = try csv.next() { rows.append(row) }
        var fellBack = false
        #expect(rows[3].field(0, fellBack: &fellBack) == "Rémi")
        #expect(rows[3].field(1) == "St-Étienne")
        #expect(fellBack)
        #expect(rows[1].field(0) == "Zoé")
    }

    /// Records spanning chunk boundaries read the same as in one chunk.
    @Test func chunkBoundariesDoNotMatter() throws {
        var text = "id;texte\r\n"
        for i in 0..<2_000 { text += "\(i);\"ligne \(i) ; avec \"\"guillemets\"\"\r\nsur deux lignes\"\r\n" }
        let path = temporaryFile(Array(text.utf8))
        let reference = try records(path)
        for size in [1, 2, 3, 7, 64, 4096] {
            let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: size), delimiter: UInt8(ascii: ";"), encoding: .utf8)
            var rows: [[String]] = []
            var lines: [Int] = []
            while let row = try reader.next() { rows.append(row.fields); lines.append(row.line) }
            #expect(rows == reference, "chunk size \(size)")
            let lastLine = 2 + 2 * 1_999  // header on line 1, then two lines per record
            #expect(lines.last == lastLine, "chunk size \(size)")
        }
        #expect(reference.count == 2_001)
    }

    /// The in-place reader (fields as ranges of the chunk, `""` unescaped in a record's own copy)
    /// against the copying state machine, on random bytes rich in quotes, delimiters and line
    /// breaks, for chunk sizes that cut records everywhere.
    @Test func inPlaceReadingEqualsCopying() throws {
        var random = SeededGenerator(seed: 8)
        let pieces: [[UInt8]] = [Array("a".utf8), Array("é".utf8), Array("xyz".utf8), [UInt8(ascii: ";")], [UInt8(ascii: ";")],
                                 [UInt8(ascii: "\"")], Array("\"\"".utf8), Array("\"q;\"\"r\"".utf8), [0x0D], [0x0A], [0x0D, 0x0A],
                                 [0x20], Array("\"ok\"".utf8), Array("\"a\"b".utf8), [0xE9]]
        func read(_ path: String, chunk: Int, inPlace: Bool) throws -> [String] {
            let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: chunk), delimiter: UInt8(ascii: ";"),
                                   encoding: .utf8, inPlace: inPlace)
            var out: [String] = []
            while let row = try reader.nextRecord() {
                let fields = (0..<row.count).map { Array(row.rawField($0)) }
                out.append("\(row.line) \(row.unterminatedQuote) \(row.isBlank) \(fields)")
            }
            return out
        }
        for trial in 0..<60 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0..<400, using: &random) { bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)] }
            let path = temporaryFile(bytes)
            let reference = try read(path, chunk: 1 << 20, inPlace: false)
            for chunk in [1, 2, 3, 5, 8, 17, 64, 1 << 20] {
                #expect(try read(path, chunk: chunk, inPlace: true) == reference, "trial \(trial), chunk \(chunk)")
            }
            // Batches (the three-thread CSV path) hold the same non-blank records, whatever their size.
            for rows in [1, 3, 1_024] {
                let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: 7), delimiter: UInt8(ascii: ";"), encoding: .utf8)
                var batched: [String] = []
                while let batch = try reader.nextBatch(rows: rows) {
                    #expect(batch.entries.count <= rows)
                    for i in batch.entries.indices {
                        let row = batch.row(i)
                        batched.append("\(row.line) \(row.unterminatedQuote) \(row.isBlank) \((0..<row.count).map { Array(row.rawField($0)) })")
                    }
                }
                #expect(batched == reference.filter { $0.split(separator: " ")[2] == "false" },  // "line unterminated blank fields"
                        "trial \(trial), batches of \(rows)")
            }
        }
    }

    /// A quoted field over many chunks (a stray quote early in a file) reads whole, escapes and
    /// line breaks included.
    @Test func quotedFieldOverManyChunks() throws {
        let long = String(repeating: "x;\"\"y\n", count: 100_000)
        let text = "id;texte\n1;\"" + long + "\";fin\n2;ok\n"
        let path = temporaryFile(Array(text.utf8))
        let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: 4096), delimiter: UInt8(ascii: ";"), encoding: .utf8)
        var rows: [[String]] = []
        while let row = try reader.next() { rows.append(row.fields) }
        #expect(rows.count == 3)
        #expect(rows[1] == ["1", long.replacingOccurrences(of: "\"\"", with: "\""), "fin"])
        #expect(rows[2] == ["2", "ok"])
    }

    /// Quotes inside unquoted fields are kept as they are, next to a quoted field with `""`.
    @Test func unquotedQuotesBesideEscapedField() throws {
        let path = temporaryFile(Array("a;b;c\n12\" pouces;\"dit \"\"oui\"\"\";x\"y\"\n".utf8))
        #expect(try records(path) == [["a", "b", "c"], ["12\" pouces", "dit \"oui\"", "x\"y\""]])
    }
}

