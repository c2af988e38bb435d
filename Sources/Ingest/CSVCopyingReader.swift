import IngestXML

/// The copying reader of `CSVReader`: the reference state machine, and the reader of every record
/// whose quote may be stray (see `CSVRecordProblem.strayQuote`): such a record keeps its fields up
/// to the end of the quote's line, and reading resumes on the next line, from the raw bytes kept
/// since the record's first line break.
extension CSVReader {
    enum State { case fieldStart, unquoted, quoted, quoteInQuoted, escapeInQuoted }

    /// Where a record's first line break is (always inside a quoted field): what to keep of the
    /// record and where to resume when the quote that opened that field turns out to be stray.
    struct FirstBreak {
        /// The line the quote opened on (the break ends it), and the field's 1-based number.
        let line: Int, column: Int
        /// Fields completed and bytes copied before the break.
        let fields: Int, bytes: Int
        /// The break is a CR (a following LF belongs to it).
        let isCR: Bool
    }

    /// One record being copied. A struct, so that the per-byte loop works on a local: touching the
    /// class's properties per byte cost 11 % of the ingest time in dynamic exclusivity checks alone.
    struct Copier {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var state = State.fieldStart
        var started = false
        var startLine: Int
        var line: Int
        var swallowLF: Bool
        var position: Int
        let delimiter: UInt8
        let limits: Bounds
        /// The dialect's quote, its escape inside quotes (the quote itself in RFC 4180, where a quote
        /// is escaped by doubling it), and whether spaces after a delimiter are skipped.
        let quote: UInt8, escape: UInt8, skipSpaces: Bool
        /// The quoted field being read: its line breaks and raw length.
        var fieldBreaks = 0, fieldRaw = 0
        var firstBreak: FirstBreak?
        /// Where the raw bytes to keep for a rewind start in the current chunk (-1: no break yet, or this chunk is saved).
        var resumeStart = -1
        var stray: StrayQuoteEvidence?
        /// Past the record limit; then its line skipped to the end.
        var tooLarge = false, skipped = false

        static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

        init(reader: CSVReader) {
            startLine = reader.line
            line = reader.line
            swallowLF = reader.swallowLF
            position = reader.position
            delimiter = reader.delimiter
            limits = reader.bounds
            quote = reader.dialect.quote
            escape = reader.dialect.escape ?? reader.dialect.quote
            skipSpaces = reader.dialect.skipInitialSpace
        }

        /// Copies from `position` on: true when the record is complete, or stopped by a bound
        /// (`stray`, `tooLarge`); false at the end of the buffer.
        mutating func consume(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
            if tooLarge { return skipLine(buffer) }
            let n = buffer.count
            while position < n {
                let b = buffer[position]
                if swallowLF {
                    swallowLF = false
                    if b == Self.lf { position += 1; continue }
                }
                if !started {
                    started = true
                    startLine = line
                }
                if state == .quoted {
                    if b == quote {
                        state = .quoteInQuoted
                        position += 1
                    } else if b == escape {
                        state = .escapeInQuoted
                        position += 1
                    } else {
                        quotedRun(buffer)
                    }
                } else if state == .escapeInQuoted {
                    // The escaped byte, as it is (a line break counted as in a run).
                    if b == Self.cr || (b == Self.lf && bytes.last != Self.cr) { lineBreak(isCR: b == Self.cr, at: bytes.count) }
                    bytes.append(b)
                    fieldRaw += 2
                    state = .quoted
                    position += 1
                } else if step(b, buffer) {
                    return true
                }
                if stray != nil { return true }
                // A quoted value over several lines beyond what a cell holds: its quote is stray.
                if fieldBreaks > 0 && (fieldBreaks > limits.quotedLines || fieldRaw > limits.quotedBytes) {
                    stray = fieldBreaks > limits.quotedLines ? .tooManyLines : .tooLong
                    return true
                }
                if bytes.count > limits.recordBytes {
                    tooLarge = true
                    return true
                }
            }
            return false
        }

        /// One byte outside a quoted value (or right after its closing quote): true at the record's end.
        private mutating func step(_ b: UInt8, _ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
            if b == 0x20 && skipSpaces && state == .fieldStart {
                position += 1
            } else if b == delimiter {
                ends.append(bytes.count)
                state = .fieldStart
                position += 1
            } else if b == Self.cr || b == Self.lf {
                line += 1
                swallowLF = b == Self.cr
                ends.append(bytes.count)
                position += 1
                return true
            } else if b == quote && state == .fieldStart {
                state = .quoted
                fieldBreaks = 0
                fieldRaw = 0
                position += 1
            } else if b == quote && state == .quoteInQuoted {
                bytes.append(quote)
                fieldRaw += 2
                state = .quoted
                position += 1
            } else if state == .quoteInQuoted && fieldBreaks > 0 {
                // Text right after the quote closing a value over several lines: the quotes are out of step.
                stray = .textAfterClosingQuote(line: line)
            } else {
                // A run of plain bytes, copied at once.
                let runStart = position
                position += 1
                while position < buffer.count {
                    let c = buffer[position]
                    if c == delimiter || c == Self.cr || c == Self.lf || c == quote { break }
                    position += 1
                    if bytes.count + position - runStart > limits.recordBytes { break }  // at the byte, however the file is cut
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<position]))
                state = .unquoted
            }
            return false
        }

        /// A run of a quoted value up to its next quote, counting its line breaks; it stops at the
        /// byte that passes a bound, so the evidence is the same however the file is cut in chunks.
        private mutating func quotedRun(_ buffer: UnsafeBufferPointer<UInt8>) {
            let runStart = position
            while position < buffer.count {
                let c = buffer[position]
                if c == quote || c == escape { break }
                // CR, LF and CRLF each count as one line, even when CRLF spans two chunks.
                if c == Self.cr || (c == Self.lf && (position > runStart ? buffer[position - 1] : bytes.last) != Self.cr) {
                    lineBreak(isCR: c == Self.cr, at: bytes.count + position - runStart)
                }
                position += 1
                if fieldBreaks > 0 && (fieldBreaks > limits.quotedLines || fieldRaw + position - runStart > limits.quotedBytes) { break }
                if bytes.count + position - runStart > limits.recordBytes { break }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<position]))
            fieldRaw += position - runStart
        }

        /// A line break inside a quoted value, at `position` of the buffer and byte `at` of the record.
        private mutating func lineBreak(isCR: Bool, at: Int) {
            if firstBreak == nil {
                firstBreak = FirstBreak(line: line, column: ends.count + 1, fields: ends.count, bytes: at, isCR: isCR)
                resumeStart = position + 1
            }
            line += 1
            fieldBreaks += 1
        }

        /// The rest of an oversized record's line, kept nowhere: true once past its line break.
        private mutating func skipLine(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
            let stop = ByteScan.first(Self.cr, Self.lf, Self.lf, in: buffer, from: position)
            guard stop < buffer.count else { position = buffer.count; return false }
            line += 1
            swallowLF = buffer[stop] == Self.cr
            position = stop + 1
            skipped = true
            return true
        }
    }

    /// The next record read by copying its fields' unescaped bytes, blank ones included.
    func copyRecord(into bounds: inout [Int]) throws -> CSVRowBatch.Entry? {
        var m = Copier(reader: self)
        var chunk = self.chunk
        var resume: [UInt8] = []  // raw bytes after the first break, of the chunks already left
        defer {
            line = m.line
            swallowLF = m.swallowLF
            position = m.position
        }
        func entry(_ problem: CSVRecordProblem?) -> CSVRowBatch.Entry {
            let first = bounds.count
            var start = 0
            for end in m.ends {
                bounds.append(start)
                bounds.append(end)
                start = end
            }
            return CSVRowBatch.Entry(bytes: m.bytes, bounds: first..<bounds.count, line: m.startLine, problem: problem,
                                     isBlank: problem == nil && m.bytes.isEmpty)
        }
        // The quote of the field holding the first line break was stray: keep the fields up to
        // that break, and read again from the line after it.
        func stray(_ evidence: StrayQuoteEvidence, _ at: FirstBreak) -> CSVRowBatch.Entry {
            m.bytes.removeSubrange(at.bytes...)
            m.ends.removeSubrange(at.fields...)
            m.ends.append(at.bytes)
            if m.resumeStart >= 0 { resume += chunk[m.resumeStart...] }
            self.chunk = resume
            m.position = 0
            m.line = at.line + 1
            m.swallowLF = at.isCR
            return entry(.strayQuote(line: at.line, column: at.column, evidence: evidence))
        }
        while true {
            if m.position >= chunk.count {
                // The rest of this chunk is saved for a rewind; the next one is saved from its start.
                let saving = m.resumeStart >= 0
                if saving {
                    resume += chunk[m.resumeStart...]
                    m.resumeStart = -1
                }
                guard !atEOF, let next = try source.nextChunk() else {
                    atEOF = true
                    self.chunk = []
                    m.position = 0
                    guard m.started else { return nil }
                    if m.tooLarge { return entry(.tooLarge) }
                    m.ends.append(m.bytes.count)
                    if let at = m.firstBreak {
                        if m.state == .quoted || m.state == .escapeInQuoted { return stray(.neverClosed, at) }
                        if expectedFields > 0 && m.ends.count != expectedFields { return stray(.fieldCount(m.ends.count), at) }
                    }
                    return entry(m.state == .quoted || m.state == .escapeInQuoted ? .unterminatedQuote : nil)
                }
                chunk = next
                self.chunk = next
                m.position = 0
                if saving { m.resumeStart = 0 }
                continue
            }
            guard chunk.withUnsafeBufferPointer({ m.consume($0) }) else { continue }
            if let evidence = m.stray, let at = m.firstBreak { return stray(evidence, at) }
            if m.tooLarge {
                // Nothing of it is kept; once its line is skipped, it is reported.
                m.bytes = []
                m.ends = []
                resume = []
                m.resumeStart = -1
                if m.skipped { return entry(.tooLarge) }
                continue
            }
            if let at = m.firstBreak, expectedFields > 0 && m.ends.count != expectedFields { return stray(.fieldCount(m.ends.count), at) }
            return entry(nil)
        }
    }
}
