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
    return 0
}

@_cdecl("FuzzSpreadsheetML_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzzSpreadsheetML)
}
