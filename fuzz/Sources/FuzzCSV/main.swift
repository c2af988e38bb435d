// The CSV reader's two paths — fields read in place and the copying state machine — must agree
// on every input, for any chunk size, header width, bounds (stray quotes and their rewinds
// included) and dialect (quote, escape, spaces after delimiters); the first three bytes choose
// those settings.
import FuzzSupport
@testable import Ingest

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 3 else { return 0 }
    let options = (data[0], data[1])
    let dialect = [CSVDialect.standard, CSVDialect(quote: UInt8(ascii: "'")), CSVDialect(escape: UInt8(ascii: "\\")),
                   CSVDialect(skipInitialSpace: true),
                   CSVDialect(quote: UInt8(ascii: "'"), escape: UInt8(ascii: "\\"), skipInitialSpace: true)][Int(data[2]) % 5]
    let path = Scratch.write(UnsafeBufferPointer(start: data + 3, count: size - 3))
    let chunk = [1, 2, 3, 7, 64, 4096][Int(options.0) % 6]
    let expected = Int(options.1 % 5)  // 0: width unknown
    var bounds = CSVReader.Bounds()
    if options.1 & 0x80 != 0 {  // small bounds: rewinds and oversized records in short inputs
        bounds.quotedLines = 2
        bounds.quotedBytes = 16
        bounds.recordBytes = 96
    }
    let delimiter = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: " ")][Int(options.0 >> 4) % 4]
    func read(inPlace: Bool, chunk: Int) -> [String] {
        do {
            let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: chunk), delimiter: delimiter, encoding: .utf8,
                                   inPlace: inPlace, bounds: bounds, dialect: dialect)
            reader.expectedFields = expected
            var rows: [String] = []
            while let row = try reader.nextRecord() {
                rows.append("\(row.line)|\(row.problem.map { "\($0)" } ?? "-")|\(row.isBlank)|\((0..<row.count).map { Array(row.rawField($0)) })")
                _ = row.fields
                if rows.count > 100_000 { finding("more records than bytes") }
            }
            return rows
        } catch {
            finding("a read of an in-memory-sized file failed: \(error)")
        }
    }
    let reference = read(inPlace: false, chunk: 1 << 20)
    let got = read(inPlace: true, chunk: chunk)
    if got != reference {
        let i = got.indices.first { $0 >= reference.count || got[$0] != reference[$0] } ?? got.count
        finding("in place (chunk \(chunk)) ≠ copying at record \(i): \(i < got.count ? got[i] : "none") vs \(i < reference.count ? reference[i] : "none")")
    }
    // Batches (the three-thread path) hold the same non-blank records.
    do {
        let reader = CSVReader(source: try FileChunkSource(path: path, chunkSize: chunk), delimiter: delimiter, encoding: .utf8, bounds: bounds,
                               dialect: dialect)
        reader.expectedFields = expected
        var batched: [String] = []
        while let batch = try reader.nextBatch(rows: 3) {
            for i in batch.entries.indices {
                let row = batch.row(i)
                batched.append("\(row.line)|\(row.problem.map { "\($0)" } ?? "-")|\(row.isBlank)|\((0..<row.count).map { Array(row.rawField($0)) })")
            }
        }
        if batched != reference.filter({ $0.split(separator: "|")[2] == "false" }) { finding("batches ≠ records") }
    } catch {
        finding("batch read failed: \(error)")
    }
    return 0
}

@_cdecl("FuzzCSV_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzzCSV)
}
