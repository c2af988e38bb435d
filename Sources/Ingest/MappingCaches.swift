import Records

/// Memoised vocabulary look-ups and organisation keys, keyed by a hash of the raw field bytes
/// (hashing non-ASCII `String`s normalises them, which cost 13 % of the ingest). Bounded, so a
/// column of free text cannot grow it without limit.
final class ResolutionCache {
    /// Per vocabulary (a handful, searched by name), raw hash → canonical id.
    private var vocabularies: [(name: String, ids: PrehashedMap<String>)] = []
    private var organisations = PrehashedMap<UInt64>(capacity: 1024)
    static let limit = 100_000

    private func table(_ name: String) -> Int? { vocabularies.firstIndex { $0.name == name } }

    /// The canonical id already resolved for these raw bytes, if any.
    func cached(_ rawHash: UInt64, in vocabulary: Vocabulary) -> String? {
        table(vocabulary.name).flatMap { vocabularies[$0].ids[rawHash] }
    }

    /// Resolves `raw`, remembering a successful resolution under `rawHash`.
    func resolve(_ raw: String, in vocabulary: Vocabulary, rawHash: UInt64?) -> String? {
        let id = vocabulary.resolve(raw)
        guard let id, let rawHash else { return id }
        let t = table(vocabulary.name) ?? {
            vocabularies.append((vocabulary.name, PrehashedMap()))
            return vocabularies.count - 1
        }()
        if vocabularies[t].ids.count < Self.limit { vocabularies[t].ids[rawHash] = id }
        return id
    }

    /// The stable hash of an organisation's folded name; `compute` runs on a cache miss.
    func organisationKey(rawHash: UInt64, compute: () -> UInt64) -> UInt64 {
        if let hit = organisations[rawHash] { return hit }
        let key = compute()
        if organisations.count < Self.limit { organisations[rawHash] = key }
        return key
    }
}

/// Organisations as first written on a source's attendance sheets, by the key their names fold to,
/// so the report can name the organisations reached (counts are kept per key, never per name).
public final class OrganisationNames {
    public private(set) var byKey: [UInt64: String] = [:]
    /// The keys of `byKey`, probed per line: the keys are hashes already, which `Dictionary` would hash again.
    private var named = PrehashedMap<Bool>(capacity: 1024)

    public init() {}

    /// Whether `key` has no name yet and one may still be kept (one look-up per line until the limit).
    func isNew(_ key: UInt64) -> Bool { byKey.count < Self.limit && named[key] == nil }

    /// Names kept per source: a report shows 40, and 90,000 names of a 1 GB national export took
    /// 14 MiB of peak memory (two attendance sources). An organisation met later is counted, not named.
    static let limit = 20_000

    /// Keeps `name` for `key`.
    func add(_ key: UInt64, _ name: String) {
        byKey[key] = name
        named[key] = true
    }

    /// Adds `other`'s names; where both name a key, the smaller spelling (by bytes) stays, so the name
    /// shown never depends on the order the files were read in.
    public static func merge(_ names: inout [UInt64: String], _ other: [UInt64: String]) {
        guard !names.isEmpty else { names = other; return }  // shares the storage: no second copy
        for (key, name) in other {
            if let kept = names[key], kept.utf8.lexicographicallyPrecedes(name.utf8) || kept == name { continue }
            names[key] = name
        }
    }
}

/// The names read in the inputs' name fields, as keyed hashes of their folded words: enough to mask
/// them in quotes and messages (`isName`), nothing to read a name from.
public final class NameSet {
    public private(set) var words = Set<UInt64>()
    private var seen = Set<UInt64>()
    let key: PseudonymKey

    public init(key: PseudonymKey) { self.key = key }

    /// Records a raw value's hash; false when it was seen already.
    func insert(_ hash: UInt64) -> Bool { seen.count < 1_000_000 && seen.insert(hash).inserted }

    func add(_ name: String) {
        for word in Fold.key(name).split(separator: " ") where word.count >= 2 { words.insert(key.hash(String(word))) }
    }
}
