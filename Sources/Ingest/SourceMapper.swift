import Foundation
import IngestWorkbook
import IngestXML
import InputFiles
import PipelineFile
import Records

/// A source that cannot be read at all (missing columns, I/O failure): the run goes on without it.
public struct SourceUnreadable: Error, CustomStringConvertible, Sendable {
    public let source: String
    public let file: String
    public let message: String
    public var description: String { "\(file): \(message)" }
}

/// Reads one file of a source and maps each record to a canonical record or to rejects.
public struct SourceMapper {
    public let source: SourceConfig
    public let config: PipelineConfig
    /// Organisations named on attendance sheets, for the report's list of organisations reached.
    public let organisationNames = OrganisationNames()
    /// Each row's checks and the mapper of the source's kind.
    let rows: RowMapper
    /// Threads mapping a file's rows (the records, names and counts are the same whatever the number).
    var mappingWorkers = SourceMapper.defaultMappingWorkers
    /// Given each attendance line's `actionHash` a few records before `emit` gets the line (CSV and
    /// partner-XML files, on the same thread): the consumer starts loading what it will look up (`ReachState.prefetch`).
    public var lookAhead: ((UInt64) -> Void)?

    public init(source: SourceConfig, config: PipelineConfig, key: PseudonymKey) {
        self.source = source
        self.config = config
        rows = RowMapper(source: source, config: config, key: key, organisationNames: organisationNames)
    }

    /// Names read in name fields (keyed hashes of their folded words), for masking.
    public var names: NameSet { rows.names }

    /// How many leading records may be looked at to find the header row.
    static let headerSearchLimit = 50

    /// How a file was read, for the manifest.
    public struct FileReading: Sendable {
        /// What it was read as: `csv`, `xml`, `spreadsheetml`, `odk`, `xlsx` or `ods` (a workbook given
        /// without a format, or as CSV, by its bytes).
        public let format: SourceFormat
        /// The text encoding its bytes were decoded from; empty for a workbook (a ZIP package has none).
        public let encoding: String
        public let delimiter: String
        /// Records with fields that were not UTF-8 and were read as Windows-1252.
        public let encodingFallbacks: Int
        /// SHA-256 and size, when computed while reading (a CSV or partner-XML file read to its end).
        public var digest: ReadDigest? = nil
        /// How it was read, for the run log (partner XML: by how many readers, or why by one).
        public var note: String? = nil
    }

    /// Streams `file`, calling `emit` for every physical record after the header.
    @discardableResult
    public func map(file: String, emit: (MappedRecord) throws -> Void) throws -> FileReading {
        if source.format.isWorkbook { return try mapWorkbook(file: file, emit: emit) }
        if source.format != .csv { return try mapXML(file: file, emit: emit) }
        // A ZIP is never read as CSV: a workbook given without a format (or as CSV) is read as one,
        // and an OLE file (legacy .xls, encrypted workbook) is refused with what to do.
        if FileSignature.of(path: file) != .other { return try mapWorkbook(file: file, emit: emit) }
        let csv: CSVFile
        do {
            csv = try CSVFile(path: file, delimiter: source.csv.delimiter,
                              encoding: source.csv.encoding.flatMap(TextEncoding.init(declared:)))
        } catch let error as InputFileError {
            throw SourceUnreadable(source: source.name, file: file, message: error.message)
        }
        let (binding, headerRow, headerFirst) = try findHeader(csv, file: file)
        // Label or metadata rows under the header (survey tools) are not records.
        for _ in 0..<source.csv.skipAfterHeader { _ = try readRow(csv, file: file) }
        // From here a value over several lines in a record of another width is a stray quote.
        csv.expectFields(binding.headerWidth)
        let reader = ProducerOwned(csv)
        let sourceName = source.name
        let skip: @Sendable (CSVRow) -> Bool = { row in
            // The header repeated (concatenated exports) is not a record.
            // Lengths first: this runs on every row (a generic comparison per row was 1 % of the CPU at 700 MB).
            row.count == binding.headerWidth && row.range(0).count == headerFirst.count && row.rawField(0).elementsEqual(headerFirst)
                && row.fields.map(Fold.key) == headerRow
        }
        var fallbacks = 0
        // One thread splits the file into rows (batches of 1,024 sharing their bounds), workers
        // (`defaultMappingWorkers`) map them to records, each with its own caches, and this one takes
        // the batches in the file's order: it keeps the names the workers met first and aggregates.
        try ParallelBatches.run(workers: mappingWorkers, produce: { (out: (CSVRowBatch) -> Bool) in
            // Stops reading once the consumer stopped (its error is the run's).
            try Self.reading(file, of: sourceName) { while let batch = try reader.value.nextBatch(rows: 1_024), out(batch) {} }
        }, worker: makeWorker, transform: { (worker: RowMapper, batch: CSVRowBatch) in
            worker.map(batch, binding: binding, skip: skip)
        }, consume: { (batch: consuming MappedBatch) in
            fallbacks += batch.fallbacks
            try keep(consume batch, emit: emit)
        })
        let delimiter = csv.delimiter == UInt8(ascii: "\t") ? "tab" : String(UnicodeScalar(csv.delimiter))
        return FileReading(format: .csv, encoding: csv.encoding.encoding.rawValue, delimiter: delimiter,
                           encodingFallbacks: fallbacks, digest: csv.digest)
    }

    private func readRow(_ csv: CSVFile, file: String) throws -> CSVRow? {
        try Self.reading(file, of: source.name) { try csv.next() }
    }

    /// Runs `body`, which reads `file` of `source`; a read failure makes the source unreadable.
    private static func reading<T>(_ file: String, of source: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as InputFileError {
            throw SourceUnreadable(source: source, file: file, message: error.message)
        }
    }

    /// The declared header row, or the first of the first records that holds every mapped column.
    /// Also returns the header's first field as raw bytes, to spot the header repeated cheaply.
    private func findHeader(_ csv: CSVFile, file: String) throws -> (ColumnBinding, [String], [UInt8]) {
        var search = HeaderSearch(source: source, config: config)
        var position = 0
        while let row = try readRow(csv, file: file) {
            position += 1
            let fields = row.fields
            switch search.offer(fields, position: position, line: row.line) {
            case .next: continue
            case .missing: throw search.failure(file: file, hint: Self.oneColumnHint(csv))
            case .header(let binding): return (binding, fields.map(Fold.key), Array(row.rawField(0)))
            }
        }
        throw search.failure(file: file, hint: Self.oneColumnHint(csv))
    }

    /// Why a file read as one column may not be a CSV of the kind expected.
    private static func oneColumnHint(_ csv: CSVFile) -> String? {
        csv.delimiterEvidence.hasPrefix("default") ? "it was read as one column (\(csv.delimiterEvidence)); set csv.delimiter if it has one" : nil
    }
}
