import IngestXML
import InputFiles

/// A CSV file opened for streaming, with its encoding and delimiter detected or declared.
public final class CSVFile {
    public let path: String
    public let encoding: EncodingGuess
    public let delimiter: UInt8
    /// How the delimiter was chosen: "declared", "sep= line", "detected", "default".
    public let delimiterEvidence: String
    /// The quote character, escapes and spaces after delimiters, detected from the first records.
    public let dialect: CSVDialect
    /// Why the dialect differs from RFC 4180 (empty when it does not).
    public let dialectEvidence: [String]
    private let reader: CSVReader
    private let file: FileChunkSource

    /// The file's SHA-256 and size once it was read to its end.
    public var digest: ReadDigest? { file.digest }

    /// The candidate delimiters, in the order ties are broken (French exports favour ';').
    public static let candidates: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    /// Opens `path`; nil arguments are detected from the file's first mebibyte.
    public init(path: String, delimiter declaredDelimiter: UInt8? = nil, encoding declared: TextEncoding? = nil) throws {
        self.path = path
        let file = try FileChunkSource(path: path)
        self.file = file
        let raw = PushbackSource(file)
        let head = try raw.nextChunk() ?? []
        var guess = EncodingDetector.detect(head)
        if let declared {
            // A declared encoding wins, but a BOM of that same encoding is still skipped.
            guess = EncodingGuess(encoding: declared, bomLength: guess.encoding == declared ? guess.bomLength : 0, evidence: "declared")
        }
        encoding = guess
        raw.unread(Array(head.dropFirst(guess.bomLength)))
        let text: PushbackSource
        if guess.encoding.isByteCompatible {
            text = raw
        } else {
            text = PushbackSource(TranscodingSource(inner: raw, encoding: guess.encoding))
        }
        var textHead = try text.nextChunk() ?? []
        var firstLine = 1
        if let (sep, length) = Self.sepLine(textHead) {
            textHead.removeFirst(length)
            firstLine = 2
            delimiter = declaredDelimiter ?? sep
            delimiterEvidence = declaredDelimiter == nil ? "sep= line" : "declared"
        } else if let declaredDelimiter {
            delimiter = declaredDelimiter
            delimiterEvidence = "declared"
        } else if let detected = Self.detectDelimiter(textHead) {
            delimiter = detected
            delimiterEvidence = "detected"
        } else if DialectSniffer.spaceSeparated(textHead) {
            delimiter = UInt8(ascii: " ")
            delimiterEvidence = "detected: values separated by spaces"
        } else {
            delimiter = UInt8(ascii: ",")
            delimiterEvidence = DialectSniffer.unevenlySpaced(textHead)
                ? "default (one column): the lines hold values separated by spaces, not evenly (an aligned listing?); save it as CSV"
                : "default (one column)"
        }
        (dialect, dialectEvidence) = DialectSniffer.dialect(textHead, delimiter: delimiter)
        text.unread(textHead)
        let readerEncoding: TextEncoding = guess.encoding.isByteCompatible ? guess.encoding : .utf8
        reader = CSVReader(source: text, delimiter: delimiter, encoding: readerEncoding, firstLine: firstLine, dialect: dialect)
    }

    /// The next non-blank record, or nil at the end.
    public func next() throws -> CSVRow? { try reader.next() }

    /// Tells the reader the header's number of fields: from then on, a quoted value over several
    /// lines in a record of another width is taken as a stray quote (`CSVRecordProblem.strayQuote`).
    public func expectFields(_ count: Int) { reader.expectedFields = count }

    /// Up to `rows` next non-blank records, or nil at the end.
    func nextBatch(rows: Int) throws -> CSVRowBatch? { try reader.nextBatch(rows: rows) }

    /// Excel's `sep=;` first line: the delimiter and the line's length with its line break.
    static func sepLine(_ head: [UInt8]) -> (UInt8, Int)? {
        let prefix = Array("sep=".utf8)
        guard head.count >= 5, Array(head.prefix(4)).map({ $0 | 0x20 }) == prefix else { return nil }
        let sep = head[4]
        var length = 5
        while length < head.count, head[length] == UInt8(ascii: " ") { length += 1 }
        if length < head.count, head[length] == UInt8(ascii: "\r") { length += 1 }
        if length < head.count, head[length] == UInt8(ascii: "\n") { length += 1 }
        guard length == head.count || head[length - 1] == UInt8(ascii: "\n") || head[length - 1] == UInt8(ascii: "\r") else { return nil }
        return (sep, length)
    }

    /// The candidate that splits the first records most consistently into more than one field.
    static func detectDelimiter(_ head: [UInt8]) -> UInt8? {
        let sample = Array(head.prefix(64 * 1024))
        let truncated = head.count > sample.count || head.count >= 1 << 20
        var best: (delimiter: UInt8, share: Double, fields: Int)?
        for candidate in candidates {
            var counts = fieldCounts(sample, delimiter: candidate)
            if truncated, counts.count > 1 { counts.removeLast() }
            guard !counts.isEmpty else { continue }
            var frequency: [Int: Int] = [:]
            for c in counts { frequency[c, default: 0] += 1 }
            guard let (mode, hits) = frequency.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }), mode > 1 else { continue }
            let share = Double(hits) / Double(counts.count)
            if let current = best, share < current.share || (share == current.share && mode <= current.fields) { continue }
            best = (candidate, share, mode)
        }
        return best?.delimiter
    }

    /// Fields per non-blank record of the first 200 records, quote-aware.
    static func fieldCounts(_ bytes: [UInt8], delimiter: UInt8) -> [Int] {
        var counts: [Int] = []
        var fields = 1
        var inQuotes = false
        var nonEmpty = false
        var previousCR = false
        for b in bytes {
            if b == UInt8(ascii: "\"") { inQuotes.toggle(); nonEmpty = true; previousCR = false; continue }
            if inQuotes { continue }
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                if !(b == UInt8(ascii: "\n") && previousCR), nonEmpty { counts.append(fields) }
                fields = 1
                nonEmpty = false
                previousCR = b == UInt8(ascii: "\r")
                if counts.count >= 200 { break }
                continue
            }
            previousCR = false
            nonEmpty = true
            if b == delimiter { fields += 1 }
        }
        if nonEmpty, counts.count < 200 { counts.append(fields) }
        return counts
    }
}
