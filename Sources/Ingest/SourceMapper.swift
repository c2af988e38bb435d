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
    /// Raw label → canonical id, per vocabulary: exports repeat a handful of labels millions of times.
    private let resolved = ResolutionCache()
    /// The programme secret person keys, organisations and name words are hashed under.
    public let key: PseudonymKey
    /// Names read in name fields (keyed hashes of their folded words), for masking.
    public let names: NameSet
    /// Organisations named on attendance sheets, for the report's list of organisations reached.
    public let organisationNames = OrganisationNames()

    public init(source: SourceConfig, config: PipelineConfig, key: PseudonymKey) {
        self.source = source
        self.config = config
        self.key = key
        names = NameSet(key: key)
    }

    /// How many leading records may be looked at to find the header row.
    static let headerSearchLimit = 50

    /// How a file was read, for the manifest.
    public struct FileReading: Sendable {
        public let encoding: String
        public let delimiter: String
        /// Records with fields that were not UTF-8 and were read as Windows-1252.
        public let encodingFallbacks: Int
        /// SHA-256 and size, when computed while reading (a CSV or partner-XML file read to its end).
        public var digest: ReadDigest? = nil
    }

    /// Streams `file`, calling `emit` for every physical record after the header.
    ///
    /// CSV files are read, split and mapped on a second thread while `emit` runs on this one
    /// (measured on a 100 MB national export: mapping and de-duplication/aggregation each take
    /// about half of the ingest time).
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
        let owned = ProducerOwned((csv: csv, mapper: self, fallbacks: 0))
        let sourceName = source.name
        // Three threads: one splits the file into rows (batches of 1,024 sharing their bounds), one
        // maps them to records, this one aggregates. With splitting and mapping on one thread, that
        // thread bounded the ingest while the aggregating one was 40 % busy.
        try ParallelBatches.run(produce: { (out: (MappedRecord) -> Void) in
            let mapper = owned.value.mapper
            let reader = ProducerOwned(owned.value.csv)
            try ParallelBatches.run(batchSize: 1, produce: { (rows: (CSVRowBatch) -> Void) in
                try Self.reading(file, of: sourceName) { while let batch = try reader.value.nextBatch(rows: 1_024) { rows(batch) } }
            }, consume: { batch in
                for i in batch.entries.indices {
                    let row = batch.row(i)
                    if row.count == binding.headerWidth, row.rawField(0).elementsEqual(headerFirst), row.fields.map(Fold.key) == headerRow {
                        continue  // the header repeated (concatenated exports)
                    }
                    var fellBack = false
                    out(mapper.mapRow(row, binding: binding, file: file, fellBack: &fellBack))
                    if fellBack { owned.value.fallbacks += 1 }
                }
            })
        }, consume: emit)
        let delimiter = csv.delimiter == UInt8(ascii: "\t") ? "tab" : String(UnicodeScalar(csv.delimiter))
        return FileReading(encoding: csv.encoding.encoding.rawValue, delimiter: delimiter, encodingFallbacks: owned.value.fallbacks,
                           digest: csv.digest)
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

    /// The reject of a record the CSV reader could not split: the canonical field, reason and message.
    /// The header cell is quoted in the message only (which goes through the masking rule), never
    /// as the field.
    static func describe(_ problem: CSVRecordProblem, binding: ColumnBinding) -> (String, RejectReason, String) {
        let limits = CSVReader.Bounds()
        let header = binding.header
        switch problem {
        case .unterminatedQuote:
            return ("", .unterminatedQuote, "the file ends inside a quoted field opened on this line; check the export for a stray '\"'")
        case .strayQuote(let line, let column, let evidence):
            let name = column <= header.count ? header[column - 1] : ""
            let what: String
            switch evidence {
            case .fieldCount(let n): what = "and the record it would make has \(n) fields where the header has \(header.count)"
            case .tooManyLines: what = "and the value it opens would run over more than \(limits.quotedLines) lines (more than a spreadsheet cell holds)"
            case .tooLong: what = "and the value it opens would hold more than \(limits.quotedBytes / 1024) KiB (more than a spreadsheet cell holds)"
            case .neverClosed: what = "and the file ends before it is closed"
            case .textAfterClosingQuote(let at): what = "and the quote that would close it, on line \(at), is followed by text (it opens another value)"
            }
            return (binding.indices.field(at: column - 1) ?? "", .strayQuote, "a quote opening column \(column)\(name.isEmpty ? "" : " (\(name))") on line \(line) is not closed on that line, "
                    + "\(what): rejected as a stray quote, and the lines after it are read as records; check the export for a stray '\"'")
        case .tooLarge:
            return ("", .csvRecordTooLarge, "the record is larger than \(limits.recordBytes >> 20) MiB: not read; reading resumes after the line where it passed that size")
        }
    }

    func mapRow(_ row: CSVRow, binding: ColumnBinding, file: String, fellBack: inout Bool, path: String? = nil,
                index: Int? = nil) -> MappedRecord {
        let location = RecordLocation(source: source.name, line: row.line, path: path, index: index)
        var rejects: [Reject] = []
        func reject(_ field: String, _ value: String, _ reason: RejectReason, _ message: String) {
            rejects.append(Reject(location: location, field: field, value: value, reason: reason, message: message))
        }
        if let problem = row.problem {
            let (field, reason, message) = Self.describe(problem, binding: binding)
            reject(field, "", reason, message)
            return .rejected(rejects)
        }
        if row.count > binding.headerWidth {
            // Empty fields skipped before any string is made (a sheet row may span 16,384 columns).
            let extra = (binding.headerWidth..<row.count).filter { !row.range($0).isEmpty }.map { row.field($0) }
                .filter { !$0.trimmedWhitespace.isEmpty }
            if !extra.isEmpty {
                reject("", extra.joined(separator: " | "), .extraFields,
                       "\(row.count) fields where the header has \(binding.headerWidth): a delimiter inside an unquoted value?")
                return .rejected(rejects)
            }
        }
        func text(_ field: String, at column: Int?? = nil) -> String? {
            guard let i = column ?? binding.indices[field] else { return nil }
            let v = row.trimmedField(i, fellBack: &fellBack)
            return v.isEmpty ? nil : v
        }
        func required(_ field: String, at column: Int?? = nil) -> String? {
            guard let v = text(field, at: column) else {
                reject(field, "", .missingValue, "required field '\(field)' (column '\(source.columns[field].map(String.init(describing:)) ?? "")') is empty")
                return nil
            }
            return v
        }
        func vocabulary(_ field: String, _ vocabulary: Vocabulary, _ reason: RejectReason, at column: Int?? = nil) -> String? {
            let column = column ?? binding.indices[field]
            // Labels repeat: a hit on the raw bytes' hash skips decoding and folding.
            if let i = column {
                let (hash, isEmpty) = row.trimmedFieldHash(i)
                if !isEmpty, let id = resolved.cached(hash, in: vocabulary) { return id }
            }
            guard let raw = required(field, at: column) else { return nil }
            guard let id = resolved.resolve(raw, in: vocabulary, rawHash: column.map { row.trimmedFieldHash($0).hash }) else {
                reject(field, raw, reason, "'\(raw)' is not a known \(vocabulary.name); add it as an alias in the pipeline file's vocabularies.\(vocabulary.name)")
                return nil
            }
            return id
        }
        func organisation(_ field: String = "organisation", at column: Int?? = nil) -> UInt64? {
            guard let i = column ?? binding.indices[field] else { return nil }
            if let pseudonym = row.foldedKeyHash(i, key: key) { return pseudonym }
            let (hash, isEmpty) = row.trimmedFieldHash(i)
            if isEmpty { return nil }
            return resolved.organisationKey(rawHash: hash) { key.hash(Fold.key(row.trimmedField(i, fellBack: &fellBack))) }
        }

        func date(_ field: String) -> CalendarDate? {
            guard let raw = required(field) else { return nil }
            switch DateParser.parse(raw) {
            case .success(let d): return d
            case .failure(.format(let why)): reject(field, raw, .dateFormat, "cannot read '\(raw)' as a date: \(why)")
            case .failure(.invalid(let why)): reject(field, raw, .dateInvalid, "impossible date '\(raw)': \(why)")
            case .failure(.ambiguous(let why)): reject(field, raw, .dateAmbiguous, "ambiguous date '\(raw)': \(why)")
            }
            return nil
        }

        // Names in the inputs' name fields: kept only to scrub them from quoted comments.
        for i in binding.nameColumns {
            let (hash, isEmpty) = row.trimmedFieldHash(i)
            if !isEmpty && names.insert(hash) { names.add(row.trimmedField(i, fellBack: &fellBack)) }
        }

        switch source.kind {
        case .actions:
            let id = required("action_id")
            let day = date("date")
            let territory = vocabulary("territory", config.territories, .unknownTerritory)
            let actionType = vocabulary("action_type", config.actionTypes, .unknownActionType)
            var duration: Double?
            if let raw = text("duration_hours") {
                if let v = NumberParser.parse(raw), v >= 0 { duration = v } else {
                    reject("duration_hours", raw, .numberFormat, "'\(raw)' is not a duration in hours (e.g. 2 or 1,5)")
                }
            }
            var counts: [String: Int] = [:]
            for (type, index) in binding.countIndices {
                let raw = row.trimmedField(index, fellBack: &fellBack)
                if raw.isEmpty { continue }
                switch NumberParser.count(raw) {
                case .success(let n): counts[type] = n
                case .failure(.negative): reject("counts.\(type)", raw, .numberNegative, "a participant count cannot be negative")
                case .failure: reject("counts.\(type)", raw, .numberFormat, "'\(raw)' is not a whole number of participants")
                }
            }
            guard rejects.isEmpty, let id, let day, let territory, let actionType else { return .rejected(rejects, actionID: id) }
            return .action(ActionRecord(id: id, date: day, territory: territory, actionType: actionType,
                                        organiser: text("organiser"), durationHours: duration, declaredCounts: counts,
                                        location: location))
        case .attendance:
            let actionID = required("action_id", at: binding.actionID)
            // The person's key straight from the bytes (no string): the same hash as the string path.
            let person = binding.person.flatMap { row.foldedKeyHash($0, key: key) }
                ?? required("person", at: binding.person).map { key.hash(Fold.key($0)) }
            let type = vocabulary("stakeholder_type", config.stakeholderTypes, .unknownStakeholderType, at: binding.stakeholderType)
            guard rejects.isEmpty, let actionID, let person, let type else { return .rejected(rejects) }
            let organisation = organisation(at: binding.organisation)
            if let organisation, let i = binding.organisation, organisationNames.isNew(organisation) {
                organisationNames.add(organisation, row.trimmedField(i, fellBack: &fellBack))
            }
            return .attendance(AttendanceRecord(actionID: actionID, person: person, stakeholderType: type,
                                                organisation: organisation, location: location))
        case .responses:
            return response()
        case .pathway:
            return pathwayEvent()
        }

        /// A step of a candidate's route: candidate, kind, date, territory, organisations, contract.
        func pathwayEvent() -> MappedRecord {
            let candidate = required("candidate")
            let kind = vocabulary("event", config.eventKinds, .unknownEventKind).flatMap(EventKind.init(rawValue:))
            let day = date("date")
            let territory = vocabulary("territory", config.territories, .unknownTerritory)
            var referrerType: String?
            if let raw = text("referrer_type") {
                referrerType = config.referrerTypes.resolve(raw)
                if referrerType == nil {
                    reject("referrer_type", raw, .unknownReferrerType,
                           "'\(raw)' is not a known referrer_type; add it as an alias in the pipeline file's vocabularies.referrer_type")
                }
            }
            var contract: String?, months: Double?
            if let raw = text("contract") {
                let parsed = ContractParser.parse(raw, vocabulary: config.contractTypes)
                contract = parsed.type
                months = parsed.months
                if contract == nil {
                    reject("contract", raw, .unknownContractType,
                           "'\(raw)' is not a known contract type; add it as an alias in the pipeline file's vocabularies.contract_type")
                }
            }
            if text("contract_start") != nil || text("contract_end") != nil, let start = date("contract_start"), let end = date("contract_end") {
                months = start.months(through: end)
            }
            if let raw = text("contract_months") {
                if let v = NumberParser.parse(raw), v >= 0 { months = v } else {
                    reject("contract_months", raw, .numberFormat, "'\(raw)' is not a length in months (e.g. 6 or 7,5)")
                }
            }
            guard rejects.isEmpty, let candidate, let kind, let day, let territory else { return .rejected(rejects) }
            return .pathway(PathwayEvent(candidate: key.hash(Fold.key(candidate)), kind: kind, date: day, territory: territory,
                                         employer: organisation("employer"), referrer: organisation("referrer"),
                                         referrerType: referrerType, contractType: contract, contractMonths: months,
                                         actionID: text("action_id"), location: location))
        }

        /// A questionnaire response: respondent, territory, date, stakeholder type, wave, scored answers.
        func response() -> MappedRecord {
            let questionnaire = config.questionnaire
            let respondent = required("respondent")
            let territory = vocabulary("territory", config.territories, .unknownTerritory)
            let day = date("date")
            let type = source.fixedStakeholderType ?? vocabulary("stakeholder_type", config.stakeholderTypes, .unknownStakeholderType)
            var wave: Wave?
            switch source.wave {
            case .fixed(let w): wave = w
            case .column:
                if let raw = required("wave") {
                    if let id = questionnaire.waves.resolve(raw), let w = Wave(rawValue: id) { wave = w } else {
                        rejects.append(Reject(location: location, field: "wave", value: raw, reason: .unknownWave,
                                              message: "'\(raw)' is not a wave; add it to questionnaire.waves (pre or post)"))
                    }
                }
            }
            var answers = [UInt8](repeating: 0, count: questionnaire.items.count)
            var before = wave == .retrospective ? answers : []
            func score(_ column: Int, item: Int) -> UInt8? {
                let raw = row.trimmedField(column, fellBack: &fellBack)
                let itemDefinition = questionnaire.items[item]
                if raw.isEmpty || questionnaire.missing.resolve(raw) != nil { return 0 }
                var value: Int?
                if let n = Int(raw), (1...5).contains(n) { value = n } else if let id = questionnaire.scale.resolve(raw) { value = Int(id) }
                guard let value else {
                    rejects.append(Reject(location: location, field: "item.\(itemDefinition.id)", value: raw, reason: .likertValue,
                                          message: "'\(raw)' is not an answer on the 1–5 scale; add it to questionnaire.scale or questionnaire.missing"))
                    return nil
                }
                // Reverse-coded items are flipped before anything else.
                return UInt8(itemDefinition.reverse ? 6 - value : value)
            }
            for (item, answerColumn, beforeColumn) in binding.itemIndices {
                if let s = score(answerColumn, item: item) { answers[item] = s }
                if let beforeColumn, let s = score(beforeColumn, item: item) { before[item] = s }
            }
            guard rejects.isEmpty, let respondent, let territory, let day, let type, let wave else { return .rejected(rejects) }
            return .response(SurveyResponse(respondent: key.hash(Fold.key(respondent)), stakeholderType: type,
                                            territory: territory, date: day, wave: wave, answers: answers, before: before,
                                            comment: text("comment"), location: location))
        }
    }
}
