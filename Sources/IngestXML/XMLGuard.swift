/// What libxml2 is handed of an XML file: the file's own bytes, checked on the way by a lexer of the
/// document's structure (tags, quoted values, comments, CDATA, processing instructions, DOCTYPE:
/// `XMLLexer`).
///
/// libxml2 2.9 cannot be bounded from the outside: it checks and links an element's attributes
/// pairwise (200,000 attributes on one element: 673 s in `xmllint --stream`; 20 elements of 16,000
/// attributes: 23 s), and `xmlTextReaderExpand` builds a whole record (a 65 MB record: 817 MB). So,
/// before libxml2 sees them:
/// - an element with more than `Limits.attributes` attributes, nesting deeper than `Limits.depth`,
///   an entity declaration or (in a document with a DOCTYPE) an entity reference stop the document
///   there (`failure`), the records before it being read;
/// - an element at `Limits.recordDepth` (a record) is held until it ends; one larger than
///   `Limits.recordBytes`, or holding an element with too many attributes, is replaced by an empty
///   element of the same name carrying `refusalAttribute`, followed by as many line breaks (so that
///   line numbers stay right): libxml2 never builds it, the reader reports it and goes on;
/// - what follows the root element's end (other than comments, processing instructions and white
///   space) is not handed over, so the records before it are all read; `trailingContent` says so;
/// - a document whose markup is not ASCII (UTF-7, EBCDIC) is refused: the lexer could not see it.
final class XMLGuard {
    struct Limits: Sendable {
        var depth = 128
        var attributes = 1_000
        /// The depth of the record elements (the root is 0), or nil when records are not held.
        var recordDepth: Int?
        var recordBytes = 1_000_000
        /// When set, a cut (`XMLLexer.Cut`) is noted after a record's end once this many bytes were
        /// handed over since the last one: where `XMLSplitReader` may split the document.
        var cutBytes: Int?
    }

    /// The attribute of a refused record's stand-in: `bytes:N` or `attributes:N`.
    static let refusalAttribute = "impact-refused-record"

    /// All the lexer's state, a struct: a class's properties touched per tag cost a third of the
    /// lexer's instructions in dynamic exclusivity checks.
    private var lexer: XMLLexer
    private let source: (inout [UInt8]) -> Int32
    private var atEnd = false
    private var carry: [UInt8] = []  // a partial code unit, an unfinished reference, or the start before the declaration ends

    /// Why the document was stopped, if it was (served bytes end where it was found).
    var failure: String? { lexer.failure }
    /// The failure's line when it is in the prolog (an entity declaration); libxml2's line otherwise.
    var failureLine: Int? { lexer.failureLine }
    /// Content after the root element's end was found (and not handed over).
    var trailingContent: Bool { lexer.trailingContent }
    /// Records replaced by a stand-in so far.
    var refusedRecords: Int { lexer.refusedRecords }

    /// `source` fills its argument with the file's next raw bytes and returns 1, 0 at the end, -1 on a read error.
    init(limits: Limits, source: @escaping (inout [UInt8]) -> Int32) {
        lexer = XMLLexer(limits: limits)
        self.source = source
    }

    /// libxml2's read callback: up to `count` bytes into `buffer`; 0 at the end, -1 on an error.
    func read(into buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int32 {
        while lexer.output.count == 0 {
            let status = pull()
            if status <= 0 { return status }
        }
        return Int32(lexer.output.take(into: UnsafeMutableRawPointer(buffer), count: count))
    }

    /// Lexes the next block of the source: 1 when there may be more, 0 at the end (or where the
    /// document stopped without a failure), -1 on a read error or a failure.
    func pull() -> Int32 {
        if lexer.stopped || atEnd { return lexer.failure == nil ? 0 : -1 }
        var block: [UInt8] = []
        let status = source(&block)
        if status < 0 { return -1 }
        if status == 0 {
            atEnd = true
            if lexer.width == 0 && !carry.isEmpty { lex([], final: true) }
            lexer.finish(carry: carry)
        } else {
            lex(block)
        }
        return 1
    }

    /// The bytes ready for libxml2 and the cuts noted among them, taken (`XMLSplitReader`).
    func takeOutput() -> (slices: [ArraySlice<UInt8>], cuts: [XMLLexer.Cut]) {
        defer { lexer.cuts.removeAll(keepingCapacity: true) }
        return (lexer.output.drain(), lexer.cuts)
    }

    /// Whether the document has a DOCTYPE (seen so far), and its code unit width (0: not known yet).
    var hasDoctype: Bool { lexer.hasDoctype }
    var cutBytes: Int? { lexer.limits.cutBytes }
    var width: Int { lexer.width }

    private func lex(_ block: [UInt8], final: Bool = false) {
        var raw = carry.isEmpty ? block : carry + block
        carry = []
        if lexer.width == 0 {
            // The encoding is told by the declaration: wait for its end (or 256 bytes, or the file's
            // end) however the input is cut, so that a UTF-7 one cannot slip through in small blocks.
            if !final && raw.count < 256 && !raw.contains(UInt8(ascii: ">")) {
                carry = raw
                return
            }
            lexer.detectEncoding(raw)
            if let encoding = Self.hiddenStructure(raw, width: lexer.width) {
                // libxml2 would decode it, but the checks here could not see its tags: refused.
                lexer.refuseDocument("documents in \(encoding) are refused: their markup is not ASCII, so the safety checks cannot see it; export the file as UTF-8")
                return
            }
        }
        let width = lexer.width
        if width > 1 {
            let usable = raw.count - raw.count % width
            carry = Array(raw[usable...])
            raw.removeLast(raw.count - usable)
        }
        // Units as bytes: ASCII kept, anything else 0x80 (only ASCII is structure).
        let units: [UInt8]
        if width == 1 {
            units = raw
        } else {
            let bigEndian = lexer.bigEndian
            units = stride(from: 0, to: raw.count, by: width).map { i in
                let low = bigEndian ? raw[i + width - 1] : raw[i]
                let high = (1..<width).contains { k in (bigEndian ? raw[i + width - 1 - k] : raw[i + k]) != 0 }
                return high || low >= 0x80 ? 0x80 : low
            }
        }
        var lexer = self.lexer
        units.withUnsafeBufferPointer { u in
            raw.withUnsafeBufferPointer { r in lexer.scan(u, r, block: raw) }
        }
        self.lexer = lexer
        // An unfinished reference at the end is lexed again with the next block (however the file is cut).
        if lexer.pendingUnits > 0 { carry = Array(raw.suffix(lexer.pendingUnits * width)) + carry }
    }

    static func hiddenStructure(_ head: [UInt8], width: Int) -> String? {
        if head.starts(with: [0x4C, 0x6F, 0xA7, 0x94]) { return "EBCDIC" }  // "<?xm" in EBCDIC
        guard width == 1, head.starts(with: Array("<?xml".utf8)) else { return nil }
        let declaration = head.prefix(200).prefix { $0 != UInt8(ascii: ">") }
        let lowered = String(decoding: declaration, as: UTF8.self).lowercased()
        guard let range = lowered.firstRange(of: "encoding") else { return nil }
        let text = lowered[range.upperBound...]
        let value = text.drop { " =\"'\t\r\n".contains($0) }.prefix { !" \"'?\t\r\n".contains($0) }
        let name = String(value)
        if name.hasPrefix("utf-7") || name.hasPrefix("utf7") || name.contains("unicode-1-1-utf-7") { return "UTF-7" }
        let ebcdic = ["ebcdic", "ibm037", "ibm-037", "cp037", "ibm273", "ibm277", "ibm278", "ibm280", "ibm284", "ibm285", "ibm297",
                      "ibm420", "ibm424", "ibm500", "cp500", "ibm871", "ibm875", "ibm1026", "ibm1047", "cp1047", "ibm01140", "cp1140",
                      "ibm01141", "ibm01142", "ibm01143", "ibm01144", "ibm01145", "ibm01146", "ibm01147", "ibm01148", "ibm01149"]
        return ebcdic.contains { name.hasPrefix($0) } ? "EBCDIC (\(name))" : nil
    }
}

/// Bytes as slices of the blocks they were read in (sharing their storage), taken in order.
struct Segments {
    private var parts: [ArraySlice<UInt8>] = []
    private var head = 0
    /// Bytes not taken yet.
    private(set) var count = 0
    /// Bytes appended since the start (taken or not): offsets of the stream handed over.
    private(set) var appended = 0

    mutating func append(_ slice: ArraySlice<UInt8>) {
        guard !slice.isEmpty else { return }
        parts.append(slice)
        count += slice.count
        appended += slice.count
    }

    /// Takes every slice not taken yet.
    mutating func drain() -> [ArraySlice<UInt8>] {
        defer { removeAll() }
        return Array(parts[head...])
    }

    mutating func append(_ other: Segments) {
        for part in other.parts[other.head...] { append(part) }
    }

    mutating func removeAll() {
        parts.removeAll(keepingCapacity: true)
        head = 0
        count = 0
    }

    /// Copies up to `limit` bytes to `buffer`, removing them; returns how many.
    mutating func take(into buffer: UnsafeMutableRawPointer, count limit: Int) -> Int {
        var done = 0
        while done < limit, head < parts.count {
            let part = parts[head]
            let n = min(limit - done, part.count)
            part.withUnsafeBytes { raw in
                if let base = raw.baseAddress { (buffer + done).copyMemory(from: base, byteCount: n) }
            }
            done += n
            if n == part.count {
                head += 1
            } else {
                parts[head] = part.dropFirst(n)
            }
        }
        count -= done
        if head == parts.count { removeAll() }
        return done
    }

    /// All the bytes in one array (a refused record's, to count its line breaks).
    func joined() -> [UInt8] { Array(parts[head...].joined()) }
}
