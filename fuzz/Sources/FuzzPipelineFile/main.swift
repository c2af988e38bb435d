// The pipeline-file loader on arbitrary text: a file is accepted, or refused with one
// PipelineFileError whose message is one line per mistake (several missing inputs are said at
// once, one line each), never a library's dump.
import Foundation
import FuzzSupport
@testable import IngestXML
@testable import PipelineFile

let base: String = {
    let folder = "\(NSTemporaryDirectory())impact-fuzz-pipeline-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: "\(folder)/a.csv", contents: Data("a;b\n1;2\n".utf8))
    FileManager.default.createFile(atPath: "\(folder)/a.xml", contents: Data("<a/>".utf8))
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipelineFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let config = try PipelineLoader.parse(text: text, file: "fuzz.yml", baseDirectory: base)
        for source in config.sources where source.format == .xml {
            for column in source.columns.values { _ = PartnerXMLTable.isValid(column.description) }
        }
    } catch let error as PipelineFileError {
        let lines = error.description.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.count != 1 + error.others.count || lines.contains(where: \.isEmpty) {
            finding("\(lines.count) lines for \(1 + error.others.count) mistakes: \(error.description)")
        }
    } catch {
        finding("not a PipelineFileError: \(error)")
    }
    return 0
}

@_cdecl("FuzzPipelineFile_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzzPipelineFile)
}
