import Records

/// One CSV record: its fields' unescaped bytes, where it starts, and what went wrong reading it.
public struct CSVRow: Sendable {
    /// The fields' bytes back to back from `start`; `ends[ends.startIndex + i]` is the end offset of
    /// field i. A row may be a view into a batch of records sharing one buffer (partner XML).
    var bytes: [UInt8]
    var ends: ArraySlice<Int>
    let start: Int
    /// 1-based physical line where the record starts.
    public let line: Int
    /// The file ended inside a quoted field.
    public let unterminatedQuote: Bool
    let encoding: TextEncoding

    public var count: Int { ends.count }

    /// A row made of text values (an XML record seen as a table row).
    public init(fields: [String], line: Int) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for f in fields {
            bytes += f.utf8
            ends.append(bytes.count)
        }
        self.init(bytes: bytes, ends: ends, line: line, unterminatedQuote: false, encoding: .utf8)
    }

    init(bytes: [UInt8], ends: [Int], line: Int, unterminatedQuote: Bool, encoding: TextEncoding) {
        self.init(bytes: bytes, start: 0, ends: ends[...], line: line, unterminatedQuote: unterminatedQuote, encoding: encoding)
    }

    /// A view of one record in a shared buffer: its fields run from `start` to `ends.last`.
    init(bytes: [UInt8], start: Int, ends: ArraySlice<Int>, line: Int, unterminatedQuote: Bool = false, encoding: TextEncoding = .utf8) {
        self.bytes = bytes
        self.start = start
        self.ends = ends
        self.line = line
        self.unterminatedQuote = unterminatedQuote
        self.encoding = encoding
    }

    /// Field `i`'s byte range in `bytes` (empty past the last field).
    func range(_ i: Int) -> Range<Int> {
        guard i >= 0, i < ends.count else { return 0..<0 }
        let e = ends.startIndex + i
        return (i == 0 ? start : ends[e - 1])..<ends[e]
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
        guard i >= 0, i < ends.count else { return "" }
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
        guard i >= 0, i < ends.count else { return 0..<0 }
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

    /// True when every field is empty (a blank line, or `;;;` left by a spreadsheet).
    public var isBlank: Bool { (ends.last ?? start) == start }
}

/// A streaming RFC 4180 reader over ASCII-compatible bytes (UTF-8, Windows-1252).
///
/// Hand-written: the packaged Swift CSV readers measured 7–9 MB/s against ~225 MB/s for a byte
/// state machine on this machine kind (engineering notes), and none reads Windows-1252.
/// Lenient where exports are: a quote inside an unquoted field is kept, text after a closing
/// quote is appended, a lone CR ends a line, and a missing closing quote is flagged, not fatal.
final class CSVReader {
    private let source: ChunkSource
    private let delimiter: UInt8
    private let encoding: TextEncoding
    private var chunk: [UInt8] = []
    private var position = 0
    private var atEOF = false
    private var line = 1
    private var swallowLF = false
    private var spareBytes: [UInt8] = []
    private var spareEnds: [Int] = []

    init(source: ChunkSource, delimiter: UInt8, encoding: TextEncoding, firstLine: Int = 1) {
        self.source = source
        self.line = firstLine
        self.delimiter = delimiter
        self.encoding = encoding
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    /// The next non-blank record, or nil at end of input.
    func next() throws -> CSVRow? {
        while let row = try nextRecord() {
            if !row.isBlank { return row }
        }
        return nil
    }

    /// The next record, blank ones included.
    ///
    /// The loop works on locals and an unsafe view of the chunk, and copies runs of plain bytes in
    /// one go: touching the class's properties per byte cost 11 % of the ingest time in dynamic
    /// exclusivity checks alone.
    func nextRecord() throws -> CSVRow? {
        // The previous row's buffers, reused when the caller has dropped that row (copy-on-write
        // makes fresh ones otherwise): two allocations and frees per row were a tenth of the
        // CSV mapping thread.
        var bytes = spareBytes, ends = spareEnds
        (spareBytes, spareEnds) = ([], [])
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        defer { (spareBytes, spareEnds) = (bytes, ends) }
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
        while true {
            if position >= chunk.count {
                guard !atEOF, let next = try source.nextChunk() else {
                    atEOF = true
                    self.chunk = []
                    guard started else { return nil }
                    ends.append(bytes.count)
                    return CSVRow(bytes: bytes, ends: ends, line: startLine, unterminatedQuote: state == .quoted, encoding: encoding)
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
            if complete {
                return CSVRow(bytes: bytes, ends: ends, line: startLine, unterminatedQuote: false, encoding: encoding)
            }
        }
    }
}
