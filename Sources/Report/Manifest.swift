import Foundation
import Records

/// manifest.json: provenance of a run (tool, pipeline file, inputs with hashes, counts, times).
public struct Manifest: Codable, Sendable {
    public struct Pipeline: Codable, Sendable {
        public let path: String
        public let sha256: String
    }

    public struct Source: Codable, Sendable {
        public let name: String
        public let kind: SourceKind
        public let read: Int
        public let accepted: Int
        public let rejected: Int
        public let duplicates: Int
        public let encodingFallbacks: Int
        public let unreadable: [String]
    }

    public let tool: String
    public let version: String
    public let pipeline: Pipeline
    public let inputs: [InputFileInfo]
    public let sources: [Source]
    public let outputs: [String]
    public let suppressedCells: Int
    public let exitCode: Int
    public let startedAt: String
    public let finishedAt: String

    /// The manifest of `summary`, with the run's start and end times (ISO 8601, UTC).
    public init(summary: RunSummary, outputs: [String], exitCode: Int, startedAt: Date, finishedAt: Date) {
        tool = "impact"
        version = summary.toolVersion
        pipeline = Pipeline(path: summary.pipelinePath, sha256: summary.pipelineSHA256)
        inputs = summary.inputs
        sources = summary.sources.map {
            Source(name: $0.name, kind: $0.kind, read: $0.tally.read, accepted: $0.tally.accepted, rejected: $0.tally.rejected,
                   duplicates: $0.tally.duplicates, encodingFallbacks: $0.tally.encodingFallbacks, unreadable: $0.unreadable)
        }
        self.outputs = outputs
        suppressedCells = summary.rows.filter { $0.status == .suppressed }.count
        self.exitCode = exitCode
        let format = ISO8601DateFormatter()
        self.startedAt = format.string(from: startedAt)
        self.finishedAt = format.string(from: finishedAt)
    }

    /// Pretty, key-sorted JSON.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
