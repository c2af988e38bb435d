import Records

/// Memoised vocabulary look-ups and organisation keys, keyed by a hash of the raw field bytes
/// (hashing non-ASCII `String`s normalises them, which cost 13 % of the ingest). Bounded, so a
/// column of free text cannot grow it without limit. Each entry remembers whether its bytes were
/// read as Windows-1252, so every row holding them counts as a fallback, not only the row that
/// filled the cache (each mapping worker has its own: the count must not depend on which one).
final class ResolutionCache {
    /// Per vocabulary (a handful, searched by name), raw hash → canonical id.
    private var vocabularies: [(name: String, ids: PrehashedMap<Resolved<String>>)] = []
    private var organisations = PrehashedMap<Resolved<UInt64>>(capacity: 1024)
    static let limit = 100_000

    /// A value resolved from raw bytes, and whether they were read as Windows-1252.
    struct Resolved<Value> {
        let value: Value
        let fellBack: Bool
    }

    private func table(_ name: String) -> Int? { vocabularies.firstIndex { $0.name == name } }

    /// The canonical id already resolved for these raw bytes, if any.
    func cached(_ rawHash: UInt64, in vocabulary: Vocabulary) -> Resolved<String>? {
        table(vocabulary.name).flatMap { vocabularies[$0].ids[rawHash] }
    }

    /// Resolves `raw` (read as Windows-1252 when `fellBack`), remembering a successful resolution under `rawHash`.
    func resolve(_ raw: String, in vocabulary: Vocabulary, rawHash: UInt64?, fellBack: Bool) -> String? {
        let id = vocabulary.resolve(raw)
        guard let id, let rawHash else { return id }
        let t = table(vocabulary.name) ?? {
            vocabularies.append((vocabulary.name, PrehashedMap()))
            return vocabularies.count - 1
        }()
        if vocabularies[t].ids.count < Self.limit { vocabularies[t].ids[rawHash] = Resolved(value: id, fellBack: fellBack) }
        return id
    }

    /// The stable hash of an organisation's folded name, and whether its bytes were read as
    /// Windows-1252; `compute` runs on a cache miss.
    func organisationKey(rawHash: UInt64, compute: () -> Resolved<UInt64>) -> Resolved<UInt64> {
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

    private var candidates: FirstMet

    /// A set that keeps names (`recording` false), or a mapping worker's that only notes the names it
    /// met first: a name the one-thread reading keeps is always among them (what a worker met
    /// before was met before in the file too, and the limit is the same), so offering them in the
    /// file's order keeps exactly the one-thread names.
    public init(recording: Bool = false) { candidates = FirstMet(recording: recording) }

    /// Whether `key` has no name yet and one may still be kept (one look-up per line until the limit).
    func isNew(_ key: UInt64) -> Bool { named.count < Self.limit && named[key] == nil }

    /// Keeps `name()` for `key` when the key is new (a worker notes it for the consumer instead).
    @inline(__always)
    func offer(_ key: UInt64, _ name: () -> String) {
        guard isNew(key) else { return }
        let text = name()
        named[key] = true
        if candidates.isRecording { candidates.note(key, text) } else { byKey[key] = text }
    }

    /// A worker's candidates since the last call, in its rows' order.
    func takeCandidates() -> [(key: UInt64, name: String)] { candidates.take() }

    /// Names kept per source: a report shows 40, and 90,000 names of a 1 GB national export took
    /// 14 MiB of peak memory (two attendance sources). An organisation met later is counted, not named.
    static let limit = 20_000

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
    /// The raw hashes of the values seen, probed for every name field of every row (Swift's `Set`
    /// would hash these hashes again with SipHash).
    private var seen = PrehashedSet()
    /// The values seen whose bytes were read as Windows-1252 (a few, in a mixed file).
    private var fellBack = PrehashedSet()
    let key: PseudonymKey
    static let limit = 1_000_000

    private var candidates: FirstMet

    /// A set that keeps names' words, or (`recording`) a mapping worker's that notes the values it met first.
    public init(key: PseudonymKey, recording: Bool = false) {
        self.key = key
        candidates = FirstMet(recording: recording)
    }

    /// Keeps the words of `name()` (its text, and whether it was read as Windows-1252), a name
    /// field's value whose raw bytes hash to `hash`, unless that value was seen already (or a
    /// million values were); a worker notes it for the consumer instead. Returns whether the value
    /// was read as Windows-1252, for every row holding it, whether or not this set decoded it.
    /// `fallsBack()` says the same as `name().fellBack` without building the text: used once the set is full.
    @inline(__always)
    func offer(_ hash: UInt64, _ name: () -> (text: String, fellBack: Bool), fallsBack: () -> Bool) -> Bool {
        if seen.count >= Self.limit {
            // Full: nothing kept, but the row's fallback is still read (the same for every row).
            return seen.contains(hash) ? fellBack.contains(hash) : fallsBack()
        }
        guard seen.insert(hash) else { return fellBack.count > 0 && fellBack.contains(hash) }
        let (text, fell) = name()
        if fell { fellBack.insert(hash) }
        if candidates.isRecording {
            candidates.note(hash, text)
        } else {
            for word in Fold.key(text).split(separator: " ") where word.count >= 2 { words.insert(key.hash(String(word))) }
        }
        return fell
    }

    /// A worker's candidates since the last call, in its rows' order.
    func takeCandidates() -> [(key: UInt64, name: String)] { candidates.take() }
}

/// The values a mapping worker's set met first, in its rows' order, for the consumer to offer again
/// in the file's order (`SourceMapper.keep`); a set that is not a worker's keeps its values itself.
struct FirstMet {
    private var values: [(key: UInt64, name: String)]?

    init(recording: Bool) { values = recording ? [] : nil }

    /// Whether this is a worker's set, which notes values instead of keeping them.
    var isRecording: Bool { values != nil }

    mutating func note(_ key: UInt64, _ name: String) { values?.append((key, name)) }

    /// The values noted since the last call (none for a set that keeps its values).
    mutating func take() -> [(key: UInt64, name: String)] {
        defer { if values != nil { values = [] } }
        return values ?? []
    }
}
