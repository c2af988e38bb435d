/// The lexer of `XMLGuard`, over "units" (bytes, or UTF-16/32 code units seen as bytes: ASCII kept,
/// anything else 0x80), one method per state. A unit's raw bytes go, lazily (ranges of the block
/// read, routed at the few points that decide), to libxml2's `output`, to the `held` record, or
/// nowhere (a refused record, anything after the root).
struct XMLLexer {
    let limits: XMLGuard.Limits
    var failure: String?
    var failureLine: Int?
    var trailingContent = false
    var refusedRecords = 0
    var stopped = false
    /// Bytes ready for libxml2.
    var output = Segments()
    /// The record being held, from its '<' (the part read in earlier blocks).
    var held = Segments()
    var holding = false
    /// Where the held record starts in the current block (nil: in an earlier block, in `held`).
    var recordStart: Int?
    var discarding = false
    var refusal = ""
    var heldBreaks = 0
    /// The refused record's start tag (raw): its name and namespace declarations, for its stand-in.
    var recordName: [UInt8] = []
    var namespaceDeclarations: [[UInt8]] = []
    var width = 0  // 0: not detected yet
    var bigEndian = false
    var state = State.text
    var open = 0  // elements open
    var rootClosed = false
    var rootStarted = false
    var prologLines = 0  // line breaks before the root element (counted until it starts)
    var quote: UInt8 = 0
    var attributes = 0
    var entityStart = 0  // where the current '&' is in the block
    /// Units at the block's end that are an unfinished reference or declaration: not handed over,
    /// lexed again with the next block (the document may stop at their first unit, '&' or '<').
    var pendingUnits = 0
    /// The unit before the current block (a CR there and an LF first here are one line break).
    var lastUnit: UInt8 = 0
    var entityName: [UInt8] = []
    var match = 0  // progress in a terminator ("-->", "]]>", "?>")
    var bracket = 0  // DOCTYPE internal subset nesting
    var hasDoctype = false
    var declaration: [UInt8] = []  // the first units of a declaration of the DOCTYPE's internal subset
    var afterSlash = false  // a block ended inside a start tag just after '/'
    /// Splitting (`Limits.cutBytes`): the start tags (raw) of the open elements above the records,
    /// the current tag's start in the block and its part from earlier blocks, the cuts noted.
    var ancestors: [[UInt8]] = []
    var tagStart = 0
    var tagCarry: [UInt8] = []
    var cuts: [Cut] = []
    var lastCut = 0

    /// A place after a record's end where the document may be split: its offset in the stream
    /// handed over, the start tags of the elements open there, and the records refused so far.
    struct Cut {
        let offset: Int
        let ancestors: [[UInt8]]
        let refused: Int
    }

    enum State {
        case text, lt, startTag, attributeValue, endTag, bang, comment, cdata, pi, doctype, doctypeQuote, doctypeComment, doctypeDeclaration,
             entity
    }

    /// Where the lexer is in one block.
    struct Cursor {
        let u: UnsafeBufferPointer<UInt8>
        let raw: UnsafeBufferPointer<UInt8>
        /// The block `raw` views, sliced (not copied) into the output.
        let block: [UInt8]
        var p = 0
        /// Units before this are routed.
        var flushed = 0
        var n: Int { u.count }
    }

    static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), amp = UInt8(ascii: "&"), slash = UInt8(ascii: "/")
    static let dq = UInt8(ascii: "\""), sq = UInt8(ascii: "'"), bang = UInt8(ascii: "!"), question = UInt8(ascii: "?")

    init(limits: XMLGuard.Limits) { self.limits = limits }

    /// XML spec, appendix F: the first bytes give the code unit's width and order.
    mutating func detectEncoding(_ head: [UInt8]) {
        let b = Array(head.prefix(4)) + [1, 1, 1, 1]
        switch (b[0], b[1], b[2], b[3]) {
        case (0x00, 0x00, 0xFE, 0xFF), (0x00, 0x00, 0x00, 0x3C): width = 4; bigEndian = true
        case (0xFF, 0xFE, 0x00, 0x00), (0x3C, 0x00, 0x00, 0x00): width = 4; bigEndian = false
        case (0xFE, 0xFF, _, _), (0x00, 0x3C, 0x00, _): width = 2; bigEndian = true
        case (0xFF, 0xFE, _, _), (0x3C, 0x00, _, 0x00): width = 2; bigEndian = false
        default: width = 1
        }
    }

    /// Stops before any byte is handed over.
    mutating func refuseDocument(_ message: String) {
        failure = message
        failureLine = 1
        stopped = true
    }

    /// The end of the file: a record still held is handed over (or its stand-in), for libxml2 to
    /// report what is missing.
    mutating func finish(carry: [UInt8]) {
        if holding { endRecord() }
        if !carry.isEmpty && !rootClosed { output.append(carry[...]) }
    }

    /// Lexes one block.
    mutating func scan(_ u: UnsafeBufferPointer<UInt8>, _ raw: UnsafeBufferPointer<UInt8>, block: [UInt8]) {
        var c = Cursor(u: u, raw: raw, block: block)
        while c.p < c.n && !stopped {
            switch state {
            case .text: lexText(&c)
            case .entity: lexEntity(&c)
            case .lt: lexLT(&c)
            case .startTag: lexStartTag(&c)
            case .attributeValue: lexAttributeValue(&c)
            case .endTag: lexEndTag(&c)
            case .bang: lexBang(&c)
            case .comment, .doctypeComment:
                c.p = terminator(c.u, from: c.p, "-->")
                if match == 3 {
                    match = 0
                    state = state == .comment ? .text : .doctype
                }
            case .cdata:
                c.p = terminator(c.u, from: c.p, "]]>")
                if match == 3 { match = 0; state = .text }
            case .pi:
                c.p = terminator(c.u, from: c.p, "?>")
                if match == 2 { match = 0; state = .text }
            case .doctype: lexDoctype(&c)
            case .doctypeDeclaration: lexDeclaration(&c)
            case .doctypeQuote:
                let next = ByteScan.first(quote, quote, quote, in: c.u, from: c.p)
                c.p = min(next + 1, c.n)
                if next < c.n { quote = 0; state = .doctype }
            }
            if overLimit(c) { refuse(&c, "bytes:\(limits.recordBytes)") }
        }
        guard !stopped || trailingContent else { return }
        var end = c.n
        pendingUnits = 0
        if state == .entity && entityStart >= c.flushed {
            pendingUnits = c.n - entityStart
            end = entityStart
            state = quote == 0 ? .text : .attributeValue
        } else if state == .doctypeDeclaration && declaration.count <= c.n - c.flushed {
            pendingUnits = declaration.count
            end = c.n - declaration.count
            state = .doctype
        }
        // The block's end: what precedes a held record goes to libxml2, the record waits in `held`.
        if holding && !discarding {
            let split = min(max(recordStart ?? c.flushed, c.flushed), end)
            route(&c, to: split)
            held.append(c.block[(split * width)..<(end * width)])
            recordStart = nil
        } else {
            route(&c, to: end)
        }
        if !rootStarted { prologLines += countBreaks(UnsafeBufferPointer(rebasing: u[0..<end]), after: lastUnit) }
        if end > 0 { lastUnit = u[end - 1] }
        if limits.cutBytes != nil, width == 1, let depth = limits.recordDepth, open < depth, state == .lt || state == .startTag || state == .attributeValue {
            tagCarry += c.block[min(tagStart, c.n)..<c.n]  // an ancestor's start tag going on in the next block
            tagStart = 0
        }
    }

    /// An ancestor's start tag ended at unit `end` (splitting only): kept while it is open.
    mutating func openAncestor(_ c: Cursor, end: Int) {
        ancestors.append(tagCarry + c.block[min(tagStart, end)..<end])
        tagCarry.removeAll()
    }

    /// A record ended at unit `end`: a cut is noted when enough was handed over since the last one.
    @inline(__always) mutating func noteCut(_ c: Cursor, end: Int) {
        guard let every = limits.cutBytes, !stopped else { return }
        let offset = output.appended + (end - c.flushed) * width
        if offset - lastCut >= every {
            cuts.append(Cut(offset: offset, ancestors: ancestors, refused: refusedRecords))
            lastCut = offset
        }
    }

    /// Hands units up to `end` to libxml2 (or, in a refused record, counts their line breaks and
    /// drops them; after the root, drops them).
    mutating func route(_ c: inout Cursor, to end: Int) {
        guard end > c.flushed else { return }
        if discarding {
            heldBreaks += countBreaks(UnsafeBufferPointer(rebasing: c.u[c.flushed..<end]), after: c.flushed > 0 ? c.u[c.flushed - 1] : lastUnit)
        } else if !rootClosed {
            output.append(c.block[(c.flushed * width)..<(end * width)])
        }
        c.flushed = end
    }

    /// Stops the document at unit `at`: nothing from there on is handed over.
    mutating func halt(_ c: inout Cursor, _ message: String, at: Int) {
        if !rootStarted { failureLine = 1 + prologLines + countBreaks(UnsafeBufferPointer(rebasing: c.u[0..<at]), after: lastUnit) }
        if holding && !discarding {
            output.append(held)
            held.removeAll()
        }
        holding = false
        recordStart = nil
        route(&c, to: max(at, c.flushed))
        failure = message
        stopped = true
    }

    /// Content after the root: nothing of it is handed over.
    mutating func trailing() {
        trailingContent = true
        stopped = true
    }

    /// A record starts at unit `at` ('<' at the record depth, if a start tag follows).
    mutating func startRecord(at: Int) {
        holding = true
        recordStart = at
    }

    /// The '<' opened no record (an end tag, a comment, a PI between records).
    mutating func notRecord() {
        output.append(held)  // its '<', when read in the block before
        held.removeAll()
        holding = false
        recordStart = nil
    }

    /// Whether the record being held is already larger than the limit.
    @inline(__always) func overLimit(_ c: Cursor) -> Bool {
        holding && !discarding && held.count + (c.p - (recordStart ?? 0)) * width > limits.recordBytes
    }

    /// The held record ended at unit `end`: its bytes stay on their way to libxml2, or its stand-in goes.
    /// Its size is checked here too, so that a record ending in the lexer's step that passed the limit
    /// is refused all the same (the steps depend on the blocks).
    mutating func endRecord(_ c: inout Cursor, at end: Int) {
        if overLimit(c) { refuse(&c, "bytes:\(limits.recordBytes)") }
        if discarding {
            route(&c, to: end)  // dropped, its line breaks counted
        } else if recordStart == nil {
            // Begun in an earlier block: its part in `held`, then its part in this one.
            output.append(held)
            held.removeAll()
            route(&c, to: end)
        }
        endRecord()
    }

    private mutating func endRecord() {
        defer {
            held.removeAll()
            holding = false
            discarding = false
            recordStart = nil
        }
        guard discarding else {
            output.append(held)
            return
        }
        refusedRecords += 1
        let name = recordName.isEmpty ? encode("impact-refused") : recordName
        var standIn = encode("<") + name
        for declaration in namespaceDeclarations { standIn += encode(" ") + declaration }
        standIn += encode(" \(XMLGuard.refusalAttribute)=\"\(refusal)\"/>")
        // Its line breaks follow it (white space between records), so that lines after it keep their numbers.
        standIn += encode(String(repeating: "\n", count: heldBreaks))
        output.append(standIn[...])
    }

    /// The held record is refused (`why`): its bytes are dropped to its end, where its stand-in goes.
    mutating func refuse(_ c: inout Cursor, _ why: String) {
        guard !discarding else { return }
        let start = max(recordStart ?? c.flushed, c.flushed)
        route(&c, to: start)  // what precedes it in this block
        // Its bytes so far (at most the limit and a block): its start tag, and its line breaks.
        let bytes = held.joined() + c.block[(start * width)..<(c.p * width)]
        let units = width == 1 ? bytes : stride(from: 0, to: bytes.count - bytes.count % width, by: width).map { i in
            let low = bigEndian ? bytes[i + width - 1] : bytes[i]
            return (1..<width).contains { k in (bigEndian ? bytes[i + width - 1 - k] : bytes[i + k]) != 0 } || low >= 0x80 ? 0x80 : low
        }
        // The start tag as far as the limit reaches, whatever the lexer's last step ran past it (it
        // depends on the blocks): the stand-in is the same however the file is cut.
        let seen = min(units.count, limits.recordBytes / width)
        (recordName, namespaceDeclarations) = startTag(Array(units.prefix(seen)), Array(bytes.prefix(seen * width)))
        heldBreaks = units.withUnsafeBufferPointer { countBreaks($0) }
        held.removeAll()
        discarding = true
        refusal = why
        c.flushed = c.p
    }

    /// The name and namespace declarations (raw bytes) of the start tag at the head of `units`,
    /// the raw `bytes` they stand for; as far as it goes when it is cut.
    func startTag(_ units: [UInt8], _ bytes: [UInt8]) -> (name: [UInt8], declarations: [[UInt8]]) {
        func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        func raw(_ range: Range<Int>) -> [UInt8] { Array(bytes[(range.lowerBound * width)..<(range.upperBound * width)]) }
        var i = 1
        while i < units.count, !space(units[i]), units[i] != Self.slash, units[i] != Self.gt { i += 1 }
        let name = raw(1..<i)
        var declarations: [[UInt8]] = []
        while i < units.count, declarations.count < 16 {
            while i < units.count, space(units[i]) { i += 1 }
            guard i < units.count, units[i] != Self.slash, units[i] != Self.gt else { break }
            let attributeStart = i
            while i < units.count, units[i] != UInt8(ascii: "="), !space(units[i]) { i += 1 }
            let isDeclaration = units[attributeStart..<i].starts(with: Array("xmlns".utf8))
            while i < units.count, units[i] != Self.dq, units[i] != Self.sq { i += 1 }
            guard i < units.count else { break }
            let q = units[i]
            i += 1
            while i < units.count, units[i] != q { i += 1 }
            guard i < units.count else { break }
            i += 1
            if isDeclaration { declarations.append(raw(attributeStart..<i)) }
        }
        return (name, declarations)
    }

    /// ASCII text in the document's encoding.
    func encode(_ text: String) -> [UInt8] {
        guard width > 1 else { return Array(text.utf8) }
        var out: [UInt8] = []
        for b in text.utf8 {
            var unit = [UInt8](repeating: 0, count: width)
            unit[bigEndian ? width - 1 : 0] = b
            out += unit
        }
        return out
    }

    /// Line breaks in `u` as libxml2 counts them: CR, LF and CRLF one each, a CRLF cut between two
    /// pieces too (`before` is the unit preceding `u`).
    func countBreaks(_ u: UnsafeBufferPointer<UInt8>, after before: UInt8 = 0) -> Int {
        var count = 0
        var previous = before
        for c in u {
            if c == 0x0D || (c == 0x0A && previous != 0x0D) { count += 1 }
            previous = c
        }
        return count
    }

    static func isNameUnit(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "#") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
            || c == UInt8(ascii: ":") || c >= 0x80
    }

    /// Advances over a terminator ("-->", "]]>", "?>") that may span blocks; `match` counts its
    /// units seen so far. Returns where scanning stops (after the terminator, or the block's end).
    mutating func terminator(_ u: UnsafeBufferPointer<UInt8>, from start: Int, _ text: StaticString) -> Int {
        let t = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        var p = start
        while p < u.count {
            let c = u[p]
            if c == t[match] {
                match += 1
                p += 1
                if match == t.count { return p }
            } else if match > 0 {
                // "--->", "]]]>", "??>": a longer run of the first unit keeps the match going.
                match = c == t[0] ? (match == 2 && t[1] == t[0] ? 2 : 1) : 0
                p += 1
            } else {
                p = ByteScan.first(t[0], t[0], t[0], in: u, from: p)
            }
        }
        return p
    }
}
