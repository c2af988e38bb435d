import Records

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
    /// The file ended inside a quoted field.
    public let unterminatedQuote: Bool
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

    /// A view of one record in a shared buffer (its fields' bounds are a slice of the buffer's).
    init(bytes: [UInt8], bounds: ArraySlice<Int>, line: Int, unterminatedQuote: Bool = false, encoding: TextEncoding = .utf8) {
        var blank = true
        var i = bounds.startIndex
        while i < bounds.endIndex {
            if bounds[i] != bounds[i + 1] { blank = false; break }
            i += 2
        }
        self.init(bytes: bytes, bounds: bounds, line: line, unterminatedQuote: unterminatedQuote, encoding: encoding, isBlank: blank)
    }

    init(bytes: [UInt8], bounds: ArraySlice<Int>, line: Int, unterminatedQuote: Bool, encoding: TextEncoding, isBlank: Bool) {
        self.bytes = bytes
        self.bounds = bounds
        self.line = line
        self.unterminatedQuote = unterminatedQuote
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

    /// A stable hash of field `i`'s trimmed bytes, for caches keyed by raw values (no `String` built).
    public func trimmedFieldHash(_ i: Int) -> (hash: UInt64, isEmpty: Bool) {
        let range = trimmedRange(i)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes[range] {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        return (h, range.isEmpty)
    }

    /// The stable hash of field `i`'s folded key, from its bytes (nil when empty, or when the bytes
    /// need the string path: see `Fold.keyHash`).
    public func foldedKeyHash(_ i: Int) -> UInt64? {
        let range = trimmedRange(i)
        guard !range.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { Fold.keyHash(UnsafeBufferPointer(rebasing: $0[range]), utf8: encoding == .utf8) }
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
        /// The chunk the record lies in, or the record's own unescaped copy.
        let bytes: [UInt8]
        /// The record's range in `bounds`.
        let bounds: Range<Int>
        let line: Int
        let unterminatedQuote: Bool
        let isBlank: Bool
    }

    let encoding: TextEncoding
    var bounds: [Int] = []
    var entries: [Entry] = []

    init(encoding: TextEncoding) { self.encoding = encoding }

    /// Record `i` as a row.
    func row(_ i: Int) -> CSVRow {
        let e = entries[i]
        return CSVRow(bytes: e.bytes, bounds: bounds[e.bounds], line: e.line, unterminatedQuote: e.unterminatedQuote,
                      encoding: encoding, isBlank: e.isBlank)
    }
}

/// A streaming RFC 4180 reader over ASCII-compatible bytes (UTF-8, Windows-1252).
///
/// Hand-written: the packaged Swift CSV readers measured 7–9 MB/s against ~225 MB/s for a byte
/// state machine on this machine kind (engineering notes), and none reads Windows-1252.
/// Lenient where exports are: a quote inside an unquoted field is kept, text after a closing
/// quote is appended, a lone CR ends a line, and a missing closing quote is flagged, not fatal.
///
/// Most records are returned in place: their fields are ranges of the chunk read from the file;
/// a record with `""` escapes gets its own unescaped copy. A record with text after a closing
/// quote, or one that runs past the end of its chunk, is read again by the copying state machine
/// (`copyRecord`).
/// Copying every field's bytes was 45 % of the CSV mapping thread (perf, 700 MB attendance export).
final class CSVReader {
    private let source: ChunkSource
    private let delimiter: UInt8
    private let encoding: TextEncoding
    private var chunk: [UInt8] = []
    private var position = 0
    private var atEOF = false
    private var line = 1
    private var swallowLF = false
    private var spareBounds: [Int] = []
    private var spareEscaped: [Int] = []
    /// False: every record through the copying state machine (the reference the in-place path is tested against).
    private let inPlace: Bool

    init(source: ChunkSource, delimiter: UInt8, encoding: TextEncoding, firstLine: Int = 1, inPlace: Bool = true) {
        self.source = source
        self.line = firstLine
        self.delimiter = delimiter
        self.encoding = encoding
        self.inPlace = inPlace
    }

    /// The next non-blank record, or nil at end of input.
    func next() throws -> CSVRow? {
        while let row = try nextRecord() {
            if !row.isBlank { return row }
        }
        return nil
    }

    /// The next record, blank ones included.
    func nextRecord() throws -> CSVRow? {
        var bounds = spareBounds
        spareBounds = []
        bounds.removeAll(keepingCapacity: true)
        defer { spareBounds = bounds }
        guard let entry = try nextRecord(into: &bounds) else { return nil }
        return CSVRow(bytes: entry.bytes, bounds: bounds[entry.bounds], line: entry.line, unterminatedQuote: entry.unterminatedQuote,
                      encoding: encoding, isBlank: entry.isBlank)
    }

    /// Up to `rows` non-blank records, their bounds in one array; nil at end of input.
    func nextBatch(rows: Int) throws -> CSVRowBatch? {
        var batch = CSVRowBatch(encoding: encoding)
        batch.entries.reserveCapacity(rows)
        batch.bounds.reserveCapacity(rows * 24)
        while batch.entries.count < rows, let entry = try nextRecord(into: &batch.bounds) {
            if entry.isBlank { batch.bounds.removeLast(batch.bounds.count - entry.bounds.lowerBound) } else { batch.entries.append(entry) }
        }
        return batch.entries.isEmpty ? nil : batch
    }

    /// The next record, blank ones included, its fields' bounds appended to `bounds`.
    private func nextRecord(into bounds: inout [Int]) throws -> CSVRowBatch.Entry? {
        guard inPlace else { return try copyRecord(into: &bounds) }
        while true {
            if position >= chunk.count {
                guard !atEOF, let next = try source.nextChunk() else {
                    atEOF = true
                    chunk = []
                    position = 0
                    return nil
                }
                chunk = next
                position = 0
                continue
            }
            if swallowLF {
                swallowLF = false
                if chunk[position] == UInt8(ascii: "\n") { position += 1; continue }
            }
            switch scanInPlace(into: &bounds) {
            case .row(let entry):
                return entry
            case .needsCopy:
                return try copyRecord(into: &bounds)
            case .needsMoreBytes:
                // The record runs past this chunk (one per chunk): read by copying across the edge.
                return try copyRecord(into: &bounds)
            }
        }
    }

    private enum Scan { case row(CSVRowBatch.Entry), needsCopy, needsMoreBytes }

    /// Reads the record starting at `position` as ranges of the chunk, appending its bounds; on
    /// `.needsCopy` and `.needsMoreBytes` nothing is consumed or appended.
    private func scanInPlace(into bounds: inout [Int]) -> Scan {
        let first = bounds.count
        let delimiter = self.delimiter
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var breaks = 0  // line breaks inside quoted fields
        var blank = true
        var escaped = spareEscaped  // where the quoted fields holding `""` are in `bounds`
        spareEscaped = []
        if !escaped.isEmpty { escaped.removeAll(keepingCapacity: true) }  // a generic call: skipped when empty
        defer { spareEscaped = escaped }
        var end = 0
        let outcome: Scan? = chunk.withUnsafeBufferPointer { buffer in
            let n = buffer.count
            var p = position
            while true {  // one field per turn
                guard p < n else { return .needsMoreBytes }
                var fieldStart = p, fieldEnd = p
                if buffer[p] == quote {
                    p += 1
                    fieldStart = p
                    while true {
                        p = ByteScan.first(quote, cr, lf, in: buffer, from: p)
                        guard p + 1 < n else { return .needsMoreBytes }
                        let c = buffer[p]
                        if c != quote {
                            // CR, LF and CRLF each count as one line.
                            if c == cr || buffer[p - 1] != cr { breaks += 1 }
                            p += 1
                            continue
                        }
                        guard buffer[p + 1] == quote else { break }
                        // `""`: unescaped once the record is complete.
                        if escaped.last != bounds.count { escaped.append(bounds.count) }
                        p += 2
                    }
                    fieldEnd = p
                    p += 1
                    let c = buffer[p]
                    // Text after the closing quote is appended to the field: the copying reader does that.
                    guard c == delimiter || c == cr || c == lf else { return .needsCopy }
                } else {
                    p = ByteScan.first(delimiter, cr, lf, in: buffer, from: p)
                    guard p < n else { return .needsMoreBytes }
                    fieldEnd = p
                }
                bounds.append(fieldStart)
                bounds.append(fieldEnd)
                if fieldEnd != fieldStart { blank = false }
                if buffer[p] != delimiter {
                    end = p
                    return nil
                }
                p += 1
            }
        }
        if let outcome {
            bounds.removeLast(bounds.count - first)
            return outcome
        }
        let startLine = line, start = position
        line += breaks + 1
        swallowLF = chunk[end] == cr
        position = end + 1
        // A record with `""` gets its own copy, its quoted fields unescaped in place.
        let bytes = escaped.isEmpty ? chunk : Self.unescaped(chunk[start..<end], bounds: &bounds, from: first, fields: escaped)
        return .row(CSVRowBatch.Entry(bytes: bytes, bounds: first..<bounds.count, line: startLine, unterminatedQuote: false, isBlank: blank))
    }

    /// A copy of `record` in which every `""` of the quoted fields whose bounds start at `fields`
    /// becomes `"`; the record's `bounds` (from index `first`, offsets in the record's buffer) are
    /// rebased on the copy.
    static func unescaped(_ record: ArraySlice<UInt8>, bounds: inout [Int], from first: Int, fields: [Int]) -> [UInt8] {
        var bytes = Array(record)
        let base = record.startIndex
        for i in first..<bounds.count { bounds[i] -= base }
        let quote = UInt8(ascii: "\"")
        bytes.withUnsafeMutableBufferPointer { buffer in
            guard let pointer = buffer.baseAddress else { return }
            for i in fields {
                let end = bounds[i + 1]
                var read = bounds[i], write = read
                while read < end {
                    // A run up to and including the next quote, then its doubling skipped.
                    var stop = read
                    while stop < end, buffer[stop] != quote { stop += 1 }
                    let run = min(stop + 1, end) - read
                    if write != read { UnsafeMutableRawPointer(pointer + write).copyMemory(from: pointer + read, byteCount: run) }  // memmove
                    write += run
                    read += run + 1
                }
                bounds[i + 1] = write
            }
        }
        return bytes
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    /// The next record read by copying its fields' unescaped bytes, blank ones included.
    ///
    /// The loop works on locals and an unsafe view of the chunk, and copies runs of plain bytes in
    /// one go: touching the class's properties per byte cost 11 % of the ingest time in dynamic
    /// exclusivity checks alone.
    private func copyRecord(into bounds: inout [Int]) throws -> CSVRowBatch.Entry? {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var state = State.fieldStart
        var startLine = line
        var started = false
        var line = self.line
        var swallowLF = self.swallowLF
        var position = self.position
        var chunk = self.chunk
        let delimiter = self.delimiter
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        defer {
            self.line = line
            self.swallowLF = swallowLF
            self.position = position
        }
        func row(unterminatedQuote: Bool) -> CSVRowBatch.Entry {
            let first = bounds.count
            var start = 0
            for end in ends {
                bounds.append(start)
                bounds.append(end)
                start = end
            }
            return CSVRowBatch.Entry(bytes: bytes, bounds: first..<bounds.count, line: startLine, unterminatedQuote: unterminatedQuote,
                                     isBlank: bytes.isEmpty)
        }
        while true {
            if position >= chunk.count {
                guard !atEOF, let next = try source.nextChunk() else {
                    atEOF = true
                    self.chunk = []
                    position = 0
                    guard started else { return nil }
                    ends.append(bytes.count)
                    return row(unterminatedQuote: state == .quoted)
                }
                chunk = next
                self.chunk = next
                position = 0
                continue
            }
            let complete: Bool = chunk.withUnsafeBufferPointer { buffer in
                let n = buffer.count
                while position < n {
                    let b = buffer[position]
                    if swallowLF {
                        swallowLF = false
                        if b == lf { position += 1; continue }
                    }
                    if !started {
                        started = true
                        startLine = line
                    }
                    switch state {
                    case .fieldStart, .unquoted, .quoteInQuoted:
                        if b == delimiter {
                            ends.append(bytes.count)
                            state = .fieldStart
                            position += 1
                        } else if b == cr || b == lf {
                            line += 1
                            swallowLF = b == cr
                            ends.append(bytes.count)
                            position += 1
                            return true
                        } else if b == quote && state == .fieldStart {
                            state = .quoted
                            position += 1
                        } else if b == quote && state == .quoteInQuoted {
                            bytes.append(quote)
                            state = .quoted
                            position += 1
                        } else {
                            // A run of plain bytes, copied at once.
                            let runStart = position
                            position += 1
                            while position < n {
                                let c = buffer[position]
                                if c == delimiter || c == cr || c == lf || c == quote { break }
                                position += 1
                            }
                            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<position]))
                            state = .unquoted
                        }
                    case .quoted:
                        if b == quote {
                            state = .quoteInQuoted
                            position += 1
                        } else {
                            let runStart = position
                            while position < n {
                                let c = buffer[position]
                                if c == quote { break }
                                // CR, LF and CRLF each count as one line, even when CRLF spans two chunks.
                                if c == cr || (c == lf && (position > runStart ? buffer[position - 1] : bytes.last) != cr) { line += 1 }
                                position += 1
                            }
                            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<position]))
                        }
                    }
                }
                return false
            }
            if complete { return row(unterminatedQuote: false) }
        }
    }
}

/// Finds the first of three byte values eight bytes at a time (SWAR): fields average 16 bytes, and
/// the byte-at-a-time loop was 29 % of the CSV mapping thread once fields were no longer copied.
enum ByteScan {
    /// The index of the first byte of `buffer` from `start` equal to `a`, `b` or `c`; `buffer.count` if none.
    @inline(__always)
    static func first(_ a: UInt8, _ b: UInt8, _ c: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = buffer.count
        var p = start
        if let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let ma = ones &* UInt64(a), mb = ones &* UInt64(b), mc = ones &* UInt64(c)
            while p &+ 8 <= n {
                // Little-endian load: byte k of the buffer is bits 8k…8k+7.
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                let hits = zeroBytes(x ^ ma) | zeroBytes(x ^ mb) | zeroBytes(x ^ mc)
                if hits != 0 { return p &+ hits.trailingZeroBitCount >> 3 }
                p &+= 8
            }
        }
        while p < n {
            let x = buffer[p]
            if x == a || x == b || x == c { return p }
            p += 1
        }
        return n
    }

    /// High bit set in each byte of the lowest zero byte of `v` (higher ones may be false positives,
    /// so only the lowest set bit is used).
    @inline(__always)
    static func zeroBytes(_ v: UInt64) -> UInt64 {
        (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
    }
}
