import Foundation
@testable import InputFiles
import Testing
import TestSupport
@testable import Indicators
@testable import Ingest
@testable import IngestXML
@testable import Records
@testable import Report
@testable import Statistics

/// The pieces the gigabyte-scale work added: each checked against the plain construct it replaced.
@Suite("Scale: faster pieces equal the plain ones")
struct ScaleTests {
    /// Elements arrive in order, whatever the batch size, and a producer error comes after them.
    @Test func parallelBatchesKeepOrderAndRethrowAfterTheLastElement() throws {
        for batch in [1, 7, 2_048] {
            var seen: [Int] = []
            try ParallelBatches.run(batchSize: batch, produce: { (out: (Int) -> Void) in
                for i in 0..<10_000 { out(i) }
            }, consume: { seen.append($0) })
            #expect(seen == Array(0..<10_000), "batch \(batch)")
        }
        struct Broken: Error {}
        var seen: [Int] = []
        #expect(throws: Broken.self) {
            try ParallelBatches.run(batchSize: 10, produce: { (out: (Int) -> Void) in
                for i in 0..<25 { out(i) }
                throw Broken()
            }, consume: { seen.append($0) })
        }
        #expect(seen == Array(0..<25))
        // A consumer error stops consumption but lets the producer finish (no thread left blocked).
        var consumed = 0
        #expect(throws: Broken.self) {
            try ParallelBatches.run(batchSize: 4, produce: { (out: (Int) -> Void) in
                for i in 0..<1_000 { out(i) }
            }, consume: { i in
                consumed += 1
                if i == 9 { throw Broken() }
            })
        }
        #expect(consumed == 10)
    }

    /// The SHA-256 computed while a CSV is parsed is the file's (sha256sum), across chunk edges too.
    @Test func digestWhileReadingEqualsASeparatePass() throws {
        var bytes = Array("a;b\r\n".utf8)
        for i in 0..<120_000 { bytes += Array("\(i);\"x \(i % 7)\"\r\n".utf8) }  // > 1 MiB: several chunks
        let path = temporaryFile(bytes)
        let csv = try CSVFile(path: path)
        #expect(csv.digest == nil)  // not read to its end yet
        var rows = 0
        while try csv.next() != nil { rows += 1 }
        #expect(rows == 120_001)
        let separate = try FileDigest.sha256(path: path)
        #expect(csv.digest?.hex == separate.hex)
        #expect(csv.digest?.size == bytes.count)
        // sha256sum of the 5 bytes "a;b\r\n", computed with: printf 'a;b\r\n' | sha256sum
        #expect(FileDigest.sha256(data: Data("a;b\r\n".utf8)) == "5d60a4bcefa613046bd6b890ee67fedc605634ac0eb4b9a1e1a69834953a78a9")
    }

    /// A file that cannot be hashed is an `ImpactError` naming it and saying why, not a Foundation error.
    @Test func digestOfAMissingFileSaysWhatAndWhere() {
        let path = "\(Paths.scratch())/absent.csv"
        let error = #expect(throws: InputFileError.self) { try FileDigest.sha256(path: path) }
        let described = (error as (any Error)?) as? any ImpactError
        #expect(described?.description == "\(path): no such file (was it moved or deleted?)")
        #expect(described?.exitCode == 2)
    }

    /// An FNV-1a value from the reference (Fowler–Noll–Vo test vectors: FNV1a_64("a") = af63dc4c8601ec8c),
    /// the same over a string and over its bytes, as the mapping caches compute it from raw fields.
    @Test func oneFNV() {
        #expect(StableHash.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        let row = CSVRow(fields: ["  Lyon  ", "é"], line: 1)
        #expect(row.trimmedFieldHash(0).hash == StableHash.fnv1a("Lyon"))
        #expect(row.trimmedFieldHash(1).hash == StableHash.fnv1a(bytes: "é".utf8))
        // Small (inline) and heap strings, and a substring's copy, hash their UTF-8 bytes.
        for text in ["T085-0117", "Saint-Étienne, Territoire d'industrie n°042 — atelier", String("xx Lyon xx".dropFirst(3).dropLast(3))] {
            #expect(StableHash.fnv1a(text) == StableHash.fnv1a(bytes: Array(text.utf8)), "\(text)")
        }
    }

    /// The partner-XML parse hashes the whole file, leading white space (which libxml2 is not shown) included.
    @Test func xmlDigestWhileParsingEqualsASeparatePass() throws {
        var text = "\t \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<export>\n"
        for i in 0..<30_000 { text += "<p code=\"A\(i % 50)\"><nom>Nom \(i)</nom></p>\n" }  // > 1 MB: many reads
        text += "</export>\n"
        let path = temporaryFile(Array(text.utf8), name: "p.xml")
        var records = 0
        let digest = try PartnerXMLTable(recordPath: "/export/p", xpaths: ["@code", "nom"], namespaces: [:]).read(path: path) { _ in records += 1 }
        #expect(records == 30_000)
        let separate = try FileDigest.sha256(path: path)
        #expect(digest?.hex == separate.hex)
        #expect(digest?.size == separate.size)
    }

    /// Hashing on the helper thread gives the one-pass SHA-256 whatever the size and however the
    /// bytes arrive: small pieces, whole blocks, both mixed, more blocks than the queue holds.
    @Test func readHasherEqualsOnePassSHA256() throws {
        var generator = SeededGenerator(seed: 5)
        let block = ReadHasher.blockSize
        for size in [0, 1, 4_000, block - 1, block, block + 1, 3 * block, 11 * block + 12_345] {
            let data = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // sha256sum of the same bytes, through Crypto's one-shot hash (checked against sha256sum above).
            let expected = FileDigest.sha256(data: Data(data))
            for feeding in ["pieces", "blocks", "mixed"] {
                let hasher = ReadHasher()
                var offset = 0, turn = 0
                while offset < data.count {
                    let whole = feeding == "blocks" || (feeding == "mixed" && turn % 3 == 1)
                    let n = min(whole ? block : 4_000, data.count - offset)
                    if whole { hasher.consumed(block: Array(data[offset..<(offset + n)])) } else {
                        data[offset..<(offset + n)].withUnsafeBytes { hasher.consumed($0) }
                    }
                    offset += n
                    turn += 1
                }
                #expect(hasher.digest == nil)  // the end not seen yet
                hasher.consumed(block: [])
                #expect(hasher.digest?.hex == expected, "\(size) bytes, \(feeding)")
                #expect(hasher.digest?.size == size)
            }
        }
        // A reader that stops early: the helper thread ends with the hasher.
        let abandoned = ReadHasher()
        for _ in 0..<3 { abandoned.consumed(block: [UInt8](repeating: 7, count: block)) }
    }

    /// Partner-XML records are the same one by one or in batches, and a parse error still delivers
    /// the records of the unfinished batch before it.
    @Test func partnerXMLBatchesEqualRecordByRecord() throws {
        var text = "<export><s code=\"S1\">"
        for i in 0..<5 { text += "<p id=\"\(i)\"><nom>Nom \(i)</nom><vide/><mixte>a<b>b</b>c</mixte></p>" }
        text += "</s></export>"
        let path = temporaryFile(Array(text.utf8), name: "batches.xml")
        let table = PartnerXMLTable(recordPath: "/export/s/p", xpaths: ["../@code", "@id", "nom", "vide", "mixte", "@absent"], namespaces: [:])
        var single: [[String]] = []
        try table.read(path: path) { (record: XMLRecord) in single.append(record.values) }
        #expect(single.count == 5)
        #expect(single[3] == ["S1", "3", "Nom 3", "", "abc", ""])
        var batched: [[String]] = [], sizes: [Int] = []
        try table.read(path: path, batchSize: 2) { (batch: XMLRecordBatch) in
            sizes.append(batch.count)
            for i in 0..<batch.count { batched.append(batch.record(i, path: "").values) }
        }
        #expect(sizes == [2, 2, 1])
        #expect(batched == single)
        let cut = temporaryFile(Array(text.utf8.prefix(text.utf8.count - 5)), name: "cut.xml")
        var kept = 0
        #expect(throws: XMLReadError.self) {
            try table.read(path: cut, batchSize: 2) { (batch: XMLRecordBatch) in kept += batch.count }
        }
        #expect(kept == 5)  // cut in "</export>": the 5th record, alone in its batch, is whole
    }

    /// An attribute the document's DTD gives a default value is read as libxml2 reads it.
    @Test func attributeDefaultedByTheDTD() throws {
        let text = """
        <?xml version="1.0"?>
        <!DOCTYPE export [<!ATTLIST p statut CDATA "inscrit">]>
        <export><p statut="absent">A</p><p>B</p></export>
        """
        let path = temporaryFile(Array(text.utf8), name: "dtd-default.xml")
        var values: [[String]] = []
        try PartnerXMLTable(recordPath: "/export/p", xpaths: ["@statut", "."], namespaces: [:]).read(path: path) { (record: XMLRecord) in
            values.append(record.values)
        }
        // libxml2's xmlGetNoNsProp falls back on the DTD's declaration (as the code before the in-place read did).
        #expect(values == [["absent", "A"], ["inscrit", "B"]])
    }

    /// The byte-key sort orders rows exactly as comparing the key columns' UTF-8 one by one does.
    @Test func byteKeySortEqualsFieldByFieldComparison() {
        var generator = SeededGenerator(seed: 3)
        let words = ["", "a", "ab", "b", "ALL", "é", "e", "z", "Zoé", "2025", "2025-S1"]
        let rows = (0..<2_000).map { i in
            IndicatorRow(indicator: Indicator.allCases.randomElement(using: &generator)!, period: words.randomElement(using: &generator)!,
                         territory: words.randomElement(using: &generator)!, stakeholderType: words.randomElement(using: &generator)!,
                         dimension: words.randomElement(using: &generator)!, category: words.randomElement(using: &generator)!,
                         value: Double(i), n: i)
        }
        let expected = rows.enumerated().sorted { a, b in
            for (x, y) in zip(a.element.key, b.element.key) where x != y { return x.utf8.lexicographicallyPrecedes(y.utf8) }
            return a.offset < b.offset  // stable
        }.map(\.element)
        #expect(rows.sortedByKey() == expected)
    }

    /// Attendance lines sorted bucket by bucket (top bits of the person hash) come out in the order
    /// of one sort by `Participation.precedes`; persons clustered in a few buckets, repeated persons
    /// and actions included.
    @Test func bucketSortEqualsOneSort() {
        var generator = SeededGenerator(seed: 11)
        for count in [0, 1, 2, 100, 5_000, 70_000, 262_144] {
            let buffer = LineBuffer(capacity: max(count, 1))
            var lines: [Participation] = []
            for i in 0..<count {
                // Half the persons share their top bits (one bucket), a few repeat exactly.
                let person = i % 2 == 0 ? UInt64.random(in: 0..<(1 << 54), using: &generator) : UInt64.random(in: 0..<40, using: &generator) << 58
                let line = Participation(person: person, seq: UInt64(i), organisation: 0, entry: UInt32.random(in: 0..<5, using: &generator),
                                         line: UInt32(i), index: 0, place: 0, type: 0, hasOrganisation: false)
                lines.append(line)
                buffer.append(line)
            }
            let sorted = buffer.sortedLines()
            let expected = lines.sorted(by: Participation.precedes).map(\.seq)
            #expect((0..<sorted.count).map { sorted[$0].seq } == expected, "\(count) lines")
        }
    }

    /// C formatting gives the text Foundation's `String(format:)` gave (the contract's numbers).
    @Test func cFormattingEqualsFoundationFormatting() {
        for v in [0.0, -0.0, 1.5, -2.25, 1.0 / 3.0, 123_456.789_012_3, 1e-9, 3.2e-5, 0.000_099_99, 1e15 + 0.5, 7.0e20] {
            #expect(NumberText.cFormat("%.6f", v) == String(format: "%.6f", v))
            #expect(NumberText.cFormat("%.5e", v) == String(format: "%.5e", v))
            #expect(NumberText.cFormat("%.0f", v) == String(format: "%.0f", v))
        }
        #expect(NumberText.machine(0.1 + 0.2) == "0.3")
        #expect(NumberText.machine(1e-9) == "1.00000e-09")
        #expect(NumberText.excel(2.5) == "2,5")
    }

    /// The open-addressing map agrees with a `Dictionary` through growth and overwrites.
    @Test func prehashedMapAgreesWithDictionary() {
        var generator = SeededGenerator(seed: 11)
        var map = PrehashedMap<Int>(capacity: 4)
        var reference: [UInt64: Int] = [:]
        for i in 0..<50_000 {
            let key = UInt64.random(in: 0..<20_000, using: &generator) &* 0x9E37_79B9_7F4A_7C15
            map[key] = i
            reference[key] = i
        }
        #expect(map.count == reference.count)
        for (key, value) in reference { #expect(map[key] == value) }
        #expect(map[12_345] == nil)
    }

    /// The open-addressing set agrees with a `Set` through growth, the key 0, unions and look-ups.
    @Test func prehashedSetAgreesWithSet() {
        var generator = SeededGenerator(seed: 12)
        var sets = [PrehashedSet(), PrehashedSet()]
        var references: [Set<UInt64>] = [[], []]
        for i in 0..<40_000 {
            let key = UInt64.random(in: 0..<15_000, using: &generator) &* 0x9E37_79B9_7F4A_7C15  // 0 among them
            sets[i % 2].insert(key)
            references[i % 2].insert(key)
        }
        #expect(references[0].contains(0) || references[1].contains(0))
        for side in 0..<2 {
            #expect(sets[side].count == references[side].count)
            #expect(Set(sets[side].keys) == references[side])
            for key in references[side] { #expect(sets[side].contains(key)) }
        }
        #expect(!sets[0].contains(12_345))
        var union = sets[0]
        union.formUnion(sets[1])
        #expect(union.count == references[0].union(references[1]).count)
        #expect(Set(union.keys) == references[0].union(references[1]))
        #expect(sets[0].count == references[0].count)  // the union's copy did not touch the original
        var empty = PrehashedSet()
        empty.formUnion(sets[1])
        #expect(Set(empty.keys) == references[1])
    }

    /// The mask kept beside the storage (look-ups and prefetches use it) stays the storage's, through
    /// growth, unions (an empty set taking the other's storage) and building from keys.
    @Test func prefetchMasksFollowTheirStorage() {
        var map = PrehashedMap<UInt32>(capacity: 1)
        var set = PrehashedSet()
        #expect(map.slotMask == map.slots.count - 1)
        for i in 0..<5_000 {
            let key = UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            map[key] = UInt32(i)
            set.insert(key)
            #expect(map.slotMask == map.slots.count - 1)
            #expect(set.slotMask == set.slots.count - 1)
            map.prefetch(key)
            set.prefetch(key)
        }
        var empty = PrehashedSet()
        empty.prefetch(1)  // no storage yet: nothing loaded, nothing read
        empty.formUnion(set)
        #expect(empty.slotMask == empty.slots.count - 1 && empty.slots.count == set.slots.count)
        let built = PrehashedSet((1...3_000).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 })
        #expect(built.slotMask == built.slots.count - 1)
    }

    /// Cached t quantiles equal freshly computed ones and scipy's:
    /// `python3 -c 'from scipy.stats import t; print(t.ppf(0.975, 9))'` → 2.262157162798205.
    @Test func cachedQuantilesEqualComputed() {
        let first = Distributions.studentTQuantile(0.975, df: 9)
        let again = Distributions.studentTQuantile(0.975, df: 9)
        #expect(first == again)
        #expect(abs(first - 2.262157162798205) < 1e-12)
        #expect(abs(Distributions.studentTQuantile(0.025, df: 9) + 2.262157162798205) < 1e-12)
    }
}
