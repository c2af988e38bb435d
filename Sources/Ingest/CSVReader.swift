import IngestXML
import Records

/// A streaming RFC 4180 reader over ASCII-compatible bytes (UTF-8, Windows-1252).
///
/// Hand-written: the packaged Swift CSV readers measured 7–9 MB/s against ~225 MB/s for a byte
/// state machine on this machine kind (docs/performance.md), and none reads Windows-1252.
/// Lenient where exports are: a quote inside an unquoted field is kept, text after a closing
/// quote is appended, a lone CR ends a line, and a missing closing quote is flagged, not fatal.
///
/// Most records are returned in place: their fields are ranges of the chunk read from the file;
/// a record with `""` escapes gets its own unescaped copy. A record with text after a closing
/// quote, or one that runs past the end of its chunk, is read again by the copying state machine
/// (`copyRecord`).
/// Copying every field's bytes was 45 % of the CSV mapping thread (perf, 700 MB attendance export).
final class CSVReader {
    let source: ChunkSource
    let delimiter: UInt8
    let encoding: TextEncoding
    /// The block being scanned; `chunkSerial` counts replacements, so a batch knows its block.
    var chunk: [UInt8] = [] { didSet { chunkSerial &+= 1 } }
    private(set) var chunkSerial = 0
    var position = 0
    var atEOF = false
    var line = 1
    var swallowLF = false
    private var spareBounds: [Int] = []
    private var spareEscaped: [Int] = []
    /// False: every record through the copying state machine (the reference the in-place path is tested against).
    private let inPlace: Bool
    /// The header's number of fields, once known (0: unknown): a value running over several lines in
    /// a record of another width is a stray quote.
    var expectedFields = 0
    let bounds: Bounds
    /// The quote character, an escape inside quotes, spaces after delimiters (`CSVDialect`).
    let dialect: CSVDialect
    private let isStandard: Bool

    /// What a value over several lines may hold before its quote is taken as stray, and what a record may weigh.
    struct Bounds {
        /// Line breaks in one quoted value: a spreadsheet cell holds at most 253 line feeds.
        var quotedLines = 253
        /// Bytes in one quoted value over several lines: a cell holds at most 32,767 characters (4 bytes each at most).
        var quotedBytes = 4 * 32_767
        /// Bytes in one record: beyond, it is rejected and skipped to the end of its line, so memory
        /// stays bounded whatever the file holds (a file of one endless line).
        var recordBytes = 16 << 20
    }

    init(source: ChunkSource, delimiter: UInt8, encoding: TextEncoding, firstLine: Int = 1, inPlace: Bool = true,
         bounds: Bounds = Bounds(), dialect: CSVDialect = .standard) {
        self.source = source
        self.line = firstLine
        self.delimiter = delimiter
        self.encoding = encoding
        self.inPlace = inPlace
        self.bounds = bounds
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
        return CSVRow(bytes: entry.bytes ?? chunk, bounds: bounds[entry.bounds], line: entry.line, problem: entry.problem,
                      encoding: encoding, isBlank: entry.isBlank)
    }

    /// Up to `rows` non-blank records, their bounds in one array, ending at the end of a block at the
    /// latest; nil at end of input. Records read in place lie in the batch's one block: its
    /// reference count is not touched per record on this thread while a mapping worker touches it
    /// on another.
    func nextBatch(rows: Int) throws -> CSVRowBatch? {
        var batch = CSVRowBatch(encoding: encoding)
        batch.entries.reserveCapacity(rows)
        batch.bounds.reserveCapacity(rows * 24)
        var serial = -1  // the serial of the batch's block, once it has one
        // A batch ends with its block, so it holds one at most (its rows need no block index).
        while batch.entries.count < rows, serial == -1 || serial == chunkSerial {
            var refused = false
            if inPlace, position < chunk.count {
                // As many records as the block holds in place, under one borrow of it: borrowed per
                // record, the block was retained and released per record on the cache line the mapping
                // thread touches per row.
                refused = chunk.withUnsafeBufferPointer { scanRun($0, into: &batch, serial: &serial, rows: rows) }
                guard batch.entries.count < rows else { break }
            }
            if !refused, serial != -1, position >= chunk.count { break }  // its block read to the end
            // A record the in-place scan refused goes straight to the copying state machine (`nextRecord` would scan it again first).
            guard let entry = try refused ? copyRecord(into: &batch.bounds) : nextRecord(into: &batch.bounds) else { break }
            add(entry, to: &batch, serial: &serial)
        }
        return batch.entries.isEmpty ? nil : batch
    }

    /// Adds a record to `batch` unless it is blank (its bounds are then dropped); a record read in
    /// place lies in the current block, which the batch takes in with its first such record
    /// (`serial`: the serial of the batch's block; `nextBatch` ends a batch before another block).
    @inline(__always)
    private func add(_ entry: consuming CSVRowBatch.Entry, to batch: inout CSVRowBatch, serial: inout Int) {
        if entry.isBlank {
            batch.bounds.removeLast(batch.bounds.count - entry.bounds.lowerBound)
            return
        }
        if entry.bytes == nil, serial != chunkSerial {
            precondition(serial == -1, "a batch's records read in place lie in one block")
            batch.block = chunk
            serial = chunkSerial
        }
        batch.entries.append(entry)
    }

    /// Appends to `batch` the non-blank records read in place from `position` in `buffer` (the
    /// current block, which the batch then holds: `serial` is the serial of the batch's block),
    /// until the batch holds `rows` entries, the block ends, or a record needs the copying state
    /// machine: true then, and the record is left for `copyRecord`.
    private func scanRun(_ buffer: UnsafeBufferPointer<UInt8>, into batch: inout CSVRowBatch, serial: inout Int, rows: Int) -> Bool {
        var escaped = spareEscaped
        spareEscaped = []
        defer { spareEscaped = escaped }
        var specials = specialBytes()  // one mask per 64 bytes of the block, not per record
        while batch.entries.count < rows, position < buffer.count {
            if swallowLF {
                swallowLF = false
                if buffer[position] == UInt8(ascii: "\n") { position += 1; continue }
            }
            guard let entry = scanInPlace(buffer, into: &batch.bounds, escaped: &escaped, specials: &specials) else { return true }
            add(entry, to: &batch, serial: &serial)
        }
        return false
    }

    /// The bytes the in-place scan stops at: the delimiter, the quote, CR and LF.
    private func specialBytes() -> SpecialBytes {
        SpecialBytes(delimiter, dialect.quote, UInt8(ascii: "\r"), UInt8(ascii: "\n"))
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
            // Nil: text after a closing quote, a record running past this chunk (one per chunk), or a
            // value over several lines that may hold a stray quote: read by the copying state machine.
            var escaped = spareEscaped
            spareEscaped = []
            var specials = specialBytes()
            let scanned = chunk.withUnsafeBufferPointer { scanInPlace($0, into: &bounds, escaped: &escaped, specials: &specials) }
            spareEscaped = escaped
            return try scanned ?? copyRecord(into: &bounds)
        }
    }

    /// `scanInPlace` specialised for this reader's dialect.
    @inline(__always)
    private func scanInPlace(_ buffer: UnsafeBufferPointer<UInt8>, into bounds: inout [Int], escaped: inout [Int],
                             specials: inout SpecialBytes) -> CSVRowBatch.Entry? {
        isStandard ? scanInPlace(buffer, into: &bounds, escaped: &escaped, specials: &specials, RFC4180())
                   : scanInPlace(buffer, into: &bounds, escaped: &escaped, specials: &specials, dialect)
    }

    /// Reads the record starting at `position` as ranges of `buffer` (the chunk), appending its
    /// bounds; nil (nothing consumed or appended) when the copying state machine must read it.
    /// `escaped`: room for where its quoted fields holding `""` are (emptied first). Generic so that
    /// RFC 4180's quote and options are constants in its specialisation (read from a `CSVDialect`,
    /// they cost the scan 9 % more instructions).
    @inline(__always)
    private func scanInPlace<D: ScanDialect>(_ buffer: UnsafeBufferPointer<UInt8>, into bounds: inout [Int], escaped: inout [Int],
                                             specials: inout SpecialBytes, _ dialect: D) -> CSVRowBatch.Entry? {
        let first = bounds.count
        let delimiter = self.delimiter
        let quote = dialect.quote, cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let skipSpaces = dialect.skipInitialSpace, escape = dialect.escape
        let expected = expectedFields, maxLines = self.bounds.quotedLines, maxBytes = self.bounds.quotedBytes
        var breaks = 0  // line breaks inside quoted fields
        var multiline = false
        var blank = true
        if !escaped.isEmpty { escaped.removeAll(keepingCapacity: true) }  // a generic call: skipped when empty
        var end = 0
        // False: the record runs past the chunk, has text after a closing quote, or may hold a stray quote.
        let complete: Bool = {
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
                    var fieldBreaks = 0
                    while true {
                        p = specials.next(from: p, in: buffer)
                        while p < n, buffer[p] != quote, buffer[p] != cr, buffer[p] != lf { p = specials.next(from: p + 1, in: buffer) }
                        guard p + 1 < n else { return false }
                        let c = buffer[p]
                        if c != quote {
                            // CR, LF and CRLF each count as one line.
                            if c == cr || buffer[p - 1] != cr { fieldBreaks += 1 }
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
                    if fieldBreaks > 0 {
                        // Over several lines and beyond what a cell holds: a stray quote (the copying reader's call).
                        if fieldBreaks > maxLines || fieldEnd - fieldStart > maxBytes { return false }
                        breaks += fieldBreaks
                        multiline = true
                    }
                    p += 1
                    let c = buffer[p]
                    // Text after the closing quote is appended to the field: the copying reader does that.
                    guard c == delimiter || c == cr || c == lf else { return false }
                } else {
                    p = specials.next(from: p, in: buffer)
                    while p < n, buffer[p] != delimiter, buffer[p] != cr, buffer[p] != lf { p = specials.next(from: p + 1, in: buffer) }
                    guard p < n else { return false }
                    fieldEnd = p
                }
                bounds.append(fieldStart)
                bounds.append(fieldEnd)
                if fieldEnd != fieldStart { blank = false }
                if buffer[p] != delimiter {
                    end = p
                    // A value over several lines in a record of the wrong width: a stray quote (the copying reader's call).
                    return !(multiline && expected > 0 && (bounds.count - first) >> 1 != expected)
                }
                p += 1
            }
        }()
        // Longer than the record bound (only with bounds below a chunk, as in tests): the copying reader's call.
        guard complete, end - position <= self.bounds.recordBytes else {
            bounds.removeLast(bounds.count - first)
            return nil
        }
        return completed(buffer, to: end, breaks: breaks, bounds: &bounds, from: first, escaped: escaped, quote: quote, isBlank: blank)
    }

    /// The entry of the record scanned in place from `position` to `end`, which is then passed; a
    /// record with `""` gets its own copy, its quoted fields (at `escaped`) unescaped in place.
    @inline(__always)
    private func completed(_ buffer: UnsafeBufferPointer<UInt8>, to end: Int, breaks: Int, bounds: inout [Int], from first: Int,
                           escaped: [Int], quote: UInt8, isBlank: Bool) -> CSVRowBatch.Entry {
        let startLine = line, start = position
        line += breaks + 1
        swallowLF = buffer[end] == UInt8(ascii: "\r")
        position = end + 1
        let bytes = escaped.isEmpty ? nil : Self.unescaped(buffer, start..<end, bounds: &bounds, from: first, fields: escaped, quote: quote)
        return CSVRowBatch.Entry(bytes: bytes, bounds: first..<bounds.count, line: startLine, problem: nil, isBlank: isBlank)
    }

    /// A copy of `record` in which every `""` of the quoted fields whose bounds start at `fields`
    /// becomes `"`; the record's `bounds` (from index `first`, offsets in the record's buffer) are
    /// rebased on the copy.
    static func unescaped(_ buffer: UnsafeBufferPointer<UInt8>, _ record: Range<Int>, bounds: inout [Int], from first: Int, fields: [Int],
                          quote: UInt8) -> [UInt8] {
        var bytes = Array(UnsafeBufferPointer(rebasing: buffer[record]))
        let base = record.lowerBound
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
}
