import DequeModule
import PipelineFile
import Records

/// The mapper of one record kind: a row's canonical fields, read through `fields`, to a record or its rejects.
protocol RecordMapper: AnyObject {
    func map(_ fields: inout FieldReader) -> MappedRecord
}

/// Maps one row of a source — a CSV record, an XML record, a sheet row — to a canonical record or
/// to its rejects: the checks every row gets (a record the reader could not split, extra fields),
/// the names kept for masking, then the mapper of the source's kind. Classes, it and the kinds'
/// mappers: a row handed to them copies nothing (copying them per row, their vocabularies' storage
/// retained and released, was 6 % more instructions on a national run).
final class RowMapper {
    let source: String
    let context: MappingContext
    /// Names read in name fields (keyed hashes of their folded words), for masking.
    let names: NameSet
    let kind: Kind

    /// The mapper of a source's record kind.
    enum Kind {
        case action(ActionMapper)
        case attendance(AttendanceMapper)
        case response(ResponseMapper)
        case pathway(PathwayMapper)
    }

    /// A row mapper; `recording` for a mapping worker's (`SourceMapper.map`), whose names are noted
    /// for the consumer, not kept.
    init(source: SourceConfig, config: PipelineConfig, key: PseudonymKey, organisationNames: OrganisationNames, recording: Bool = false) {
        self.source = source.name
        context = MappingContext(columns: source.columns, key: key)
        names = NameSet(key: key, recording: recording)
        switch source.kind {
        case .actions: kind = .action(ActionMapper(config: config))
        case .attendance: kind = .attendance(AttendanceMapper(stakeholderTypes: config.stakeholderTypes, organisationNames: organisationNames))
        case .responses: kind = .response(ResponseMapper(source: source, config: config))
        case .pathway: kind = .pathway(PathwayMapper(config: config))
        }
    }

    /// The record `row` holds; `fellBack` is set when a field was read as Windows-1252. The row is
    /// consumed: it moves into the field reader without a copy.
    func map(_ row: consuming CSVRow, binding: ColumnBinding, fellBack: inout Bool, path: String? = nil, index: Int? = nil) -> MappedRecord {
        switch kind {
        case .action(let mapper): map(row, with: mapper, binding: binding, fellBack: &fellBack, path: path, index: index)
        case .attendance(let mapper): map(row, with: mapper, binding: binding, fellBack: &fellBack, path: path, index: index)
        case .response(let mapper): map(row, with: mapper, binding: binding, fellBack: &fellBack, path: path, index: index)
        case .pathway(let mapper): map(row, with: mapper, binding: binding, fellBack: &fellBack, path: path, index: index)
        }
    }

    /// Maps the rows of a CSV batch but those `skip` names (a worker's batch: see `finish`). The
    /// kind's mapper is chosen once per batch, not per row.
    func map(_ batch: CSVRowBatch, binding: ColumnBinding, skip: (CSVRow) -> Bool) -> SourceMapper.MappedBatch {
        switch kind {
        case .action(let mapper): map(batch, with: mapper, binding: binding, skip: skip)
        case .attendance(let mapper): map(batch, with: mapper, binding: binding, skip: skip)
        case .response(let mapper): map(batch, with: mapper, binding: binding, skip: skip)
        case .pathway(let mapper): map(batch, with: mapper, binding: binding, skip: skip)
        }
    }

    private func map<Mapper: RecordMapper>(_ batch: CSVRowBatch, with mapper: Mapper, binding: ColumnBinding,
                                           skip: (CSVRow) -> Bool) -> SourceMapper.MappedBatch {
        var fallbacks = 0
        var records = Deque<MappedRecord>(minimumCapacity: batch.entries.count)
        for i in batch.entries.indices {
            let row = batch.row(i)
            if skip(row) { continue }
            var fellBack = false
            // Moved, not copied, into the mapping (a copy retained and released the row's two buffers).
            records.append(map(consume row, with: mapper, binding: binding, fellBack: &fellBack, path: nil, index: nil))
            if fellBack { fallbacks += 1 }
        }
        return finish(consume records, fallbacks: fallbacks)
    }

    @inline(__always)
    private func map<Mapper: RecordMapper>(_ row: consuming CSVRow, with mapper: Mapper, binding: ColumnBinding, fellBack: inout Bool,
                                           path: String?, index: Int?) -> MappedRecord {
        let location = RecordLocation(source: source, line: row.line, path: path, index: index)
        if let problem = row.problem {
            let (field, reason, message) = Self.describe(problem, binding: binding)
            return .rejected([Reject(location: location, field: field, value: "", reason: reason, message: message)])
        }
        if row.count > binding.headerWidth {
            // Empty fields skipped before any string is made (a sheet row may span 16,384 columns).
            let extra = (binding.headerWidth..<row.count).filter { !row.range($0).isEmpty }.map { row.field($0) }
                .filter { !$0.trimmedWhitespace.isEmpty }
            if !extra.isEmpty {
                return .rejected([Reject(location: location, field: "", value: extra.joined(separator: " | "), reason: .extraFields,
                                         message: "\(row.count) fields where the header has \(binding.headerWidth): a delimiter inside an unquoted value?")])
            }
        }
        var fields = FieldReader(row: consume row, binding: binding, location: location, context: context)
        // Names in the inputs' name fields: kept only to scrub them from quoted comments.
        for i in binding.nameColumns {
            let (hash, isEmpty) = fields.row.trimmedFieldHash(i)
            // A name read as Windows-1252 counts on every row holding it (decoded once per set, remembered).
            if !isEmpty, names.offer(hash, { fields.decoded(i) }, fallsBack: { fields.row.trimmedFieldFallsBack(i) }) { fields.fellBack = true }
        }
        let record = mapper.map(&fields)
        if fields.fellBack { fellBack = true }
        return record
    }

    /// The organisations' names of an attendance mapper (nil for the other kinds).
    var organisationNames: OrganisationNames? {
        if case .attendance(let mapper) = kind { return mapper.organisationNames }
        return nil
    }

    /// A record refused before being read (too large): its one reject.
    func refused(_ message: String, line: Int, path: String?, index: Int? = nil) -> MappedRecord {
        .rejected([Reject(location: RecordLocation(source: source, line: line, path: path, index: index), field: "", value: "",
                          reason: .xmlRecordTooLarge, message: message)])
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
}
