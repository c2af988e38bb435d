import DequeModule
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Ingest
import PipelineFile
@testable import Records

/// CSV rows mapped on several threads (`ParallelBatches.run(workers:…)`): the consumer sees the
/// one-thread order, errors come in their batch's place, and a file mapped by 1 or by N workers
/// gives the same records, names and counts.
@Suite("Mapping on several cores")
struct ParallelMappingTests {
    struct Broken: Error, Equatable { let at: Int }

    /// Outputs come in the order their batches were produced, whatever the workers' pace.
    @Test(arguments: [1, 2, 3, 7])
    func outputsKeepTheProducedOrder(workers: Int) throws {
        var seen: [Int] = []
        let outstanding = Atomic<Int>(0), most = Atomic<Int>(0)
        try ParallelBatches.run(workers: workers, produce: { (out: (Int) -> Bool) in
            for i in 0..<2_000 {
                let now = outstanding.add(1, ordering: .sequentiallyConsistent).newValue
                most.max(now, ordering: .sequentiallyConsistent)
                _ = out(i)
            }
        }, worker: { Box() }, transform: { (box: Box, batch: Int) in
            box.count += 1  // each worker's own state, touched by its thread only
            if batch % 97 == 0 { usleep(UInt32(200 * (batch % 5))) }  // workers finish out of order
            return [batch, batch * 2]
        }, consume: { (pair: [Int]) in
            outstanding.subtract(1, ordering: .sequentiallyConsistent)
            seen.append(contentsOf: pair)
        })
        #expect(seen == (0..<2_000).flatMap { [$0, $0 * 2] })
        // Bounded: never more batches between the producer and the consumer than the window, but
        // for one being sent and one being consumed (counted here before and after the hand-over).
        #expect(most.load(ordering: .sequentiallyConsistent) <= ParallelBatches.window(workers: workers) + 2)
    }

    final class Box { var count = 0 }

    /// A container's CPU quota lowers the cores a stage sizes itself by: cgroup v2's `cpu.max`,
    /// else v1's quota and period, rounded up to whole cores; none (or unreadable) is 0.
    @Test func coresFollowTheCgroupQuota() {
        let folder = Paths.scratch("cgroup")
        func file(_ name: String, _ text: String) -> String {
            let path = "\(folder)/\(name)"
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            return path
        }
        let absent = "\(folder)/absent"
        #expect(Cores.quota(v2Max: file("a", "max 100000\n"), v1Quota: absent, v1Period: absent) == 0)
        #expect(Cores.quota(v2Max: file("b", "150000 100000\n"), v1Quota: absent, v1Period: absent) == 2)
        #expect(Cores.quota(v2Max: file("c", "50000 100000\n"), v1Quota: absent, v1Period: absent) == 1)
        #expect(Cores.quota(v2Max: file("d", "400000 100000"), v1Quota: absent, v1Period: absent) == 4)
        #expect(Cores.quota(v2Max: absent, v1Quota: file("e", "-1\n"), v1Period: file("f", "100000\n")) == 0)
        #expect(Cores.quota(v2Max: absent, v1Quota: file("g", "200000\n"), v1Period: file("h", "100000\n")) == 2)
        #expect(Cores.quota(v2Max: absent, v1Quota: file("i", "250000\n"), v1Period: absent) == 0)
        #expect(Cores.quota(v2Max: absent, v1Quota: absent, v1Period: absent) == 0)
        #expect(Cores.available >= 1)
    }

    /// A producer's error comes after every output; a worker's in its batch's place.
    @Test func errorsComeInTheirPlace() throws {
        var seen: [Int] = []
        let producer = #expect(throws: Broken.self) {
            try ParallelBatches.run(workers: 3, produce: { (out: (Int) -> Bool) in
                for i in 0..<50 { _ = out(i) }
                throw Broken(at: 50)
            }, worker: { () }, transform: { (_: Void, batch: Int) in batch }, consume: { seen.append($0) })
        }
        #expect(producer == Broken(at: 50))
        #expect(seen == Array(0..<50))
        seen = []
        let worker = #expect(throws: Broken.self) {
            try ParallelBatches.run(workers: 3, produce: { (out: (Int) -> Bool) in
                for i in 0..<500 { _ = out(i) }
            }, worker: { () }, transform: { (_: Void, batch: Int) in
                if batch == 123 { throw Broken(at: batch) }
                return batch
            }, consume: { seen.append($0) })
        }
        #expect(worker == Broken(at: 123))
        #expect(seen == Array(0..<123))
    }

    /// A consumer's error stops the run: `emit` tells the producer, which stops reading, and the
    /// error is rethrown once every thread has stopped (none left blocked on a full window).
    @Test func consumerErrorStopsEveryThread() throws {
        var consumed = 0
        let produced = Atomic<Int>(0)
        #expect(throws: Broken.self) {
            try ParallelBatches.run(workers: 2, produce: { (out: (Int) -> Bool) in
                for i in 0..<10_000 {
                    produced.add(1, ordering: .relaxed)
                    guard out(i) else { return }
                }
            }, worker: { () }, transform: { (_: Void, batch: Int) in batch }, consume: { i in
                consumed += 1
                if i == 9 { throw Broken(at: i) }
            })
        }
        #expect(consumed == 10)
        // The producer stopped soon after: at most the window past the failing batch, and the one refused.
        #expect(produced.load(ordering: .relaxed) <= 10 + ParallelBatches.window(workers: 2) + 1)
    }

    /// An attendance export of 40,000 rows (40 batches) with every feature the workers must keep in
    /// the file's order: more distinct organisations than are named (the first 20,000), spellings of
    /// one organisation that differ (the first is kept), names in name columns, Windows-1252 bytes
    /// in a UTF-8 file, rejects, the header repeated, values over several lines.
    static func export() -> [UInt8] {
        var text = Array("Code action;Nom;Prénom;E-mail;Profil;Structure\r\n".utf8)
        for i in 0..<40_000 {
            // Organisations 0..<25,000, each first met at a row that depends on i in a scrambled way,
            // written in several spellings (accents, case) that fold to one key.
            let org = (i * 7_919) % 25_000
            let spelling = ["Société \(org)", "SOCIETE \(org)", "société  \(org)"][i % 3]
            let name = "Nom\(i % 1_300)"
            let profile = i % 501 == 0 ? "Inconnu" : "Candidat"
            var row = "A\(i % 50);\(name);Prénom\(i % 17);p\(i % 9_000)@x.fr;\(profile);\(spelling)"
            if i % 4_001 == 0 { row = "Code action;Nom;Prénom;E-mail;Profil;Structure" }  // header repeated
            if i % 3_333 == 0 { row = "A1;\"Nom sur\r\ndeux lignes\";P;q\(i)@x.fr;Candidat;\"Org\nmulti \(i)\"" }
            text += Array(row.utf8)
            if i % 2_500 == 0 { text += [0x20, 0xE9, 0x74, 0xE9] }  // " été" in Windows-1252, in the organisation's name
            if i % 2_900 == 0 { text += Array(";extra".utf8) }  // a field past the header's: rejected
            text += Array("\r\n".utf8)
        }
        return text
    }

    /// `bytes` written as an attendance export, and a pipeline reading it (`types`: the stakeholder types).
    static func attendance(_ bytes: [UInt8], folder name: String, types: String) throws -> (String, PipelineConfig) {
        let folder = Paths.scratch(name)
        let file = "\(folder)/attendance.csv"
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        let config = try PipelineLoader.parse(text: """
            outputs: {folder: out}
            vocabularies:
              territory: {lyon: [Lyon]}
              stakeholder_type: \(types)
            sources:
              - name: emargements
                kind: attendance
                path: attendance.csv
                columns: {action_id: Code action, person: E-mail, stakeholder_type: Profil, organisation: Structure,
                          last_name: Nom, first_name: Prénom}
            """, file: "p.yml", baseDirectory: folder)
        return (file, config)
    }

    /// Windows-1252 values in a UTF-8 file, each repeated: in a name column, a vocabulary column and
    /// the organisation column (3,000 rows each of 30,000). Every row holding one counts, whatever
    /// the workers and their caches (each worker decodes a repeated value once; the count was the
    /// rows that missed a cache: 5 with one thread, 10 with two).
    @Test func everyRowReadAsWindows1252Counts() throws {
        var bytes = Array("Code action;Nom;Prénom;E-mail;Profil;Structure\r\n".utf8)
        for i in 0..<30_000 {
            let latin1: (UInt8) -> [UInt8] = { [$0] }
            let name = i % 10 == 0 ? Array("H".utf8) + latin1(0xE9) + Array("l".utf8) + latin1(0xE8) + Array("ne".utf8) : Array("Martin".utf8)
            let profile = i % 10 == 3 ? Array("Charg".utf8) + latin1(0xE9) + Array(" d'insertion".utf8) : Array("Candidat".utf8)
            let organisation = i % 10 == 6 ? Array("Soci".utf8) + latin1(0xE9) + Array("t".utf8) + latin1(0xE9) + Array(" \(i % 3)".utf8)
                : Array("Société \(i % 7)".utf8)
            bytes += Array("A\(i % 40);".utf8) + name + Array(";Léa;p\(i)@x.fr;".utf8) + profile + [0x3B] + organisation + Array("\r\n".utf8)
        }
        let (file, config) = try Self.attendance(bytes, folder: "fallbacks", types: "{candidat: [Candidat], prescripteur: [Chargé d'insertion]}")
        for workers in [1, 2, 3, 8] {
            var mapper = SourceMapper(source: config.sources[0], config: config, key: PseudonymKey(k0: 5, k1: 6))
            mapper.mappingWorkers = workers
            var accepted = 0
            let reading = try mapper.map(file: file) { if case .attendance = $0 { accepted += 1 } }
            #expect(accepted == 30_000, "\(workers) workers")
            #expect(reading.encodingFallbacks == 9_000, "\(workers) workers")
        }
    }

    /// Whether a field falls back to Windows-1252, read from its bytes, is what decoding it says:
    /// on every short byte string of a few interesting bytes, and on random ones.
    @Test func fallbackFromTheBytesIsTheDecodersAnswer() {
        let alphabet: [UInt8] = [0x41, 0x80, 0xBF, 0xC2, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xED, 0xA0, 0xF0, 0x9F, 0xF5, 0xC0, 0xE9]
        var cases: [[UInt8]] = [[]]
        for _ in 0..<3 { cases = cases + cases.flatMap { prefix in alphabet.map { prefix + [$0] } } }
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<20_000 { cases.append((0..<Int.random(in: 1...12, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        var checked = 0
        for bytes in Set(cases) {
            for encoding in [TextEncoding.utf8, .windows1252] {
                var fell = false
                let fromBytes = bytes.withUnsafeBufferPointer { buffer in
                    _ = FieldDecoder.decode(buffer, as: encoding, fellBack: &fell)
                    return FieldDecoder.fallsBack(buffer, as: encoding)
                }
                #expect(fromBytes == fell, "\(bytes) as \(encoding)")
                checked += 1
            }
        }
        #expect(checked > 40_000)
    }

    /// A full name set keeps nothing more, but still says which rows fall back: from what it
    /// remembered for values seen, from the bytes for the others (never decoding them).
    @Test func aFullNameSetStillCountsFallbacks() {
        let names = NameSet(key: PseudonymKey(k0: 1, k1: 2), recording: true)
        #expect(names.offer(1, { ("Hélène", true) }, fallsBack: { Issue.record("not full yet"); return true }))
        for hash in UInt64(2)...UInt64(NameSet.limit) { _ = names.offer(hash, { ("x", false) }, fallsBack: { false }) }
        _ = names.takeCandidates()
        // Seen before the set was full: remembered.
        #expect(names.offer(1, { Issue.record("decoded"); return ("", false) }, fallsBack: { Issue.record("read"); return false }))
        #expect(!names.offer(2, { Issue.record("decoded"); return ("", false) }, fallsBack: { Issue.record("read"); return false }))
        // New once full: from the bytes, and nothing noted.
        #expect(names.offer(999_999_999, { Issue.record("decoded"); return ("", false) }, fallsBack: { true }))
        #expect(!names.offer(999_999_998, { Issue.record("decoded"); return ("", false) }, fallsBack: { false }))
        #expect(names.takeCandidates().isEmpty)
    }

    /// One worker on one core; two from two cores (one alone was the read's longest thread), then
    /// a worker per core beyond the splitting and aggregating threads, at most 8.
    @Test func workersPerCores() {
        let expected = [1: 1, 2: 2, 3: 2, 4: 2, 5: 3, 6: 4, 10: 8, 16: 8, 64: 8]
        for (cores, workers) in expected {
            #expect(SourceMapper.mappingWorkers(cores: cores) == workers, "\(cores) cores")
        }
    }

    /// The look-ahead sees every attendance line's action (its hash) once, in the order the lines are
    /// emitted, at most `lookAheadDistance` records before it and never after: the consumer loads what
    /// it will look up, and a line it was not told of would only be slower, so this is what keeps it told.
    @Test(arguments: [1, 2]) func lookAheadSeesEveryLineBeforeItsTurn(workers: Int) throws {
        let (file, config) = try Self.attendance(Self.export(), folder: "look-ahead", types: "{candidat: [Candidat]}")
        var mapper = SourceMapper(source: config.sources[0], config: config, key: PseudonymKey(k0: 3, k1: 4))
        mapper.mappingWorkers = workers
        // `at`: how many records (rejects included) had been emitted when the key was given, or the line emitted.
        var emitted = 0
        var seen: [(key: UInt64, at: Int)] = [], lines: [(key: UInt64, at: Int)] = []
        mapper.lookAhead = { seen.append(($0, emitted)) }
        try mapper.map(file: file) { record in
            if case .attendance(let line) = record {
                #expect(line.actionHash == StableHash.fnv1a(line.actionID))
                lines.append((line.actionHash, emitted))
            }
            emitted += 1
        }
        #expect(lines.count > 39_000 && emitted > lines.count)  // rejects in between
        // And the records are those read without a look-ahead.
        var plain = SourceMapper(source: config.sources[0], config: config, key: PseudonymKey(k0: 3, k1: 4))
        plain.mappingWorkers = workers
        var without: [UInt64] = [], count = 0
        try plain.map(file: file) { record in
            if case .attendance(let line) = record { without.append(line.actionHash) }
            count += 1
        }
        #expect(without == lines.map(\.key) && count == emitted)
        #expect(seen.map(\.key) == lines.map(\.key))
        let untimely = zip(seen, lines).filter { given, line in given.at > line.at || line.at - given.at > SourceMapper.lookAheadDistance }
        #expect(untimely.isEmpty, "\(untimely.prefix(3))")
    }

    /// A batch emitted looking ahead, at the sizes around the distance: record j's key is given just
    /// before record j − 8 is emitted (at once for the first 8), records without a key give none, and
    /// an `emit` that throws at record k leaves exactly records 0..<k emitted.
    @Test(arguments: [0, 1, 7, 8, 9, 17]) func batchEmittedLookingAheadAtEverySize(count: Int) throws {
        let config = try PipelineLoader.load(path: EndToEndTests.pipeline)
        var mapper = SourceMapper(source: config.sources[0], config: config, key: PseudonymKey(k0: 1, k1: 2))
        func batch() -> Deque<MappedRecord> {
            Deque((0..<count).map { i -> MappedRecord in
                let location = RecordLocation(source: "s", line: i + 2)
                return i % 3 == 2 ? .duplicate(location)
                    : .attendance(AttendanceRecord(actionID: "A\(i)", person: UInt64(i), stakeholderType: "t", organisation: nil, location: location))
            })
        }
        var emitted: [Int] = [], given: [(key: UInt64, at: Int)] = []
        mapper.lookAhead = { given.append(($0, emitted.count)) }
        try mapper.emitLookingAhead(batch()) { emitted.append($0.location?.line ?? -1) }
        #expect(emitted == (0..<count).map { $0 + 2 })
        let keyed = (0..<count).filter { $0 % 3 != 2 }
        #expect(given.map(\.key) == keyed.map { StableHash.fnv1a("A\($0)") })
        #expect(given.map(\.at) == keyed.map { max(0, $0 - SourceMapper.lookAheadDistance) })

        struct Stop: Error {}
        for k in 0..<count {
            emitted = []
            #expect(throws: Stop.self) {
                try mapper.emitLookingAhead(batch()) { record in
                    if record.location?.line == k + 2 { throw Stop() }
                    emitted.append(record.location?.line ?? -1)
                }
            }
            #expect(emitted == (0..<k).map { $0 + 2 })
        }
    }

    /// Partner XML (the bundled sample's second attendance tool) maps a batch whole, then emits it
    /// looking ahead: the same records as without a look-ahead, and every line's action given before its turn.
    @Test func partnerXMLLooksAheadWithoutChangingItsRecords() throws {
        let config = try PipelineLoader.load(path: EndToEndTests.pipeline)
        let source = try #require(config.sources.first { $0.kind == .attendance && $0.format == .xml })
        let file = try #require(source.files.first)
        func read(lookingAhead: Bool) throws -> (records: [String], seen: [(key: UInt64, at: Int)], lines: [(key: UInt64, at: Int)]) {
            var mapper = SourceMapper(source: source, config: config, key: PseudonymKey(k0: 1, k1: 2))
            var emitted = 0
            var records: [String] = [], seen: [(key: UInt64, at: Int)] = [], lines: [(key: UInt64, at: Int)] = []
            if lookingAhead { mapper.lookAhead = { seen.append(($0, emitted)) } }
            try mapper.map(file: file) { record in
                if case .attendance(let line) = record { lines.append((line.actionHash, emitted)) }
                records.append(String(describing: record))
                emitted += 1
            }
            return (records, seen, lines)
        }
        let plain = try read(lookingAhead: false), ahead = try read(lookingAhead: true)
        #expect(plain.lines.count > 50)
        #expect(ahead.records == plain.records)
        #expect(ahead.seen.map(\.key) == ahead.lines.map(\.key))
        #expect(zip(ahead.seen, ahead.lines).allSatisfy { given, line in given.at <= line.at && line.at - given.at <= SourceMapper.lookAheadDistance })
    }

    @Test func oneWorkerOrSeveralMapTheSameFile() throws {
        let (file, config) = try Self.attendance(Self.export(), folder: "parallel-mapping", types: "{candidat: [Candidat]}")
        let key = PseudonymKey(k0: 3, k1: 4)
        func read(workers: Int) throws -> (records: [String], names: Set<UInt64>, organisations: [UInt64: String], fallbacks: Int) {
            var mapper = SourceMapper(source: config.sources[0], config: config, key: key)
            mapper.mappingWorkers = workers
            var records: [String] = []
            let reading = try mapper.map(file: file) { records.append(String(describing: $0)) }
            return (records, mapper.names.words, mapper.organisationNames.byKey, reading.encodingFallbacks)
        }
        let one = try read(workers: 1)
        // The file is what the test says it is: several batches, organisations past the limit, rejects.
        #expect(one.records.count > 39_000)
        #expect(one.organisations.count == OrganisationNames.limit)
        #expect(one.records.contains { $0.contains("rejected") })
        #expect(one.fallbacks > 0)
        #expect(one.names.count > 1_000)
        for workers in [2, 3, 8] {
            let many = try read(workers: workers)
            // Compared first, so a failure names the first difference, not 40,000 records.
            let firstDifference = zip(many.records, one.records).first { $0 != $1 }.map { "\($0.0) / \($0.1)" }
            #expect(many.records.count == one.records.count && firstDifference == nil, "\(workers) workers: \(firstDifference ?? "")")
            let sameNames = many.names == one.names, sameOrganisations = many.organisations == one.organisations
            #expect(sameNames, "\(workers) workers: \(many.names.symmetricDifference(one.names).count) name words differ")
            #expect(sameOrganisations, "\(workers) workers: \(many.organisations.filter { one.organisations[$0.key] != $0.value }.count) organisations differ")
            #expect(many.fallbacks == one.fallbacks, "\(workers) workers")
        }
    }
}
