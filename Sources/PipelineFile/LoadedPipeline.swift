import Foundation
import InputFiles
import Records

/// A pipeline file read once and checked: its configuration, and the SHA-256 of the very bytes parsed.
public struct LoadedPipeline: Sendable {
    public let path: String
    public let config: PipelineConfig
    public let sha256: String

    /// Reads, parses and checks `path`; every mistake is a `PipelineFileError` (exit 2) before any
    /// input is read. `isValidXPath` says whether an expression compiles: XPath is libxml2's, which
    /// lives in IngestXML, and the pipeline file needs no more of it than that answer.
    public init(path: String, isValidXPath: (String) -> Bool) throws {
        let data = try PipelineLoader.read(path: path)
        let config = try PipelineLoader.parse(data: data, path: path)
        try Self.checkXPaths(config, isValid: isValidXPath)
        self.path = path
        self.config = config
        sha256 = FileDigest.sha256(data: data)
    }

    /// A partner-XML column that is not a valid XPath is a pipeline-file mistake: reported at its own
    /// line before anything is read.
    static func checkXPaths(_ config: PipelineConfig, isValid: (String) -> Bool) throws(PipelineFileError) {
        for (i, source) in config.sources.enumerated() where source.format == .xml {
            for (key, ref) in source.keyedColumnReferences where !isValid(ref.description) {
                throw PipelineFileError(file: config.file, line: source.line(ofColumn: key) ?? source.line, key: "sources[\(i)].\(key)",
                                        message: "'\(ref)' is not a valid XPath (relative to the record element, e.g. @code, Nom, ../@date)")
            }
        }
    }
}
