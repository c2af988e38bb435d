import IngestXML
import PipelineFile
import Records

extension SourceMapper {
    /// Every column reference of the source, in a stable order (fields, counts, items).
    public var columnReferences: [ColumnRef] {
        var refs: [ColumnRef] = []
        func add(_ r: ColumnRef) { if !refs.contains(r) { refs.append(r) } }
        for key in source.columns.keys.sorted() { if let r = source.columns[key] { add(r) } }
        for key in source.counts.keys.sorted() { if let r = source.counts[key] { add(r) } }
        for (_, columns) in source.items {
            switch columns {
            case .single(let r): add(r)
            case .beforeAfter(let b, let a): add(b); add(a)
            }
        }
        return refs
    }

    /// ODK sources: every file at once, so a resubmission in another file replaces the earlier instance.
    public func mapInstances(files: [String], emit: (MappedRecord) throws -> Void) throws {
        _ = try mapXML(file: files.first ?? "", files: files, emit: emit)
    }

    /// XML sources: records become rows of text and go through the same mapping and validation as CSV.
    func mapXML(file: String, files: [String]? = nil, emit: (MappedRecord) throws -> Void) throws -> FileReading {
        let items = source.items.compactMap { entry in config.questionnaire.index(ofItem: entry.id).map { (item: $0, columns: entry.columns) } }
        var fellBack = false
        var readDigest: ReadDigest?
        do {
            if source.xml.dropOnError {
                // `on_error: drop`: a first streaming pass, so a broken file gives no record at all.
                for f in files ?? [file] { try XMLCheck.validate(path: f) }
            }
            switch source.format {
            case .spreadsheetml:
                var table = TableMapping(mapper: self, file: file)
                var position = 0
                let sheet = SpreadsheetMLTable(worksheet: source.xml.worksheet)
                // libxml2 parses rows on a second core while this thread maps them (one thread did both:
                // 40 MB of survey answers took 1.6 s of the 1 GB run).
                try ParallelBatches.run(batchSize: 256, produce: { (out: (XMLRecord) -> Void) in
                    try sheet.read(path: file) { out($0) }
                }) { record in
                    position += 1
                    try table.map(CSVRow(bytes: record.bytes, bounds: Self.bounds(record.ends)[...], line: record.line), position: position,
                                  path: record.path, emit: emit)
                }
                try table.finish()
            case .xml, .odk:
                // Columns are XPaths (partner XML) or group paths (ODK): the row holds them in order.
                let refs = columnReferences
                let names = refs.map(\.description)
                let (binding, missing) = ColumnBinding.bind(header: names, columns: source.columns, counts: source.counts, items: items, exact: true)
                guard let binding else {
                    throw SourceUnreadable(source: source.name, file: file, message: "cannot bind columns: \(missing.joined(separator: ", "))")
                }
                if source.format == .xml {
                    let table = PartnerXMLTable(recordPath: source.xml.record ?? "/", xpaths: names, namespaces: source.xml.namespaces)
                    // libxml2 parses ahead on a second core while this thread maps the records.
                    let digest = ProducerOwned<ReadDigest?>(nil)
                    let path = table.recordPath
                    try ParallelBatches.run(batchSize: 1, produce: { (out: (XMLRecordBatch) -> Void) in
                        digest.value = try table.read(path: file, emit: out)
                    }) { batch in
                        for i in 0..<batch.count {
                            let row = CSVRow(bytes: batch.bytes, bounds: batch.bounds[batch.span(i)], line: batch.lines[i])
                            try emit(mapRow(row, binding: binding, file: file, fellBack: &fellBack, path: path, index: batch.indices[i]))
                        }
                    }
                    readDigest = digest.value
                } else {
                    try ODKInstances(paths: names).read(files: files ?? [file], emit: { record in
                        try emit(mapRow(CSVRow(fields: record.values, line: record.line), binding: binding, file: file,
                                        fellBack: &fellBack, path: record.path))
                    }, duplicate: { record in
                        try emit(.duplicate(RecordLocation(source: source.name, line: record.line, path: record.path)))
                    })
                }
            case .csv, .xlsx, .ods:
                break
            }
        } catch let error as XMLReadError {
            throw SourceUnreadable(source: source.name, file: file, message: "\(error.line):\(error.column): \(error.message)")
        }
        return FileReading(encoding: Self.declaredEncoding(file), delimiter: "", encodingFallbacks: 0,
                           digest: readDigest)
    }

    /// Start and end of each value, from the values' end offsets.
    static func bounds(_ ends: [Int]) -> [Int] {
        var bounds: [Int] = []
        bounds.reserveCapacity(2 * ends.count)
        var start = 0
        for end in ends {
            bounds.append(start)
            bounds.append(end)
            start = end
        }
        return bounds
    }

    /// The encoding an XML file declares (`<?xml … encoding="ISO-8859-1"?>`), lower-cased like the CSV
    /// ones; UTF-8 when it declares none.
    public static func declaredEncoding(_ file: String) -> String {
        ((try? XMLSniffer.sniff(path: file))?.declaredEncoding ?? "UTF-8").lowercased()
    }
}
