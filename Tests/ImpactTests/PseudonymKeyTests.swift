import Foundation
import Testing
import TestSupport
@testable import Ingest
@testable import Pipeline
@testable import Records
@testable import Store

/// Keyed pseudonyms: SipHash-2-4 under a programme secret, kept where it is said to be, never mixed.
@Suite("Pseudonym keys", .serialized)
struct PseudonymKeyTests {
    /// The reference vectors of SipHash-2-4 (Aumasson & Bernstein, appendix A): key 00 01 … 0f,
    /// messages 00 01 … (n − 1).
    @Test func sipHashReferenceVectors() {
        let key = PseudonymKey(k0: 0x0706_0504_0302_0100, k1: 0x0f0e_0d0c_0b0a_0908)
        func siphash(_ n: Int) -> UInt64 {
            var hasher = KeyedHasher(key)
            for b in 0..<n { hasher.append(UInt8(b)) }
            return hasher.finish()
        }
        #expect(siphash(0) == 0x726f_db47_dd0e_0e31)
        #expect(siphash(1) == 0x74f8_39c5_93dc_67fd)
        #expect(siphash(7) == 0xab02_00f5_8b01_d137)
        #expect(siphash(8) == 0x93f5_f579_9a93_2462)
        #expect(siphash(15) == 0xa129_ca61_49be_45e5)
        #expect(siphash(63) == 0x958a_324c_eb06_4572)
    }

    /// A plain run keeps no pseudonym, so its outputs do not depend on the key: the sample under two keys.
    @Test func outputsDoNotDependOnTheKey() throws {
        let a = Paths.scratch("key-a"), b = Paths.scratch("key-b")
        for (folder, key) in [(a, PseudonymKey.random()), (b, PseudonymKey.random())] {
            var options = RunOptions(outputFolder: folder)
            options.pseudonymKey = key
            _ = try PipelineRun.execute(pipelinePath: EndToEndTests.pipeline, options: options)
        }
        let first = try EndToEndTests.contents(a), second = try EndToEndTests.contents(b)
        #expect(Set(first.keys) == Set(second.keys) && first.count >= 8)
        for (name, text) in first { #expect(text == second[name], "\(name) depends on the key") }
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? 0) & 0o777
    }

    /// `refresh` makes the key file once beside the store (0600, never overwritten), records its
    /// fingerprint, and refuses a store made under another key or with unkeyed hashes.
    @Test func refreshKeyFileAndStore() throws {
        let w = try RefreshTests.Workspace("keyed")
        try w.export("all", 0..<w.lines.count)
        _ = try w.refresh()
        let keyPath = "\(w.folder)/out.key", store = "\(w.folder)/out.sqlite"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        let modes = (try Self.mode(keyPath), try Self.mode(store))
        #expect(bytes.count == 32 && modes.0 == 0o600 && modes.1 == 0o600)
        let key = try PseudonymKeys.read(keyPath)
        #expect(try ImpactStore(path: store, access: .snapshots).read { try $0.meta("key_fingerprint") } == key.fingerprint)
        try w.export("more", 0..<10)
        _ = try w.refresh()
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)) == bytes, "the key file is never rewritten")
        // Another key: one line, exit 2, the store untouched.
        let other = "\(w.folder)/other.key"
        try PseudonymKeys.make(other)
        let text = try String(contentsOfFile: w.pipeline, encoding: .utf8)
        try TestPipeline(text: text).setting("privacy.key_file", other).write(to: w.pipeline)
        let refused = try runImpact(["refresh", w.pipeline])
        #expect(refused.code == 2 && refused.err.contains("another pseudonym key") && refused.err.split(separator: "\n").count == 1, "\(refused.err)")
        try text.write(toFile: w.pipeline, atomically: true, encoding: .utf8)
        // A store from before keyed pseudonyms (no fingerprint, records kept): refused, with what to do.
        try ImpactStore(path: store, access: .snapshots).transaction { tx in try tx.db.execute(sql: "DELETE FROM meta WHERE key = 'key_fingerprint'") }
        let old = try runImpact(["refresh", w.pipeline])
        #expect(old.code == 2 && old.err.contains("unkeyed hashes") && old.err.contains("rebuild it from the inputs"), "\(old.err)")
    }

    /// A partition state holds keyed pseudonyms only (no unkeyed FNV hash of an e-mail, no name word
    /// in clear), readable by its owner only; a merge under another key is refused.
    @Test func statesAreKeyedAndMergeRefusesAnotherKey() throws {
        let folder = Paths.scratch("state-key"), keyPath = try MergeTests.sharedKey()
        let pipeline = try MergeTests.partition(["actions", "emargements"], into: folder, key: keyPath)
        let run = try runImpact(["run", "--quiet", pipeline, "--emit-state", "\(folder)/p.state"])
        #expect(run.code == 0, "\(run.err)")
        let stateMode = try Self.mode("\(folder)/p.state")
        #expect(stateMode == 0o600)
        let key = try PseudonymKeys.read(keyPath)
        let sheet = try records("\(Paths.root)/inputs/emargements_declic_2024-2025.csv").dropFirst()
        let keyed = Set(sheet.map { key.hash(Fold.key($0[4])) }), unkeyed = Set(sheet.map { StableHash.fnv1a(Fold.key($0[4])) })
        let state = try ImpactStore(path: "\(folder)/p.state", access: .snapshots)
        var persons = Set<UInt64>(), names = Set<UInt64>()
        try state.read { tx in
            for file in try tx.files() {
                try tx.replay(fileID: file.id) { if case .attendance(let line) = $0 { persons.insert(line.person) } }
                names.formUnion(try tx.names(fileIDs: [file.id]))
            }
            #expect(try tx.meta("key_fingerprint") == key.fingerprint)
        }
        #expect(persons.count > 100 && persons.isSubset(of: keyed) && persons.isDisjoint(with: unkeyed))
        let surnames = Set(sheet.map { Fold.key($0[2]) })
        let nameWords = Set((surnames.map { $0 } + sheet.map { Fold.key($0[3]) }).flatMap { $0.split(separator: " ").map { key.hash(String($0)) } })
        #expect(!names.isEmpty && names.isSubset(of: nameWords))
        let raw = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(folder)/p.state")), as: UTF8.self)
        #expect(!raw.contains(sheet.first?[4] ?? "@") && !raw.lowercased().contains(Fold.key(sheet.first?[2] ?? "x") + "\u{0}"))
        // The merge under another key: one line naming the state, exit 2.
        let otherKey = try MergeTests.sharedKey()
        let whole = try MergeTests.partition(["actions", "emargements"], into: Paths.scratch("merge-other"), key: otherKey)
        let merge = try runImpact(["merge", "--quiet", whole, "\(folder)/p.state"])
        #expect(merge.code == 2 && merge.err.contains("p.state") && merge.err.contains("another pseudonym key")
                && merge.err.split(separator: "\n").count == 1, "\(merge.err)")
        // With no key at all the merge says where the key should be.
        let keyless = try MergeTests.partition(["actions"], into: Paths.scratch("merge-keyless"), key: nil)
        let none = try runImpact(["merge", "--quiet", keyless, "\(folder)/p.state"])
        #expect(none.code == 2 && none.err.contains("no pseudonym key"), "\(none.err)")
    }
}
