#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InputFiles

/// A piece of a partner-XML document that parses on its own: a head on one line (the XML
/// declaration as written, then the start tags of the elements open where it begins, line breaks
/// in them turned to spaces), the records' bytes as handed over by the guard, and end tags for the
/// elements still open where it ends. The first part has no head, the last no end tags.
struct XMLPart: Sendable {
    let index: Int
    let bytes: [UInt8]
    /// Lines of the document before the part's first byte (its line 1 is line `lineOffset + 1`).
    let lineOffset: Int
    /// Whether the guard had refused a record by the part's end (so stand-ins may be in it).
    let refusals: Bool
}

/// Cuts the guarded stream of one file into parts at the record ends the lexer noted
/// (`XMLLexer.Cut`): runs on its own thread, applying every check of `XMLGuard` once.
/// Unchecked `Sendable`: made on the calling thread, then used by the splitting thread alone.
final class XMLSplitter: @unchecked Sendable {
    /// How the stream ended.
    enum End {
        /// Read to the end: the file's digest.
        case complete(ReadDigest?)
        /// Not split (why): one reader reads the file from its start.
        case unsafe(String)
        /// The guard stopped the document, or a read failed: one reader says what and where.
        case failed
    }

    private let input: XMLFileInput
    private let guardian: XMLGuard
    private var declaration: [UInt8]?  // nil until the stream's first bytes were seen
    private var index = 0
    private var lines = 0
    private var taken = 0
    private var current: [UInt8] = []
    private var currentLines = 0
    private var currentEnd: [UInt8] = []
    private var split = false

    init(path: String, limits: XMLGuard.Limits) throws(InputFileError) {
        let input = try XMLFileInput(path: path)
        self.input = input
        guardian = XMLGuard(limits: limits) { block in input.nextBlock(&block) }
    }

    /// Sends every part to `send` in order (which may block, and returns false to stop); returns
    /// how the stream ended.
    func run(send: (XMLPart) -> Bool) -> End {
        while true {
            let status = guardian.pull()
            let (slices, cuts) = guardian.takeOutput()
            if declaration == nil, let first = slices.first { declaration = Self.declaration(first) }
            var next = 0
            for slice in slices {
                var start = slice.startIndex
                while next < cuts.count, cuts[next].offset <= taken + (slice.endIndex - start) {
                    if !split, let reason = unsafe() { return .unsafe(reason) }
                    let end = start + (cuts[next].offset - taken)
                    append(slice[start..<end])
                    start = end
                    guard send(finish(ancestors: cuts[next].ancestors, refused: cuts[next].refused)) else { return .failed }
                    begin(ancestors: cuts[next].ancestors)
                    next += 1
                }
                append(slice[start...])
                // Nothing is sent before the first cut: a file with no record end in its first
                // megabytes (a record path one level too deep, a large header) goes to one reader
                // rather than being held here whole.
                if !split, current.count > unsplitLimit { return .unsafe("no record ends in the first \(unsplitLimit >> 20) MiB") }
            }
            if status < 0 || guardian.failure != nil || guardian.trailingContent { return .failed }
            guard status == 0 else { continue }
            if !split { return .unsafe(unsafe() ?? "the file holds less than one part") }
            guard send(finish(ancestors: [], refused: guardian.refusedRecords)) else { return .failed }
            return .complete(input.hasher.digest)
        }
    }

    /// Bytes held at most before the first cut.
    private var unsplitLimit: Int { max(8 << 20, 4 * (guardian.cutBytes ?? 0)) }

    /// Why the document cannot be read in parts, if it cannot.
    private func unsafe() -> String? {
        if guardian.hasDoctype { return "the document has a DOCTYPE (its DTD could give attributes defaults)" }
        if guardian.width != 1 { return "the document is in UTF-16 or UTF-32" }
        split = true
        return nil
    }

    private func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        current += bytes
        taken += bytes.count
        lines += Self.breaks(bytes)
    }

    /// The part so far, closed by the end tags of `ancestors`.
    private func finish(ancestors: [[UInt8]], refused: Int) -> XMLPart {
        for tag in ancestors.reversed() { current += Array("</".utf8) + Self.name(tag) + [UInt8(ascii: ">")] }
        defer { index += 1 }
        return XMLPart(index: index, bytes: current, lineOffset: currentLines, refusals: refused > 0)
    }

    /// A new part, headed by the declaration and the start tags of `ancestors` on one line.
    private func begin(ancestors: [[UInt8]]) {
        current = []
        current.reserveCapacity((guardian.cutBytes ?? 0) + 4_096)
        current += declaration ?? []
        for tag in ancestors { current += Self.oneLine(tag) }
        currentLines = lines
    }

    /// The XML declaration at the head of the stream (line breaks turned to spaces), or none.
    static func declaration(_ head: ArraySlice<UInt8>) -> [UInt8] {
        let bytes = Array(head.prefix(512))
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard bytes[start...].starts(with: Array("<?xml".utf8)) else { return [] }
        var i = start
        while i + 1 < bytes.count, !(bytes[i] == UInt8(ascii: "?") && bytes[i + 1] == UInt8(ascii: ">")) { i += 1 }
        guard i + 1 < bytes.count else { return [] }
        return oneLine(Array(bytes[start...(i + 1)]))
    }

    /// A start tag on one line: each line break (CRLF, CR or LF, one break as libxml2 reads it)
    /// becomes one space, which is what a break inside an attribute value is normalised to anyway.
    static func oneLine(_ tag: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(tag.count)
        var i = 0
        while i < tag.count {
            let b = tag[i]
            if b == 0x0D || b == 0x0A {
                out.append(0x20)
                if b == 0x0D, i + 1 < tag.count, tag[i + 1] == 0x0A { i += 1 }
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }

    /// An element's name from its start tag.
    static func name(_ tag: [UInt8]) -> [UInt8] {
        Array(tag.dropFirst().prefix { ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "/"), UInt8(ascii: ">")].contains($0) })
    }

    /// Line breaks as libxml2 counts them: line feeds (a CR alone is no line to it; CRLF is one).
    static func breaks(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            var n = 0
            var p = UnsafeRawPointer(base)
            let end = UnsafeRawPointer(base + buffer.count)
            while p < end, let hit = memchr(p, 0x0A, end - p) {
                n += 1
                p = UnsafeRawPointer(hit) + 1
            }
            return n
        }
    }
}
