import IngestXML
import Records

/// Why a CSV record could not be read as its fields.
public enum CSVRecordProblem: Sendable, Equatable {
    /// The file ends inside a quoted field opened on the record's last line.
    case unterminatedQuote
    /// A quote opening field `column` on `line` is not closed on that line, and the value it starts
    /// would make a wrong record (`evidence`): only the fields up to the end of that line are kept,
    /// and reading resumes on the next line.
    case strayQuote(line: Int, column: Int, evidence: StrayQuoteEvidence)
    /// The record is larger than `CSVReader.maxRecordBytes`; reading resumes after the line where
    /// it passed the limit.
    case tooLarge
}

/// What shows that a quote opening a multi-line value is stray.
public enum StrayQuoteEvidence: Sendable, Equatable {
    /// The record would have this many fields, not the header's number.
    case fieldCount(Int)
    /// The value would run over more lines than a spreadsheet cell holds.
    case tooManyLines
    /// The value would be longer than a spreadsheet cell holds.
    case tooLong
    /// The file ends inside the value.
    case neverClosed
    /// The quote that would close the value (on `line`) is followed by text, not a delimiter: it
    /// opens another value, and the quotes are out of step.
    case textAfterClosingQuote(line: Int)
}

/// One CSV record: where its fields' bytes are, where it starts, and what went wrong reading it.
public struct CSVRow: Sendable {
    /// The buffer holding the fields' unescaped bytes: the reader's chunk itself for most CSV records
    /// (no copy), a record's own copy when it had `""` escapes, or a batch of partner-XML records.
    var bytes: [UInt8]
    /// Start and end offsets in `bytes` of each field, interleaved: field i is
    /// `bounds[s + 2i] ..< bounds[s + 2i + 1]` with `s = bounds.startIndex`.
    var bounds: ArraySlice<Int>
    /// 1-based physical line where the record starts.
    public let line: Int
    /// What went wrong reading it, if anything (its fields are then partial).
    public let problem: CSVRecordProblem?
    /// The file ended inside a quoted field.
    public var unterminatedQuote: Bool { problem == .unterminatedQuote }
    let encoding: TextEncoding
    /// True when every field is empty (a blank line, or `;;;` left by a spreadsheet).
    public let isBlank: Bool

    public var count: Int { bounds.count >> 1 }

    /// A row made of text values (an XML record seen as a table row).
    public init(fields: [String], line: Int) {
        var bytes: [UInt8] = []
        var bounds: [Int] = []
        for f in fields {
            bounds.append(bytes.count)
            bytes += f.utf8
            bounds.append(bytes.count)
        }
        self.init(bytes: bytes, bounds: bounds[...], line: line)
    }

    /// A row of an XML record; a sparse one (SpreadsheetML) gets empty fields for its empty columns,
    /// up to its last value.
    public init(record: XMLRecord) {
        var bounds: [Int] = []
        var start = 0
        if let columns = record.columns {
            bounds.reserveCapacity(2 * ((columns.last ?? -1) + 1))
            for (end, column) in zip(record.ends, columns) {
                // Empty columns in one go (an element at a time, as array literals, was 18 s for 1.6 MB
                // of rows whose one cell is in column 16,384).
                bounds.append(contentsOf: repeatElement(start, count: max(0, 2 * column - bounds.count)))
                bounds.append(start)
                bounds.append(end)
                start = end
            }
        } else {
            for end in record.ends {
                bounds.append(start)
                bounds.append(end)
                start = end
            }
        }
        self.init(bytes: record.bytes, bounds: bounds[...], line: record.line)
    }

    /// A view of one record in a shared buffer (its fields' bounds are a slice of the buffer's).
    init(bytes: [UInt8], bounds: ArraySlice<Int>, line: Int, encoding: TextEncoding = .utf8) {
        var blank = true
        var i = bounds.startIndex
        while i < bounds.endIndex {
            if bounds[i] != bounds[i + 1] { blank = false; break }
            i += 2
        }
        self.init(bytes: bytes, bounds: bounds, line: line, problem: nil, encoding: encoding, isBlank: blank)
    }

    init(bytes: [UInt8], bounds: ArraySlice<Int>, line: Int, problem: CSVRecordProblem?, encoding: TextEncoding, isBlank: Bool) {
        self.bytes = bytes
        self.bounds = bounds
        self.line = line
        self.problem = problem
        self.encoding = encoding
        self.isBlank = isBlank
    }

    /// Field `i`'s byte range in `bytes` (empty past the last field).
    func range(_ i: Int) -> Range<Int> {
        guard i >= 0, i < count else { return 0..<0 }
        let b = bounds.startIndex + 2 * i
        return bounds[b]..<bounds[b + 1]
    }

    /// Field `i`'s bytes as read (empty past the last field).
    public func rawField(_ i: Int) -> ArraySlice<UInt8> { bytes[range(i)] }

    /// Field `i` as text ("" past the last field).
    public func field(_ i: Int) -> String {
        var ignored = false
        return field(i, fellBack: &ignored)
    }

    /// Field `i` as text; `fellBack` is set when UTF-8 bytes were invalid and read as Windows-1252.
    public func field(_ i: Int, fellBack: inout Bool) -> String {
        guard i >= 0, i < count else { return "" }
        let range = range(i)
        return bytes.withUnsafeBufferPointer { all in
            FieldDecoder.decode(UnsafeBufferPointer(rebasing: all[range]), as: encoding, fellBack: &fellBack)
        }
    }

    /// Field `i` as text without surrounding white space (spaces, tabs, line breaks and no-break
    /// spaces), trimmed on the bytes before decoding.
    public func trimmedField(_ i: Int, fellBack: inout Bool) -> String {
        let range = trimmedRange(i)
        return bytes.withUnsafeBufferPointer { all in
            FieldDecoder.decode(UnsafeBufferPointer(rebasing: all[range]), as: encoding, fellBack: &fellBack)
        }
    }

    /// Whether field `i` (trimmed) would be read as Windows-1252, without building its text.
    func trimmedFieldFallsBack(_ i: Int) -> Bool {
        let range = trimmedRange(i)
        return bytes.withUnsafeBufferPointer { FieldDecoder.fallsBack(UnsafeBufferPointer(rebasing: $0[range]), as: encoding) }
    }

    /// A stable hash of field `i`'s trimmed bytes, for caches keyed by raw values (no `String` built).
    public func trimmedFieldHash(_ i: Int) -> (hash: UInt64, isEmpty: Bool) {
        let range = trimmedRange(i)
        return (bytes.withUnsafeBufferPointer { StableHash.fnv1a(bytes: UnsafeBufferPointer(rebasing: $0[range])) }, range.isEmpty)
    }

    /// The pseudonym of field `i`'s folded key under `key`, from its bytes (nil when empty, or when
    /// the bytes need the string path: see `Fold.keyHash`).
    public func foldedKeyHash(_ i: Int, key: PseudonymKey) -> UInt64? {
        let range = trimmedRange(i)
        guard !range.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { Fold.keyHash(UnsafeBufferPointer(rebasing: $0[range]), utf8: encoding == .utf8, key: key) }
    }

    /// The byte range of field `i` without surrounding white space.
    func trimmedRange(_ i: Int) -> Range<Int> {
        guard i >= 0, i < count else { return 0..<0 }
        let whole = range(i)
        var start = whole.lowerBound
        var end = whole.upperBound
        let utf8 = encoding == .utf8
        return bytes.withUnsafeBufferPointer { all in
            while start < end {
                let b = all[start]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { start += 1 }
                else if utf8, b == 0xC2, start + 1 < end, all[start + 1] == 0xA0 { start += 2 }
                else if utf8, b == 0xE2, start + 2 < end, all[start + 1] == 0x80, all[start + 2] == 0xAF { start += 3 }
                else if !utf8, b == 0xA0 { start += 1 }
                else { break }
            }
            while end > start {
                let b = all[end - 1]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { end -= 1 }
                else if utf8, b == 0xA0, end - 2 >= start, all[end - 2] == 0xC2 { end -= 2 }
                else if utf8, b == 0xAF, end - 3 >= start, all[end - 2] == 0x80, all[end - 3] == 0xE2 { end -= 3 }
                else if !utf8, b == 0xA0 { end -= 1 }
                else { break }
            }
            return start..<end
        }
    }

    /// Every field as text.
    public var fields: [String] { (0..<count).map { field($0) } }
}

/// Records read ahead together (so that splitting and mapping can run on two threads): each
/// entry's fields' bounds are a range of one shared array.
struct CSVRowBatch: Sendable {
    struct Entry: Sendable {
        /// The record's own copy (unescaped, or read by the copying state machine); nil when it lies
        /// in the reader's current block (in a batch: the batch's `block`).
        let bytes: [UInt8]?
        /// The record's range in `bounds`.
        let bounds: Range<Int>
        let line: Int
        let problem: CSVRecordProblem?
        let isBlank: Bool
    }

    let encoding: TextEncoding
    var bounds: [Int] = []
    var entries: [Entry] = []
    /// The block the in-place records lie in (empty when every record has its own copy).
    var block: [UInt8] = []

    init(encoding: TextEncoding) { self.encoding = encoding }

    /// Record `i` as a row.
    func row(_ i: Int) -> CSVRow {
        let e = entries[i]
        return CSVRow(bytes: e.bytes ?? block, bounds: bounds[e.bounds], line: e.line, problem: e.problem, encoding: encoding, isBlank: e.isBlank)
    }
}
