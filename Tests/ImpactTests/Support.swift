import Foundation
@testable import Ingest

/// Paths the tests need: the package root, the shared corpora beside the clone, scratch folders.
enum Paths {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let corpora = "\(root)/../shared/corpora"

    static func corpus(_ relative: String) -> String { "\(corpora)/\(relative)" }

    /// A fresh, empty temporary folder.
    static func scratch(_ name: String = "t") -> String {
        let path = "\(NSTemporaryDirectory())impact-tests-\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The `impact` executable built beside the tests.
    static var executable: String {
        let candidates = [".build/debug/impact", ".build/release/impact"].map { "\(root)/\($0)" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }
}

/// Every record of a CSV file, as the pipeline reads it.
func records(_ path: String, delimiter: UInt8? = nil, encoding: TextEncoding? = nil) throws -> [[String]] {
    let csv = try CSVFile(path: path, delimiter: delimiter, encoding: encoding)
    var rows: [[String]] = []
    while let row = try csv.next() { rows.append(row.fields) }
    return rows
}

/// Writes bytes to a new temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], name: String = "f.csv") -> String {
    let path = "\(Paths.scratch())/\(name)"
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// Runs the `impact` executable; returns exit code, stdout and stderr.
func runImpact(_ arguments: [String], in directory: String = Paths.root) throws -> (code: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
