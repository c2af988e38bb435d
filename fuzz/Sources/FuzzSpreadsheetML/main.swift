// SpreadsheetML rows (ss:Index skips, MergeAcross spans) through the guard with a small row limit.
import FuzzSupport
@testable import Ingest
@testable import IngestXML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpreadsheetML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let path = Scratch.write(UnsafeBufferPointer(start: data, count: size))
    do {
        try SpreadsheetMLTable(worksheet: nil).read(path: path, maxRowBytes: 1_024) { record in
            let values = record.values
            let row = CSVRow(record: record)
            if record.refusal == nil && !record.isBlank && row.count != values.count { finding("\(row.count) fields, \(values.count) values") }
            if values.count > SpreadsheetMLTable.maximumColumns { finding("\(values.count) columns") }
        }
    } catch is XMLReadError {
    } catch {
        finding("not an XMLReadError: \(error)")
    }
    // The rows through SAX2 callbacks against the reader's: where the reader read every row, the
    // same rows (lines apart: a row's own line against the reader's parser line) and no error.
    func rows(_ read: ((XMLRecord) throws -> Void) throws -> Void) -> (rows: [String], error: String?) {
        var out: [String] = []
        do {
            try read { out.append("\($0.path) \($0.index ?? -1) \($0.width ?? -1) \($0.columns ?? []) \($0.values) \($0.refusal ?? "")") }
            return (out, nil)
        } catch {
            return (out, "\(error)")
        }
    }
    let table = SpreadsheetMLTable(worksheet: nil)
    var handled = true
    let callbacks = rows { emit in handled = try table.readWithoutTree(path: path, maxRowBytes: 1_024, emit: emit) }
    let reader = rows { emit in try table.readWithReader(path: path, maxRowBytes: 1_024, emit: emit) }
    if handled {
        if reader.error == nil && (callbacks.rows != reader.rows || callbacks.error != nil) {
            finding("without trees: \(callbacks)\nthe reader: \(reader)")
        }
        if reader.error != nil && !callbacks.rows.starts(with: reader.rows) { finding("the reader's rows do not begin the callbacks': \(callbacks)\n\(reader)") }
    }
    return 0
}

@_cdecl("FuzzSpreadsheetML_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzzSpreadsheetML)
}
