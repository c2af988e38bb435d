import CSystem
import Foundation
import Testing
import TestSupport
@testable import Ingest

@Suite("CSV reader")
struct CSVReaderTests {
    /// The issue's case: Windows-1252, ';', CRLF, `é` in a header, a quoted field holding ';', a newline and "".
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

    /// A quote opening a value that the file never closes: on its last line, the record is flagged
    /// unterminated; with lines after it, it is a stray quote and those lines are records.
    @Test func quoteNeverClosed() throws {
        let last = try CSVFile(path: temporaryFile(Array("a,b\n1,\"open".utf8)))
        _ = try last.next()
        let row = try #require(try last.next())
        #expect(row.unterminatedQuote && row.fields == ["1", "open"])
        let csv = try CSVFile(path: temporaryFile(Array("a,b\n1,\"open\n2,3\n".utf8)))
        var rows: [CSVRow] = []
        while let row = try csv.next() { rows.append(row) }
        #expect(rows.map(\.fields) == [["a", "b"], ["1", "open"], ["2", "3"]])
        #expect(rows.map(\.line) == [1, 2, 3])
        #expect(rows[1].problem == .strayQuote(line: 2, column: 2, evidence: .neverClosed))
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
        // Small bounds, so that stray quotes (and the rewinds they cause) and oversized records happen
        // in short random files; and each width the header could have.
        var small = CSVReader.Bounds()
        small.quotedLines = 2
        small.quotedBytes = 12
        small.recordBytes = 64
        func reader(_ path: String, chunk: Int, inPlace: Bool = true, expected: Int, bounds: CSVReader.Bounds) throws -> CSVReader {
            let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: chunk), delimiter: UInt8(ascii: ";"),
                                   encoding: .utf8, inPlace: inPlace, bounds: bounds)
            reader.expectedFields = expected
            return reader
        }
        func describe(_ row: CSVRow) -> String {
            "\(row.line) | \(row.problem.map { "\($0)" } ?? "-") | \(row.isBlank) | \((0..<row.count).map { Array(row.rawField($0)) })"
        }
        func read(_ path: String, chunk: Int, inPlace: Bool, expected: Int, bounds: CSVReader.Bounds) throws -> [String] {
            let r = try reader(path, chunk: chunk, inPlace: inPlace, expected: expected, bounds: bounds)
            var out: [String] = []
            while let row = try r.nextRecord() { out.append(describe(row)) }
            return out
        }
        for trial in 0..<60 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0..<400, using: &random) { bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)] }
            let path = temporaryFile(bytes)
            for (expected, bounds) in [(0, CSVReader.Bounds()), (2, small), (3, CSVReader.Bounds()), (3, small)] {
                let reference = try read(path, chunk: 1 << 20, inPlace: false, expected: expected, bounds: bounds)
                for chunk in [1, 2, 3, 5, 8, 17, 64, 1 << 20] {
                    let got = try read(path, chunk: chunk, inPlace: true, expected: expected, bounds: bounds)
                    let first = got.indices.first { $0 >= reference.count || got[$0] != reference[$0] } ?? got.count
                    let mismatch = "\(first < got.count ? got[first] : "none") instead of \(first < reference.count ? reference[first] : "none")"
                    #expect(got == reference, "trial \(trial), chunk \(chunk), width \(expected): record \(first): \(mismatch)")
                }
                // Batches (the three-thread CSV path) hold the same non-blank records, whatever their size,
                // and the block their in-place records lie in: one at most (a batch ends with its block).
                for (rows, chunk) in [(1, 7), (3, 7), (1_024, 7), (3, 1), (1_024, 1), (1_024, 64)] {
                    let r = try reader(path, chunk: chunk, expected: expected, bounds: bounds)
                    var batched: [String] = []
                    while let batch = try r.nextBatch(rows: rows) {
                        #expect(batch.entries.count <= rows)
                        // A block only when some record lies in it in place.
                        #expect(batch.block.isEmpty == !batch.entries.contains { $0.bytes == nil })
                        for i in batch.entries.indices { batched.append(describe(batch.row(i))) }
                    }
                    #expect(batched == reference.filter { $0.components(separatedBy: " | ")[2] == "false" },  // "line | problem | blank | fields"
                            "trial \(trial), batches of \(rows), chunk \(chunk), width \(expected)")
                }
            }
        }
    }

    /// A 64-byte mask sets the bits of the four bytes asked for and no other, with SSE2 and without:
    /// on random windows, the four bytes rare or dense, sometimes equal to each other.
    @Test func byteMasksMarkExactlyTheFourBytes() {
        var random = SeededGenerator(seed: 43)
        for trial in 0..<20_000 {
            var four = (0..<4).map { _ in UInt8.random(in: 0...255, using: &random) }
            if trial % 3 == 0 { four = [0x3B, 0x22, 0x0D, 0x0A] }
            if trial % 7 == 0 { four[3] = four[0] }
            let density = [1, 2, 4, 16, 256][trial % 5]
            let window: [UInt8] = (0..<64).map { _ in
                Int.random(in: 0..<density, using: &random) == 0 ? four[Int.random(in: 0..<4, using: &random)] : UInt8.random(in: 0...255, using: &random)
            }
            var expected: UInt64 = 0
            for (i, x) in window.enumerated() where four.contains(x) { expected |= 1 << UInt64(i) }
            window.withUnsafeBufferPointer { w in
                guard let p = w.baseAddress else { return }
                #expect(impact_byte_mask64(p, four[0], four[1], four[2], four[3]) == expected, "trial \(trial)")
                #expect(impact_byte_mask64_portable(p, four[0], four[1], four[2], four[3]) == expected, "trial \(trial), portable")
            }
        }
    }

    /// The 64-byte masks find what a byte-by-byte search finds: from every position of random blocks
    /// (shorter and longer than a mask, special bytes rare and dense), asked in order as the scan
    /// asks, and out of order.
    @Test func specialBytesFindTheNextOne() {
        var random = SeededGenerator(seed: 41)
        let specials: [UInt8] = [0x3B, 0x22, 0x0D, 0x0A]
        for trial in 0..<400 {
            let count = [0, 1, 63, 64, 65, 127, 128, 200, 1_000][trial % 9] + Int.random(in: 0..<3, using: &random)
            let density = [2, 8, 60, 400][trial % 4]
            let block: [UInt8] = (0..<count).map { _ in
                Int.random(in: 0..<density, using: &random) == 0 ? specials.randomElement(using: &random) ?? 0 : UInt8.random(in: 0x20...0xFF, using: &random)
            }
            block.withUnsafeBufferPointer { buffer in
                func naive(_ p: Int) -> Int { (p..<buffer.count).first { specials.contains(buffer[$0]) } ?? buffer.count }
                var inOrder = SpecialBytes(0x3B, 0x22, 0x0D, 0x0A)
                var p = 0
                while p <= buffer.count {
                    #expect(inOrder.next(from: p, in: buffer) == naive(p), "trial \(trial), from \(p) of \(buffer.count)")
                    p += Int.random(in: 1...9, using: &random)
                }
                var anyOrder = SpecialBytes(0x3B, 0x22, 0x0D, 0x0A)
                for _ in 0..<50 {
                    let q = Int.random(in: 0...buffer.count, using: &random)
                    #expect(anyOrder.next(from: q, in: buffer) == naive(q), "trial \(trial), from \(q) of \(buffer.count), out of order")
                }
            }
        }
    }

    /// A quoted value over many small chunks, within what a spreadsheet cell holds (250 lines),
    /// reads whole, escapes and line breaks included.
    @Test func quotedFieldOverManyChunks() throws {
        let long = String(repeating: "x;\"\"y\n", count: 249) + "fin"
        let text = "id;texte;suite\n1;\"" + long + "\";fin\n2;ok;ok\n"
        let path = temporaryFile(Array(text.utf8))
        let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: 64), delimiter: UInt8(ascii: ";"), encoding: .utf8)
        reader.expectedFields = 3
        var rows: [CSVRow] = []
        while let row = try reader.next() { rows.append(row) }
        #expect(rows.map(\.fields) == [["id", "texte", "suite"], ["1", long.replacingOccurrences(of: "\"\"", with: "\""), "fin"], ["2", "ok", "ok"]])
        #expect(rows.map(\.line) == [1, 2, 252])  // the value's 249 line breaks
    }

    /// A stray quote early in a file (the value it opens would run over 100,000 lines): only its
    /// line is rejected, every line after it is read, in memory bounded by the rewind.
    @Test func strayQuoteBeforeManyLines() throws {
        let text = "id;texte\n1;\"ouvert\n" + String(repeating: "2;ok\n", count: 100_000) + "3;\"fin\"\n"
        let path = temporaryFile(Array(text.utf8))
        let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: 4096), delimiter: UInt8(ascii: ";"), encoding: .utf8)
        var rows: [CSVRow] = []
        while let row = try reader.next() { rows.append(row) }
        #expect(rows.count == 1 + 1 + 100_000 + 1)
        #expect(rows[1].problem == .strayQuote(line: 2, column: 2, evidence: .tooManyLines) && rows[1].fields == ["1", "ouvert"])
        #expect(rows[2].fields == ["2", "ok"] && rows[2].line == 3)
        #expect(rows.last?.fields == ["3", "fin"] && rows.last?.line == 100_003)
    }

    /// Found by the CSV fuzz target: a record read in place (within one chunk) but longer than the
    /// record bound was kept, while the copying reader rejected it. Both reject it now.
    @Test func recordBoundHoldsInPlaceToo() throws {
        var bounds = CSVReader.Bounds()
        bounds.recordBytes = 64
        let path = temporaryFile(Array(("a;b\n1;" + String(repeating: "x", count: 100) + "\n2;ok\n").utf8))
        var results: [[String]] = []
        for inPlace in [true, false] {
            let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: 4096), delimiter: UInt8(ascii: ";"), encoding: .utf8,
                                   inPlace: inPlace, bounds: bounds)
            var rows: [String] = []
            while let row = try reader.next() { rows.append("\(row.line) \(row.problem.map { "\($0)" } ?? "-") \(row.fields)") }
            results.append(rows)
        }
        #expect(results[0] == results[1])
        #expect(results[0] == ["1 - [\"a\", \"b\"]", "2 tooLarge []", "3 - [\"2\", \"ok\"]"])
    }

    /// Found by the CSV fuzz target: a quoted value over several lines in a record that also passes
    /// the record bound was a stray quote or an oversized record depending on where the file was cut.
    /// The first bound passed, byte by byte, decides.
    @Test func firstBoundPassedDecides() throws {
        var bounds = CSVReader.Bounds()
        bounds.quotedLines = 2
        bounds.quotedBytes = 16
        bounds.recordBytes = 30
        let text = "id;t\n1234567890123456789012345;\"ab\ncdefghijklmnopqrstuvwxyz\"\n2;ok\n"
        let path = temporaryFile(Array(text.utf8))
        var results: Set<String> = []
        for (chunk, inPlace) in [(1, true), (2, true), (3, true), (7, true), (4096, true), (4096, false), (1, false)] {
            let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: chunk), delimiter: UInt8(ascii: ";"), encoding: .utf8,
                                   inPlace: inPlace, bounds: bounds)
            var rows: [String] = []
            while let row = try reader.next() { rows.append("\(row.line) \(row.problem.map { "\($0)" } ?? "-")") }
            results.insert(rows.joined(separator: ", "))
        }
        #expect(results == ["1 -, 2 tooLarge, 4 -"], "\(results)")
    }

    /// A record beyond the size bound (a file of one endless line): rejected, nothing of it kept,
    /// the next line read.
    @Test func oversizedRecordIsSkippedToItsLineEnd() throws {
        let text = "id;texte\n1;" + String(repeating: "x", count: 5_000) + "\n2;ok\n"
        var bounds = CSVReader.Bounds()
        bounds.recordBytes = 1_000
        let reader = CSVReader(source: try FileChunkSource(path: temporaryFile(Array(text.utf8)), chunkSize: 256), delimiter: UInt8(ascii: ";"),
                               encoding: .utf8, bounds: bounds)
        var rows: [CSVRow] = []
        while let row = try reader.next() { rows.append(row) }
        #expect(rows.map(\.problem) == [nil, .tooLarge, nil])
        #expect(rows.map(\.line) == [1, 2, 3] && rows[1].count == 0 && rows[2].fields == ["2", "ok"])
    }

    /// Quotes inside unquoted fields are kept as they are, next to a quoted field with `""`.
    @Test func unquotedQuotesBesideEscapedField() throws {
        let path = temporaryFile(Array("a;b;c\n12\" pouces;\"dit \"\"oui\"\"\";x\"y\"\n".utf8))
        #expect(try records(path) == [["a", "b", "c"], ["12\" pouces", "dit \"oui\"", "x\"y\""]])
    }
}

