import Records

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
    /// The quote character, an escape inside quotes, spaces after delimiters (`CSVDialect`).
    private let dialect: CSVDialect
    private let isStandard: Bool

    init(source: ChunkSource, delimiter: UInt8, encoding: TextEncoding, firstLine: Int = 1, inPlace: Bool = true,
         dialect: CSVDialect = .standard) {
        self.source = source
        self.line = firstLine
        self.delimiter = delimiter
        self.encoding = encoding
        self.inPlace = inPlace
        self.dialect = dialect
        isStandard = dialect == .standard
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
            // Nil: text after a closing quote, or a record running past this chunk (one per chunk),
            // read by the copying state machine (across the chunk's edge).
            let scanned = isStandard ? scanInPlace(into: &bounds, RFC4180()) : scanInPlace(into: &bounds, dialect)
            return try scanned ?? copyRecord(into: &bounds)
        }
    }

    /// Reads the record starting at `position` as ranges of the chunk, appending its bounds; nil
    /// (nothing consumed or appended) when the copying state machine must read it. Generic so that
    /// RFC 4180's quote and options are constants in its specialisation (read from a `CSVDialect`,
    /// they cost the scan 9 % more instructions).
    private func scanInPlace<D: ScanDialect>(into bounds: inout [Int], _ dialect: D) -> CSVRowBatch.Entry? {
        let first = bounds.count
        let delimiter = self.delimiter
        let quote = dialect.quote, cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let skipSpaces = dialect.skipInitialSpace, escape = dialect.escape
        var breaks = 0  // line breaks inside quoted fields
        var blank = true
        var escaped = spareEscaped  // where the quoted fields holding `""` are in `bounds`
        spareEscaped = []
        if !escaped.isEmpty { escaped.removeAll(keepingCapacity: true) }  // a generic call: skipped when empty
        defer { spareEscaped = escaped }
        var end = 0
        // False: the record runs past the chunk, or has text after a closing quote.
        let complete: Bool = chunk.withUnsafeBufferPointer { buffer in
            let n = buffer.count
            var p = position
            while true {  // one field per turn
                guard p < n else { return false }
                if skipSpaces, buffer[p] == 0x20 {
                    while p < n, buffer[p] == 0x20 { p += 1 }
                    guard p < n else { return false }
                }
                var fieldStart = p, fieldEnd = p
                if buffer[p] == quote {
                    p += 1
                    fieldStart = p
                    while true {
                        p = ByteScan.first(quote, cr, lf, in: buffer, from: p)
                        guard p + 1 < n else { return false }
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
                    // An escape in the field (`\"`): the copying reader's call.
                    if let escape, UnsafeBufferPointer(rebasing: buffer[fieldStart..<fieldEnd]).contains(escape) { return false }
                    p += 1
                    let c = buffer[p]
                    // Text after the closing quote is appended to the field: the copying reader does that.
                    guard c == delimiter || c == cr || c == lf else { return false }
                } else {
                    p = ByteScan.first(delimiter, cr, lf, in: buffer, from: p)
                    guard p < n else { return false }
                    fieldEnd = p
                }
                bounds.append(fieldStart)
                bounds.append(fieldEnd)
                if fieldEnd != fieldStart { blank = false }
                if buffer[p] != delimiter {
                    end = p
                    return true
                }
                p += 1
            }
        }
        guard complete else {
            bounds.removeLast(bounds.count - first)
            return nil
        }
        let startLine = line, start = position
        line += breaks + 1
        swallowLF = chunk[end] == cr
        position = end + 1
        // A record with `""` gets its own copy, its quoted fields unescaped in place.
        let bytes = escaped.isEmpty ? chunk : Self.unescaped(chunk[start..<end], bounds: &bounds, from: first, fields: escaped, quote: quote)
        return CSVRowBatch.Entry(bytes: bytes, bounds: first..<bounds.count, line: startLine, unterminatedQuote: false, isBlank: blank)
    }

    /// A copy of `record` in which every `""` of the quoted fields whose bounds start at `fields`
    /// becomes `"`; the record's `bounds` (from index `first`, offsets in the record's buffer) are
    /// rebased on the copy.
    static func unescaped(_ record: ArraySlice<UInt8>, bounds: inout [Int], from first: Int, fields: [Int], quote: UInt8) -> [UInt8] {
        var bytes = Array(record)
        let base = record.startIndex
        for i in first..<bounds.count { bounds[i] -= base }
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

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, escapeInQuoted }

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
        let quote = dialect.quote, cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let skipSpaces = dialect.skipInitialSpace, escape = dialect.escape ?? quote
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
                    return row(unterminatedQuote: state == .quoted || state == .escapeInQuoted)
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
                    case .fieldStart where skipSpaces && b == 0x20:
                        position += 1
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
                    case .escapeInQuoted:
                        // The escaped byte, as it is (a line break counted as the run below does).
                        if b == cr || (b == lf && bytes.last != cr) { line += 1 }
                        bytes.append(b)
                        state = .quoted
                        position += 1
                    case .quoted:
                        if b == quote {
                            state = .quoteInQuoted
                            position += 1
                        } else if b == escape {
                            state = .escapeInQuoted
                            position += 1
                        } else {
                            let runStart = position
                            while position < n {
                                let c = buffer[position]
                                if c == quote || c == escape { break }
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
