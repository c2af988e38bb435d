import PipelineFile
import Records

/// What every row of a source is read with: the mapped columns (for messages), the label caches and
/// the pseudonym key. One per source, shared by its rows.
final class MappingContext {
    let columns: [String: ColumnRef]
    /// Raw label → canonical id, per vocabulary: exports repeat a handful of labels millions of times.
    let resolved = ResolutionCache()
    /// The programme secret person keys, organisations and name words are hashed under.
    let key: PseudonymKey

    init(columns: [String: ColumnRef], key: PseudonymKey) {
        self.columns = columns
        self.key = key
    }
}

/// Reads one row's canonical fields — text, required values, vocabulary ids, dates, numbers,
/// organisations — and turns each faulty field into a reject at the row's location. The record
/// mappers (one per kind) are written in its terms. Its reads are inlined into each mapper: called
/// through, they cost the CSV mapping thread 5 % more instructions than the one function they replace.
struct FieldReader {
    let row: CSVRow
    // Unowned: a reader lives within one `RowMapper.map` call, whose caller holds the binding and
    // whose mapper holds the context (they were retained and released per row).
    unowned(unsafe) let binding: ColumnBinding
    let location: RecordLocation
    private unowned(unsafe) let context: MappingContext
    /// `context.resolved`, called unretained: through the context (or an unowned reference) it was
    /// retained and released per row.
    private let cache: Unmanaged<ResolutionCache>
    /// One per faulty field, in the order the fields were read.
    private(set) var rejects: [Reject] = []
    /// A field read was not UTF-8 and was decoded as Windows-1252.
    var fellBack = false

    init(row: CSVRow, binding: ColumnBinding, location: RecordLocation, context: MappingContext) {
        self.row = row
        self.binding = binding
        self.location = location
        self.context = context
        cache = Unmanaged.passUnretained(context.resolved)
    }

    var key: PseudonymKey { context.key }

    @inline(__always)
    mutating func reject(_ field: String, _ value: String, _ reason: RejectReason, _ message: String) {
        rejects.append(Reject(location: location, field: field, value: value, reason: reason, message: message))
    }

    /// Column `i`'s text without surrounding white space (empty when blank).
    @inline(__always)
    mutating func field(_ i: Int) -> String {
        // Through a local: `row` and `fellBack` passed together made a copy of the row per field.
        var fell = false
        let text = row.trimmedField(i, fellBack: &fell)
        if fell { fellBack = true }
        return text
    }

    /// Column `i`'s text as `field(i)` reads it, and whether this field was read as Windows-1252.
    @inline(__always)
    mutating func decoded(_ i: Int) -> (text: String, fellBack: Bool) {
        var fell = false
        let text = row.trimmedField(i, fellBack: &fell)
        if fell { fellBack = true }
        return (text, fell)
    }

    /// The text of `field` (at `column` when given: `.some(nil)` is "not mapped"), nil when unmapped or blank.
    @inline(__always)
    mutating func text(_ field: String, at column: Int?? = nil) -> String? {
        guard let i = column ?? binding.indices[field] else { return nil }
        let v = self.field(i)
        return v.isEmpty ? nil : v
    }

    /// Like `text`, with a `missing_value` reject when blank or unmapped.
    @inline(__always)
    mutating func required(_ field: String, at column: Int?? = nil) -> String? {
        guard let v = text(field, at: column) else {
            reject(field, "", .missingValue, "required field '\(field)' (column '\(context.columns[field].map(String.init(describing:)) ?? "")') is empty")
            return nil
        }
        return v
    }

    /// The canonical id `field`'s label stands for in `vocabulary`; a required field, rejected with
    /// `reason` when the label is unknown.
    @inline(__always)
    mutating func vocabulary(_ field: String, _ vocabulary: Vocabulary, _ reason: RejectReason, at column: Int?? = nil) -> String? {
        let column = column ?? binding.indices[field]
        // Labels repeat: a hit on the raw bytes' hash skips decoding and folding.
        if let i = column {
            let (hash, isEmpty) = row.trimmedFieldHash(i)
            if !isEmpty, let hit = cache._withUnsafeGuaranteedRef({ $0.cached(hash, in: vocabulary) }) {
                if hit.fellBack { fellBack = true }
                return hit.value
            }
        }
        // This field's own fallback, remembered with its resolution.
        let before = fellBack
        fellBack = false
        let raw = required(field, at: column)
        let fell = fellBack
        fellBack = before || fell
        guard let raw else { return nil }
        let rawHash = column.map { row.trimmedFieldHash($0).hash }
        guard let id = cache._withUnsafeGuaranteedRef({ $0.resolve(raw, in: vocabulary, rawHash: rawHash, fellBack: fell) }) else {
            unknown(field, raw, vocabulary, reason)
            return nil
        }
        return id
    }

    private mutating func unknown(_ field: String, _ raw: String, _ vocabulary: Vocabulary, _ reason: RejectReason) {
        reject(field, raw, reason, "'\(raw)' is not a known \(vocabulary.name); add it as an alias in the pipeline file's vocabularies.\(vocabulary.name)")
    }

    /// An optional label of `vocabulary` (no cache: a rare field), rejected with `reason` when unknown.
    mutating func optionalVocabulary(_ field: String, _ vocabulary: Vocabulary, _ reason: RejectReason) -> String? {
        guard let raw = text(field) else { return nil }
        guard let id = vocabulary.resolve(raw) else {
            unknown(field, raw, vocabulary, reason)
            return nil
        }
        return id
    }

    /// The pseudonym of an organisation's folded name, nil when unmapped or blank.
    @inline(__always)
    mutating func organisation(_ field: String = "organisation", at column: Int?? = nil) -> UInt64? {
        guard let i = column ?? binding.indices[field] else { return nil }
        if let pseudonym = row.foldedKeyHash(i, key: key) { return pseudonym }
        let (hash, isEmpty) = row.trimmedFieldHash(i)
        if isEmpty { return nil }
        let resolved = cache._withUnsafeGuaranteedRef { cache in
            cache.organisationKey(rawHash: hash) {
                let (text, fell) = self.decoded(i)
                return ResolutionCache.Resolved(value: key.hash(Fold.key(text)), fellBack: fell)
            }
        }
        if resolved.fellBack { fellBack = true }
        return resolved.value
    }

    /// A required date, rejected as unreadable, impossible or ambiguous.
    mutating func date(_ field: String) -> CalendarDate? {
        guard let raw = required(field) else { return nil }
        switch DateParser.parse(raw) {
        case .success(let d): return d
        case .failure(.format(let why)): reject(field, raw, .dateFormat, "cannot read '\(raw)' as a date: \(why)")
        case .failure(.invalid(let why)): reject(field, raw, .dateInvalid, "impossible date '\(raw)': \(why)")
        case .failure(.ambiguous(let why)): reject(field, raw, .dateAmbiguous, "ambiguous date '\(raw)': \(why)")
        }
        return nil
    }

    /// An optional non-negative number; `example` completes the message ("a duration in hours (e.g. 2 or 1,5)").
    mutating func quantity(_ field: String, example: String) -> Double? {
        guard let raw = text(field) else { return nil }
        guard let v = NumberParser.parse(raw), v >= 0 else {
            reject(field, raw, .numberFormat, "'\(raw)' is not \(example)")
            return nil
        }
        return v
    }
}
