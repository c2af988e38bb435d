import Foundation
import Testing
import TestSupport
@testable import IngestXML

/// Partner XML read in parts by several readers (`XMLSplitReader`) gives what one reader gives:
/// the same records (values, lines, indices, refusals), the same error after the same records.
/// Parts are cut at every record end (`partBytes: 1`), so every boundary is tried.
@Suite("XML split readers")
struct XMLSplitTests {
    /// Everything a reading gives, comparable.
    struct Outcome: Equatable, CustomStringConvertible {
        var records: [String] = []
        var error: String?
        var digest: String?
        var description: String { "\(records.count) records, error \(error ?? "none"), digest \(digest ?? "none")" }
    }

    static func collect(_ batch: XMLRecordBatch, into outcome: inout Outcome) {
        for i in 0..<batch.count {
            let values = stride(from: batch.span(i).lowerBound, to: batch.span(i).upperBound, by: 2).map {
                String(decoding: batch.bytes[batch.bounds[$0]..<batch.bounds[$0 + 1]], as: UTF8.self)
            }
            outcome.records.append("#\(batch.indices[i]) line \(batch.lines[i]) \(batch.refusals[i] ?? "") \(values)")
        }
    }

    static func oneReader(_ table: PartnerXMLTable, _ path: String) -> Outcome {
        var outcome = Outcome()
        do {
            outcome.digest = try table.read(path: path, batchSize: 7, skipping: 0) { collect($0, into: &outcome) }?.hex
        } catch {
            outcome.error = "\(error)"
        }
        return outcome
    }

    static func split(_ table: PartnerXMLTable, _ path: String, readers: Int = 2, partBytes: Int = 1) -> (Outcome, XMLReading?) {
        var outcome = Outcome()
        var reading: XMLReading?
        do {
            reading = try XMLSplitReader(table: table, path: path, readers: readers, partBytes: partBytes).run { collect($0, into: &outcome) }
            outcome.digest = reading?.digest?.hex
        } catch {
            outcome.error = "\(error)"
        }
        return (outcome, reading)
    }

    /// The most repeated element path (local names) of a file, below the root: a record path for a
    /// file that has no pipeline (the records read before an error count).
    static func recordPath(_ path: String) -> String? {
        guard let reader = try? XMLStreamReader(path: path) else { return nil }
        var stack: [String] = []
        var counts: [String: Int] = [:]
        while (try? reader.read()) == true {
            if reader.isElement {
                stack.removeLast(max(0, stack.count - reader.depth))
                stack.append(reader.localName)
                if stack.count >= 2 { counts["/" + stack.joined(separator: "/"), default: 0] += 1 }
            }
        }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    static func check(_ path: String, recordPath: String, xpaths: [String], namespaces: [String: String] = [:], maxRecordBytes: Int = 1_000_000,
                      readers: [Int] = [2], partBytes: [Int] = [1]) {
        let table = PartnerXMLTable(recordPath: recordPath, xpaths: xpaths, namespaces: namespaces, maxRecordBytes: maxRecordBytes)
        let one = oneReader(table, path)
        for r in readers {
            for p in partBytes {
                let (parts, _) = split(table, path, readers: r, partBytes: p)
                #expect(parts == one, "\(path) \(recordPath) readers \(r), parts of \(p) bytes: \(parts) against one reader's \(one)\n\(zip(parts.records, one.records).first { $0 != $1 }.map { "first difference: \($0) | \($1)" } ?? "")")
            }
        }
    }

    @Test("the bundled partner XML, cut at every record end, reads as one reader reads it; parts are really read")
    func sample() throws {
        let path = "\(Paths.root)/inputs/presences_saint-etienne_2024-2025.xml"
        let xpaths = ["../@code", "p:Courriel", "p:Profil", "p:Structure", "p:Nom", "p:Prenom"]
        Self.check(path, recordPath: "/p:Export/p:Seance/p:Participant", xpaths: xpaths, namespaces: ["p": "urn:exemple:presences:1.0"],
                   readers: [1, 2, 3], partBytes: [1, 700, 5_000])
        let table = PartnerXMLTable(recordPath: "/p:Export/p:Seance/p:Participant", xpaths: xpaths, namespaces: ["p": "urn:exemple:presences:1.0"])
        let (outcome, reading) = Self.split(table, path)
        #expect(outcome.records.count > 50)
        #expect(reading?.readers == 2)
        #expect(reading?.note == "2 readers of parts, \(outcome.records.count + 1) parts")  // the last part: the end tags
    }

    @Test("a parent's attribute with line breaks (CRLF, CR, LF) reads the same in every part: one space per break")
    func parentValueWithLineBreaks() throws {
        let path = Paths.scratch("split") + "/breaks.xml"
        try Data("<a><s d=\"2024\r\n01\" e=\"x\ry\" f=\"p\nq\r\n\r\nz\"><r>1</r><r>2</r><r>3</r></s></a>".utf8).write(to: URL(fileURLWithPath: path))
        let xpaths = [".", "../@d", "../@e", "../@f"]
        Self.check(path, recordPath: "/a/s/r", xpaths: xpaths, readers: [1, 2], partBytes: [1])
        let (outcome, reading) = Self.split(PartnerXMLTable(recordPath: "/a/s/r", xpaths: xpaths, namespaces: [:]), path)
        #expect(reading?.readers == 2 && outcome.records.count == 3)
    }

    @Test("a file with no record end in its first 8 MiB is not held whole before the first cut: one reader reads it, and says why")
    func noRecordEndGoesToOneReader() throws {
        let path = Paths.scratch("split") + "/no-records.xml"
        var text = "<a><s>"
        text.reserveCapacity(9_500_000)
        for i in 0..<300_000 { text += "<x n=\"\(i)\">value</x>\n" }
        text += "</s></a>"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let table = PartnerXMLTable(recordPath: "/a/s/r", xpaths: ["."], namespaces: [:])
        let one = Self.oneReader(table, path)
        let (parts, reading) = Self.split(table, path)
        #expect(parts == one)
        #expect(reading == nil || reading?.note.contains("no record ends in the first 8 MiB") == true, "\(String(describing: reading?.note))")
    }

    @Test("every XML file of the corpora, cut at every record end, reads as one reader reads it (records, refusals, errors)")
    func corpora() throws {
        guard Paths.corporaAvailable else { return }
        let files = (FileManager.default.enumerator(atPath: Paths.corpora)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".xml") }.sorted()
        #expect(files.count > 50)
        for file in files {
            let path = Paths.corpus(file)
            let record = Self.recordPath(path) ?? "/root/element"
            let xpaths = [".", "@*[1]", "*[1]", "count(*)", "../@id", "../@name", "../@code"]
            Self.check(path, recordPath: record, xpaths: xpaths, maxRecordBytes: 300)
            Self.check(path, recordPath: record, xpaths: xpaths)
            // Simple paths only: the parts are read without their trees (`readWithoutTree`).
            Self.check(path, recordPath: record, xpaths: [".", "../@id", "../@name", "@id", "name"], maxRecordBytes: 300)
        }
    }

    /// Hostile and awkward shapes, written here: each against one reader at every cut.
    @Test("malformed, refused, entity, trailing, CDATA, comments, CRLF, Latin-1, namespaces on the parent: as one reader", arguments: [
        ("mismatch", "<a><s d=\"1\"><r>1</r><r>2</r><r>3</x><r>4</r></s></a>"),
        ("entity", "<a><s d=\"1\"><r>1</r><r>&bad;</r><r>3</r></s></a>"),
        ("entity between", "<a><s d=\"1\"><r>1</r>&bad;<r>2</r></s></a>"),
        ("doctype", "<!DOCTYPE a [<!ATTLIST s d CDATA \"9\">]><a><s><r>1</r><r>2</r></s></a>"),
        ("trailing", "<a><s d=\"1\"><r>1</r><r>2</r></s></a><junk/>"),
        ("unclosed", "<a><s d=\"1\"><r>1</r><r>2</r>"),
        ("big", "<a><s d=\"1\"><r>1</r><r>" + String(repeating: "x", count: 400) + "</r><r>3</r></s></a>"),
        ("cdata and comments", "<a><s d=\"1\"><!-- <r>no</r> --><r><![CDATA[<r>1</r>]]></r>\n<?pi <r>?><r>2<!-- c --></r></s></a>"),
        ("crlf", "<?xml version=\"1.0\"?>\r\n<a>\r\n<s\r\n d=\"1\">\r<r>1</r>\r\n<r>\r\n2</r>\n\r<r>3</r></s></a>"),
        ("latin-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a><s d=\"\u{E9}t\u{E9}\"><r>\u{E9}1</r><r>2</r></s></a>"),
        ("namespaces", "<x:a xmlns:x=\"urn:a\" xmlns=\"urn:d\"><x:s d=\"1\" xmlns:y=\"urn:y\"><r y:k=\"v\">1</r><x:r>no</x:r><r>2</r></x:s><x:s><r>3</r></x:s></x:a>"),
        ("other elements", "<a><s d=\"1\"><r>1</r><q><r>no</r></q><r>2</r></s><t><s><r>no</r></s></t><s/><s d=\"2\"><r/></s></a>"),
        ("deep", "<a><s d=\"1\"><r>1</r>" + String(repeating: "<r>", count: 140) + "</s></a>"),
        ("empty", "<a><s d=\"1\"></s></a>"),
    ])
    func hostile(name: String, text: String) throws {
        let path = Paths.scratch("split") + "/\(name.replacingOccurrences(of: " ", with: "-")).xml"
        let bytes: [UInt8] = name == "latin-1" ? text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } : Array(text.utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let xpaths = [".", "../@d", "@y:k", "count(*)"]
        Self.check(path, recordPath: name == "namespaces" ? "/a/s/d:r" : "/a/s/r", xpaths: xpaths,
                   namespaces: ["y": "urn:y", "d": "urn:d"], maxRecordBytes: 300, readers: [1, 2], partBytes: [1, 30])
        // Simple paths only: the parts are read without their trees (`readWithoutTree`).
        Self.check(path, recordPath: name == "namespaces" ? "/a/s/d:r" : "/a/s/r", xpaths: [".", "../@d", "@y:k", "v", "d:v"],
                   namespaces: ["y": "urn:y", "d": "urn:d"], maxRecordBytes: 300, readers: [1, 2], partBytes: [1, 30])
    }

    @Test("beyond line 65,535 (where libxml2 stops keeping element lines), lines are those of one reader, and exact")
    func longFile() throws {
        let path = Paths.scratch("split") + "/long.xml"
        var text = "<a>\n<s d=\"1\">\n"
        for i in 0..<70_000 { text += "<r><v>\(i)</v></r>\n" }
        text += "</s>\n</a>\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        Self.check(path, recordPath: "/a/s/r", xpaths: ["v", "../@d"], readers: [2], partBytes: [100_000])
        let table = PartnerXMLTable(recordPath: "/a/s/r", xpaths: ["v"], namespaces: [:])
        let (outcome, reading) = Self.split(table, path, partBytes: 100_000)
        #expect(outcome.records.last == "#70000 line 70002  [\"69999\"]")
        #expect(reading?.readers == 2)
    }

    @Test("XPaths that look outside their record are read by one reader, which the note says")
    func hazards() {
        #expect(PartnerXMLTable.looksOutside("../../@x"))
        #expect(PartnerXMLTable.looksOutside("/a/b"))
        #expect(PartnerXMLTable.looksOutside("count(//r)"))
        #expect(PartnerXMLTable.looksOutside("preceding-sibling::r"))
        #expect(!PartnerXMLTable.looksOutside("p:A/p:B"))
        #expect(!PartnerXMLTable.looksOutside(".//x"))
        #expect(!PartnerXMLTable.looksOutside("concat(a, '-', b/c)"))
        let table = PartnerXMLTable(recordPath: "/a/s/r", xpaths: [".", "../preceding-sibling::s/@d"], namespaces: [:])
        #expect(table.splitHazard()?.contains("may look outside its record") == true)
        #expect(PartnerXMLTable(recordPath: "/a/s/r", xpaths: ["../@d", "v"], namespaces: [:]).splitHazard() == nil)
    }
}
