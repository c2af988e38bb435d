import Ingest
import PipelineFile
import Records

/// Matches an export's labels to a vocabulary's canonical values: first as the pipeline reads them
/// (folded), then as a draft may propose them — plurals, known synonyms, words held, typos.
public struct VocabularyMatcher: Sendable {
    public enum Match: Equatable, Sendable {
        /// The pipeline reads it as this id without help (`how` says why, e.g. "built in").
        case known(String, how: String)
        /// Near this id: the draft adds it as an alias (`how` says why it was matched).
        case proposed(String, how: String)
        /// Near several ids: a human decides.
        case ambiguous([String])
        case unknown
    }

    public let vocabulary: Vocabulary
    private let aliases: [(id: String, words: [String], text: String, key: [UInt8])]
    /// Whether a label holding an alias among other words matches it (not for answer scales:
    /// "Pas vraiment d'accord" holds "d'accord").
    private let byWordsHeld: Bool

    /// `vocabulary` as the pipeline knows it; `extra`, labels the draft may propose as aliases.
    public init(vocabulary: Vocabulary, extra: [Vocabulary.Entry] = [], byWordsHeld: Bool = true) {
        self.vocabulary = vocabulary
        self.byWordsHeld = byWordsHeld
        var aliases: [(String, [String], String, [UInt8])] = []
        for entry in vocabulary.entries + extra {
            for text in [entry.id.replacing("_", with: " "), entry.label] + entry.aliases where !text.isEmpty {
                let words = Words.of(text)
                aliases.append((entry.id, words, text, Array(words.joined(separator: " ").utf8)))
            }
        }
        self.aliases = aliases.filter { !$0.1.isEmpty }
    }

    public func match(_ value: String) -> Match {
        if let id = vocabulary.resolve(value) { return .known(id, how: "built in") }
        let words = Words.of(value)
        guard !words.isEmpty else { return .unknown }
        if let same = aliases.first(where: { $0.words == words }) { return .proposed(same.id, how: "as '\(same.text)'") }
        // Every word of an alias, in order, among the value's ("Conseiller France Travail" holds "Conseiller").
        let held = byWordsHeld && words.count <= 6 ? aliases.filter { $0.words.joined(separator: " ").count >= 3 && Words.contains(words, $0.words) } : []
        let heldIDs = Set(held.map(\.id))
        if heldIDs.count == 1, let first = held.max(by: { $0.words.count < $1.words.count }) {
            return .proposed(first.id, how: "holds '\(first.text)'")
        }
        if heldIDs.count > 1 { return .ambiguous(heldIDs.sorted()) }
        // A typo: one edit in five letters or more, two in nine or more.
        let key = Array(words.joined(separator: " ").utf8)
        let allowed = key.count >= 9 ? 2 : key.count >= 5 ? 1 : 0
        guard allowed > 0, key.count <= 60 else { return .unknown }
        let near = aliases.filter { abs($0.key.count - key.count) <= allowed }.map { ($0, Nearest.distance(key, $0.key)) }.filter { $0.1 <= allowed }
        let nearIDs = Set(near.map(\.0.id))
        if nearIDs.count == 1, let best = near.min(by: { $0.1 < $1.1 }) { return .proposed(best.0.id, how: "near '\(best.0.text)'") }
        return nearIDs.count > 1 ? .ambiguous(nearIDs.sorted()) : .unknown
    }

    /// The share of a column's filled cells that match, known or proposed.
    public func share(of profile: ColumnProfile) -> Double {
        guard profile.filled > 0 else { return 0 }
        var hits = 0
        for (value, count) in profile.distinct {
            switch match(value) {
            case .known, .proposed: hits += count
            default: break
            }
        }
        return Double(hits) / Double(profile.filled)
    }
}

/// The matchers of the built-in vocabularies, with the labels a draft knows besides.
public struct Matchers: Sendable {
    public let stakeholderTypes: VocabularyMatcher
    public let actionTypes: VocabularyMatcher
    public let eventKinds: VocabularyMatcher
    public let referrerTypes: VocabularyMatcher
    public let contractTypes: VocabularyMatcher
    public let waves: VocabularyMatcher

    public init() {
        func built(_ name: String, _ entries: [Vocabulary.Entry]) -> Vocabulary {
            var v = Vocabulary(name: name)
            entries.forEach { v.add($0) }
            return v
        }
        stakeholderTypes = VocabularyMatcher(vocabulary: built("stakeholder_type", BuiltinVocabularies.stakeholderTypes), extra: DraftSynonyms.stakeholderTypes)
        actionTypes = VocabularyMatcher(vocabulary: built("action_type", BuiltinVocabularies.actionTypes), extra: DraftSynonyms.actionTypes)
        eventKinds = VocabularyMatcher(vocabulary: built("event_kind", BuiltinVocabularies.eventKinds), extra: DraftSynonyms.eventKinds)
        referrerTypes = VocabularyMatcher(vocabulary: built("referrer_type", BuiltinVocabularies.referrerTypes), extra: DraftSynonyms.referrerTypes)
        contractTypes = VocabularyMatcher(vocabulary: built("contract_type", BuiltinVocabularies.contractTypes), extra: DraftSynonyms.contractTypes)
        waves = VocabularyMatcher(vocabulary: built("wave", Questionnaire.defaultWaves), extra: DraftSynonyms.waves)
    }

    /// A contract as the pipeline parses it ("CDD 8 mois"), else as the draft may propose its type.
    public func contract(_ value: String) -> VocabularyMatcher.Match {
        if let id = ContractParser.parse(value, vocabulary: contractTypes.vocabulary).type { return .known(id, how: "built in") }
        // A length written in the value stays the parser's: only a bare type is proposed as an alias.
        guard !value.contains(where: \.isNumber) else { return .unknown }
        return contractTypes.match(value)
    }

    /// The share of a column's filled cells read as contracts.
    public func contractShare(of profile: ColumnProfile) -> Double {
        guard profile.filled > 0 else { return 0 }
        let hits = profile.distinct.reduce(0) { sum, entry in
            switch contract(entry.key) {
            case .known, .proposed: return sum + entry.value
            default: return sum
            }
        }
        return Double(hits) / Double(profile.filled)
    }
}
