import DequeModule
import IngestXML
import InputFiles
import PipelineFile
import Records

extension SourceMapper {
    /// ODK sources: every file at once, so a resubmission in another file replaces the earlier instance.
    /// The reading says the first file's declared encoding (the others' are not looked at).
    @discardableResult
    public func mapInstances(files: [String], emit: (MappedRecord) throws -> Void) throws -> FileReading {
        try mapXML(file: files.first ?? "", files: files, emit: emit)
    }

    /// XML sources: records become rows of text and go through the same mapping and validation as CSV.
    func mapXML(file: String, files: [String]? = nil, emit: (MappedRecord) throws -> Void) throws -> FileReading {
        var fellBack = false
        var readDigest: ReadDigest?
        var note: String?
        let items = source.items.compactMap { entry in config.questionnaire.index(ofItem: entry.id).map { (item: $0, columns: entry.columns) } }
        do {
            if source.xml.dropOnError && source.format != .odk {
                // `on_error: drop`: a first streaming pass, so a broken file gives no record at all.
                try XMLCheck.validate(path: file)
            }
            switch source.format {
            case .spreadsheetml:
                try mapSpreadsheet(file: file, emit: emit)
            case .xml, .odk:
                // Columns are XPaths (partner XML) or group paths (ODK): the row holds them in order.
                let refs = source.columnReferences
                let names = refs.map(\.description)
                let (binding, missing) = ColumnBinding.bind(header: names, columns: source.columns, counts: source.counts, items: items, exact: true)
                guard let binding else {
                    throw SourceUnreadable(source: source.name, file: file, message: "cannot bind columns: \(missing.joined(separator: ", "))")
                }
                if source.format == .xml {
                    let reading = try mapPartner(file: file, names: names, binding: binding, fellBack: &fellBack, emit: emit)
                    (readDigest, note) = (reading.digest, reading.note)
                } else {
                    try mapODK(files: files ?? [file], names: names, binding: binding, fellBack: &fellBack, emit: emit)
                }
            case .csv, .xlsx, .ods:
                break
            }
        } catch let error as XMLReadError {
            throw SourceUnreadable(source: source.name, file: file, message: error.line > 0 ? "\(error.line):\(error.column): \(error.message)" : error.message)
        }
        return FileReading(format: source.format, encoding: Self.declaredEncoding(file), delimiter: "", encodingFallbacks: 0,
                           digest: readDigest, note: note)
    }

    /// SpreadsheetML: rows through the same header search and mapping as CSV; libxml2 parses rows on
    /// a second core while this thread maps them (one thread did both: 40 MB of survey answers took
    /// 1.6 s of the 1 GB run).
    private func mapSpreadsheet(file: String, emit: (MappedRecord) throws -> Void) throws {
        var table = TableMapping(mapper: self, file: file)
        var position = 0
        let sheet = SpreadsheetMLTable(worksheet: source.xml.worksheet)
        let limit = source.xml.maxRecordBytes
        try ParallelBatches.run(batchSize: 256, produce: { (out: (XMLRecord) -> Void) in
            try sheet.read(path: file, maxRowBytes: limit) { out($0) }
        }) { record in
            position += 1
            if let refusal = record.refusal {
                try table.refuse(refusal, line: record.line, path: record.path, index: record.index, emit: emit)
            } else {
                try table.map(CSVRow(record: record), position: position, path: record.path, index: record.index, emit: emit)
            }
        }
        try table.finish()
    }

    /// Partner XML: libxml2 readers parse parts of the file on other cores (`XMLSplitReader`) while
    /// this thread maps the records.
    private func mapPartner(file: String, names: [String], binding: ColumnBinding, fellBack: inout Bool,
                            emit: (MappedRecord) throws -> Void) throws -> XMLReading {
        let table = PartnerXMLTable(recordPath: source.xml.record ?? "/", xpaths: names, namespaces: source.xml.namespaces,
                                    maxRecordBytes: source.xml.maxRecordBytes)
        let reading = ProducerOwned<XMLReading?>(nil)
        let path = table.recordPath
        try ParallelBatches.run(batchSize: 1, produce: { (out: (XMLRecordBatch) -> Void) in
            reading.value = try table.read(path: file, readers: XMLSplitReader.defaultReaders, emit: out)
        }) { batch in
            // A batch mapped, then emitted: the look-ahead sees its lines before their turn.
            var records = Deque<MappedRecord>(minimumCapacity: batch.count)
            for i in 0..<batch.count {
                if let refusal = batch.refusals[i] {
                    records.append(rows.refused(refusal, line: batch.lines[i], path: path, index: batch.indices[i]))
                    continue
                }
                let row = CSVRow(bytes: batch.bytes, bounds: batch.bounds[batch.span(i)], line: batch.lines[i])
                records.append(rows.map(row, binding: binding, fellBack: &fellBack, path: path, index: batch.indices[i]))
            }
            try emitLookingAhead(consume records, emit: emit)
        }
        return reading.value ?? XMLReading(digest: nil, readers: 1, note: "")
    }

    /// ODK: every file at once (resubmissions across files); a file that cannot be read is one
    /// rejected record named by its file, and the others are read.
    private func mapODK(files: [String], names: [String], binding: ColumnBinding, fellBack: inout Bool,
                        emit: (MappedRecord) throws -> Void) throws {
        // Files named as from the pipeline file's folder ("instances/0007.xml uuid:…").
        let base = config.baseDirectory
        try ODKInstances(paths: names, maxInstanceBytes: source.xml.maxRecordBytes).read(
            files: files, dropOnError: source.xml.dropOnError, display: { PipelineLoader.relative($0, from: base) }, emit: { record in
            try emit(rows.map(CSVRow(fields: record.values, line: record.line), binding: binding, fellBack: &fellBack, path: record.path))
        }, duplicate: { record in
            try emit(.duplicate(RecordLocation(source: source.name, line: record.line, path: record.path)))
        }, broken: { fault in
            let reason: RejectReason = fault.message.hasPrefix("an instance larger") ? .xmlRecordTooLarge : .xmlMalformed
            let message = fault.message.hasPrefix("an instance larger") ? fault.message
                : "this file could not be read: \(fault.line > 0 ? "line \(fault.line): " : "")\(fault.message); the other files were read"
            try emit(.rejected([Reject(location: RecordLocation(source: source.name, line: max(fault.line, 0), path: fault.file),
                                       field: "", value: "", reason: reason, message: message)]))
        })
    }

    /// The encoding an XML file declares (`<?xml … encoding="ISO-8859-1"?>`), lower-cased like the CSV
    /// ones; UTF-8 when it declares none.
    public static func declaredEncoding(_ file: String) -> String {
        ((try? XMLSniffer.sniff(path: file))?.declaredEncoding ?? "UTF-8").lowercased()
    }
}
