import Foundation
import Testing
import TestSupport
@testable import IngestXML

/// The lexer in front of libxml2, fed in blocks of every size: a document within the limits goes
/// through byte for byte; a refused record is replaced by its stand-in and nothing else changes.
@Suite("XML guard")
struct XMLGuardTests {
    /// What the guard hands libxml2 of `bytes`, read in blocks of `block` bytes and served in pieces of `piece`.
    static func through(_ bytes: [UInt8], block: Int, piece: Int = 4_000, limits: XMLGuard.Limits) -> (out: [UInt8], guard: XMLGuard) {
        var offset = 0
        let guardian = XMLGuard(limits: limits) { next in
            guard offset < bytes.count else { return 0 }
            next = Array(bytes[offset..<min(offset + block, bytes.count)])
            offset += block
            return 1
        }
        var out: [UInt8] = []
        var buffer = [CChar](repeating: 0, count: piece)
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { guardian.read(into: $0.baseAddress!, count: piece) }
            if n <= 0 { break }
            out += buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }
        }
        return (out, guardian)
    }

    /// Where `a` and `b` first differ, with what follows in each.
    static func difference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let i = a.indices.first { $0 >= b.count || a[$0] != b[$0] } ?? a.count
        func around(_ x: [UInt8]) -> String { String(decoding: x[min(i, x.count)..<min(i + 40, x.count)], as: UTF8.self) }
        return "at byte \(i) of \(a.count)/\(b.count): «\(around(a))» instead of «\(around(b))»"
    }

    static let documents = ["\(Paths.root)/inputs/presences_saint-etienne_2024-2025.xml",
                            "\(Paths.root)/inputs/questionnaire_industriels_2024-2025.xml",
                            Paths.corpus("spreadsheetml-phpspreadsheet/tests-data-Reader-Xml/XEETestValidUTF-16LE.xml"),
                            Paths.corpus("odk-onadata/transportation/instances/transport_2011-07-25_19-05-36/transport_2011-07-25_19-05-36.xml")]

    /// A document up to its root element's end (what follows, white space here, is not handed over).
    static func upToTheRootsEnd(_ bytes: [UInt8]) -> [UInt8] {
        let width = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) ? 2 : 1
        guard let last = bytes.lastIndex(of: UInt8(ascii: ">")) else { return bytes }
        return Array(bytes[...(last + width - 1)])
    }

    @Test(.needsCorpora, arguments: documents)
    func benignDocumentsGoThroughUnchanged(path: String) throws {
        let bytes = Self.upToTheRootsEnd(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        for block in [3, 7, 64, 4096, 1 << 20] {
            for depth in [nil, 2, 3] {
                let (out, guardian) = Self.through(bytes, block: block, limits: XMLGuard.Limits(recordDepth: depth))
                #expect(guardian.failure == nil && !guardian.trailingContent && guardian.refusedRecords == 0)
                #expect(out == bytes, "block \(block), record depth \(depth.map(String.init) ?? "none"): \(Self.difference(out, bytes))")
            }
        }
    }

    /// A record over the limit, straddling blocks or not: exactly that record is replaced, by an empty
    /// element of its name with the refusal attribute and as many line breaks.
    @Test func oversizedRecordIsReplacedAndNothingElse() {
        let big = "<p:P a=\"1\" xmlns:p=\"urn:p\">\n" + String(repeating: "<n>texte</n>\n", count: 300) + "</p:P>"
        let text = "<?xml version=\"1.0\"?>\n<E><S code=\"A\"><p:P xmlns:p=\"urn:p\">ok</p:P>\(big)<p:P xmlns:p=\"urn:p\">ok2</p:P></S></E>\n"
        let standIn = "<p:P xmlns:p=\"urn:p\" impact-refused-record=\"bytes:1000\"/>" + String(repeating: "\n", count: 301)
        let expected = Self.upToTheRootsEnd(Array(text.replacing(big, with: standIn).utf8))
        for block in [1, 5, 13, 100, 999, 1 << 20] {
            let (out, guardian) = Self.through(Array(text.utf8), block: block, limits: XMLGuard.Limits(recordDepth: 2, recordBytes: 1_000))
            #expect(guardian.refusedRecords == 1 && guardian.failure == nil)
            #expect(out == expected, "block \(block): \(Self.difference(out, expected))")
        }
    }

    /// Found by the PartnerXML fuzz target (fuzz/regressions/PartnerXML-utf7-doctype): in UTF-7 a
    /// DOCTYPE declaring an entity is `+ADw-+ACE-DOCTYPE…`, which the lexer cannot see, while libxml2
    /// decodes it. Such a document (and EBCDIC) is refused before libxml2 is handed a byte.
    @Test func utf7DocumentIsRefused() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(Paths.root)/fuzz/regressions/PartnerXML-utf7-doctype")))
        for block in [1, 7, 1 << 20] {
            let (out, guardian) = Self.through(bytes, block: block, limits: XMLGuard.Limits())
            #expect(out.isEmpty, "block \(block)")
            #expect(guardian.failure?.contains("UTF-7") == true, "block \(block): \(guardian.failure ?? "no failure")")
        }
        let path = Paths.scratch("utf7") + "/p.xml"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: XMLReadError.self) {
            try PartnerXMLTable(recordPath: "/sst/si", xpaths: ["t"], namespaces: [:]).read(path: path) { (_: XMLRecord) in }
        }
    }

    /// Found by the PartnerXML fuzz target (fuzz/regressions/PartnerXML-entity-*across-blocks): an
    /// entity reference or declaration cut by a block's end was handed over in part, and the document
    /// stopped at a place of the next block. Now either is complete before anything of it goes: the
    /// document stops at its '&' or '<' however the file is cut (in a record too).
    @Test func referenceAcrossBlocksStopsAtItsAmpersand() throws {
        func regression(_ name: String) throws -> [UInt8] {
            Array(try Data(contentsOf: URL(fileURLWithPath: "\(Paths.root)/fuzz/regressions/\(name)")))
        }
        let found = try regression("PartnerXML-entity-across-blocks")
        let planted = Array("<!DOCTYPE e [<!ELEMENT e ANY>]>\n<E><S code=\"A\"><P>un</P><P>x &hostile; y</P></S></E>\n".utf8)
        // The same for an entity declaration ("<!ENTI" was handed over before "TY" was seen).
        let declared = try regression("PartnerXML-entity-declaration-across-blocks")
        for (bytes, depth) in [(found, 2), (planted, 2), (planted, nil), (declared, nil)] {
            let (whole, reference) = Self.through(bytes, block: 1 << 20, limits: XMLGuard.Limits(recordDepth: depth))
            let stop = String(decoding: whole, as: UTF8.self)
            #expect(reference.failure?.contains("entit") == true && !stop.contains("&") && !stop.contains("<!ENT"), "\(stop)")
            for block in 1...13 {
                let (out, guardian) = Self.through(bytes, block: block, limits: XMLGuard.Limits(recordDepth: depth))
                #expect(out == whole && guardian.failure == reference.failure, "block \(block): \(Self.difference(out, whole))")
            }
        }
    }

    /// Found by the PartnerXML fuzz target (fuzz/regressions/PartnerXML-crlf-across-blocks): a refused
    /// record's stand-in carries its line breaks, and a CRLF cut between two blocks was two of them (the
    /// lines after it were then off by one). The stand-in is the same however the file is cut.
    /// And fuzz/regressions/PartnerXML-start-tag-past-the-limit: a record whose start tag runs past the
    /// limit kept the namespace declarations the lexer happened to reach, which depended on the blocks.
    /// And fuzz/regressions/PartnerXML-record-ending-past-the-limit: a record a few bytes over the limit
    /// whose end tag came in the lexer's step that passed the limit was not refused (in 1 MiB blocks;
    /// it was in small ones).
    @Test(arguments: ["PartnerXML-crlf-across-blocks", "PartnerXML-start-tag-past-the-limit", "PartnerXML-record-ending-past-the-limit"])
    func refusedRecordsStandInIsTheSameForAnyBlocks(regression: String) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(Paths.root)/fuzz/regressions/\(regression)")))
        let limits = XMLGuard.Limits(recordDepth: 2, recordBytes: 2_048)
        let (whole, reference) = Self.through(bytes, block: 1 << 20, limits: limits)
        #expect(reference.refusedRecords >= 1)
        for block in 1...13 {
            let (out, guardian) = Self.through(bytes, block: block, limits: limits)
            #expect(out == whole && guardian.refusedRecords == reference.refusedRecords, "block \(block): \(Self.difference(out, whole))")
        }
    }

    /// A record one byte over the limit is refused, one at the limit is not, whatever the blocks.
    @Test func recordLimitIsExact() {
        let record = "<P>" + String(repeating: "x", count: 93) + "</P>"  // 100 bytes
        let text = "<E><S>\(record)</S></E>"
        for (limit, refused) in [(100, 0), (99, 1)] {
            for block in [1, 7, 1 << 20] {
                let (_, guardian) = Self.through(Array(text.utf8), block: block, limits: XMLGuard.Limits(recordDepth: 2, recordBytes: limit))
                #expect(guardian.refusedRecords == refused, "limit \(limit), block \(block)")
            }
        }
    }

    /// Everything after the root's end is held back: libxml2 sees a whole document.
    @Test func contentAfterTheRootIsCut() {
        let text = "<a><b>1</b></a>\n<!-- fine --> garbage <c/>"
        for block in [1, 3, 1 << 20] {
            let (out, guardian) = Self.through(Array(text.utf8), block: block, limits: XMLGuard.Limits(recordDepth: 1))
            #expect(String(decoding: out, as: UTF8.self) == "<a><b>1</b></a>", "block \(block)")
            #expect(guardian.trailingContent)
        }
    }
}
