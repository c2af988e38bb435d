// Dialect detection (encoding, BOM, `sep=` line, delimiter, quote, escape, spaces after delimiters,
// space-separated listings) and the rows read with what it found, on arbitrary bytes: no crash, no
// hang, every field decodes, line numbers only grow.
import FuzzSupport
@testable import Ingest
import Records

private let key = PseudonymKey.random()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDialect(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let head = Array(bytes)
    _ = EncodingDetector.detect(head)
    _ = CSVFile.sepLine(head)
    _ = CSVFile.detectDelimiter(head)
    _ = CSVFile.fieldCounts(head, delimiter: UInt8(ascii: ";"))
    _ = DialectSniffer.dialect(head, delimiter: UInt8(ascii: ";"))
    _ = DialectSniffer.spaceSeparated(head)
    _ = DialectSniffer.unevenlySpaced(head)
    let path = Scratch.write(bytes)
    do {
        let csv = try CSVFile(path: path)
        var last = 0
        while let row = try csv.next() {
            var fellBack = false
            for i in 0..<row.count { _ = row.field(i, fellBack: &fellBack); _ = row.trimmedField(i, fellBack: &fellBack); _ = row.foldedKeyHash(i, key: key) }
            if row.line < last { finding("line \(row.line) after line \(last)") }
            last = row.line
        }
    } catch {
        finding("reading a regular file failed: \(error)")
    }
    return 0
}

@_cdecl("FuzzDialect_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzzDialect)
}
