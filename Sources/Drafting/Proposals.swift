import Records

/// One label of a vocabulary's columns across the exports (spellings that fold alike together).
struct SeenLabel: Sendable {
    var spellings: [String: Int] = [:]
    var sources: [String] = []
    var count = 0

    /// The most frequent spelling (the first in sort order among equals).
    var text: String { spellings.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "" }

    /// Where it was seen: "×3 in actions, emargements".
    var seen: String { "×\(count) in \(sources.joined(separator: ", "))" }
}

/// Every label the columns of one vocabulary hold, across sources, in first-seen order.
struct LabelTally: Sendable {
    private(set) var labels: [String: SeenLabel] = [:]
    private(set) var order: [String] = []
    /// Columns with more distinct values than were tallied.
    private(set) var incomplete: [String] = []

    mutating func add(_ profile: ColumnProfile, source: String) {
        for (value, count) in profile.distinct.sorted(by: { $0.key < $1.key }) {
            let key = Fold.key(value)
            guard !key.isEmpty else { continue }
            if labels[key] == nil { order.append(key) }
            labels[key, default: SeenLabel()].spellings[value, default: 0] += count
            labels[key, default: SeenLabel()].count += count
            if labels[key]?.sources.contains(source) == false { labels[key]?.sources.append(source) }
        }
        if !profile.complete { incomplete.append(source) }
    }

    var total: Int { labels.values.reduce(0) { $0 + $1.count } }
    var all: [SeenLabel] { order.compactMap { labels[$0] } }
}

/// A vocabulary entry the draft writes (or leaves commented out for a human to keep).
struct DraftEntry: Sendable {
    let id: String
    var label: String?
    /// Aliases and why each was proposed.
    var aliases: [(text: String, note: String)]
    var comment: String?
    var commentedOut = false
}

/// What the draft writes for one vocabulary: entries, labels read without help, decisions left.
struct VocabularyDraft: Sendable {
    let name: String
    var entries: [DraftEntry] = []
    /// "Industriel ×34 → industriel": labels the pipeline reads as they are.
    var known: [String] = []
    var todos: [String] = []
}

/// Labels that must not be written into a pipeline file: they look like a person's data.
struct PersonalLooking: Sendable {
    /// Folded words of the names read in the exports' name columns.
    var nameWords: Set<String> = []

    /// What a label looks like when it looks personal ("an e-mail address"), else nil: the masking
    /// rule's contacts (PersonalData), or only words of the names read in the exports.
    func kind(of text: String) -> String? {
        if PersonalData.maskContacts(text) != text || ValueShapes.isPhone(text) {
            return text.utf8.contains(UInt8(ascii: "@")) ? "an e-mail address" : "a phone number"
        }
        let words = Fold.key(text).split(separator: " ").map(String.init)
        if !words.isEmpty, words.allSatisfy({ nameWords.contains($0) }) { return "a person's name" }
        return nil
    }
}

enum Proposals {
    /// A label as a comment shows it: quoted, one line, at most 60 characters.
    static func shown(_ text: String) -> String {
        let line = text.replacing("\r", with: " ").replacing("\n", with: " ")
        return "'" + (line.count > 60 ? String(line.prefix(57)) + "…" : line) + "'"
    }

    /// Labels matched against a built-in vocabulary: aliases where they are near, new entries where
    /// allowed (`newEntries`, for open lists such as action types), decisions left otherwise.
    static func vocabulary(_ name: String, _ tally: LabelTally, match: (String) -> VocabularyMatcher.Match, newEntries: Bool,
                           personal: PersonalLooking, fix: String) -> VocabularyDraft {
        var draft = VocabularyDraft(name: name)
        var byID: [String: [(String, String)]] = [:]
        var idOrder: [String] = []
        var known: [String: [String]] = [:]
        var hidden: [String: Int] = [:]
        for label in tally.all {
            if let kind = personal.kind(of: label.text) {
                hidden[kind, default: 0] += label.count
                continue
            }
            switch match(label.text) {
            case .known(let id, _):
                known[id, default: []].append("\(shown(label.text)) ×\(label.count)")
            case .proposed(let id, let how):
                if byID[id] == nil { idOrder.append(id) }
                byID[id, default: []].append((label.text, "\(label.seen), \(how)"))
            case .ambiguous(let ids):
                draft.todos.append("TODO: \(shown(label.text)) \(label.seen) could be \(ids.joined(separator: " or ")): \(fix)")
            case .unknown:
                if newEntries, label.count >= 2, let id = Self.id(label.text) {
                    draft.entries.append(DraftEntry(id: id, label: label.text, aliases: [(label.text, label.seen)],
                                                    comment: "TODO: not a built-in \(name) — keep it as its own, or move its alias to another"))
                } else {
                    draft.todos.append("TODO: \(shown(label.text)) \(label.seen) is not a known \(name): \(fix)")
                }
            }
        }
        draft.entries = idOrder.map { DraftEntry(id: $0, label: nil, aliases: byID[$0] ?? []) } + draft.entries
        draft.known = known.keys.sorted().map { "read as they are → \($0): " + (known[$0] ?? []).joined(separator: ", ") }
        for (kind, count) in hidden.sorted(by: { $0.key < $1.key }) {
            draft.todos.append("TODO: \(count) value\(count == 1 ? "" : "s") that look\(count == 1 ? "s" : "") like \(kind), not shown here: \(fix)")
        }
        if !tally.incomplete.isEmpty {
            draft.todos.append("TODO: more than \(ColumnProfile.distinctLimit) distinct values in \(tally.incomplete.joined(separator: ", ")): not all listed")
        }
        return draft
    }

    /// A canonical id from a label: folded words joined by '_', at most 40 characters ("Job dating" → job_dating).
    static func id(_ text: String, maximumWords: Int = 6) -> String? {
        let words = Fold.key(text).split(separator: " ").filter { $0.allSatisfy { $0.isASCII } }.prefix(maximumWords)
        var id = words.joined(separator: "_")
        if id.count > 40 { id = String(id.prefix(40)).trimmingSuffix("_") }
        guard !id.isEmpty, id != "all", id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
        return id
    }

    // MARK: Territories

    /// Words a territory's name may carry besides the place ("Métropole de Lyon", "Saint-Étienne Métropole").
    static let territoryNoise: Set<String> = ["metropole", "grand", "agglomeration", "agglo", "communaute", "urbaine", "de", "du", "des",
                                              "la", "le", "les", "l", "d", "ville", "pays", "bassin", "territoire", "zone", "cedex",
                                              "arrondissement", "city", "of", "area", "greater", "metropolitan", "county", "region"]

    /// The place a territory label names: folded words, "St" as "Saint", noise words left out
    /// (numbers stay: "n°001" and "n°002" are two territories; "Lyon 7e" holds "Lyon" and joins it).
    static func place(_ text: String) -> [String] {
        Fold.key(text).split(separator: " ").map { $0 == "st" ? "saint" : $0 == "ste" ? "sainte" : String($0) }
            .filter { !territoryNoise.contains($0) }
    }

    /// Territories grouped by the place they name; a place seen rarely, in one source only, is left
    /// commented out for a human to keep (its records are rejected until then).
    static func territories(_ tally: LabelTally, personal: PersonalLooking) -> VocabularyDraft {
        var draft = VocabularyDraft(name: "territory")
        var groups: [(place: [String], labels: [SeenLabel])] = []
        for label in tally.all {
            if let kind = personal.kind(of: label.text) {
                draft.todos.append("TODO: a value that looks like \(kind) (\(label.seen)), not shown")
                continue
            }
            let words = place(label.text).isEmpty ? Fold.key(label.text).split(separator: " ").map(String.init) : place(label.text)
            if let i = groups.firstIndex(where: { $0.place == words || Words.contains(words, $0.place) || Words.contains($0.place, words) }) {
                groups[i].labels.append(label)
                if groups[i].place.count > words.count { groups[i].place = words }
            } else {
                groups.append((words, [label]))
            }
        }
        // Rare: seen in one source, twenty times less than the middle group (Grenoble once beside
        // Lyon's 208 records); 180 territories of equal weight are none of them rare.
        let sizes = groups.map { $0.labels.reduce(0) { $0 + $1.count } }.sorted()
        let middle = sizes.isEmpty ? 0 : sizes[sizes.count / 2]
        var used = Set<String>()
        for group in groups {
            let count = group.labels.reduce(0) { $0 + $1.count }
            let sources = Set(group.labels.flatMap(\.sources))
            // The label: a spelling naming just the place, with accents rather than without, then the most used.
            let plain = group.labels.filter { place($0.text) == group.place && Fold.key($0.text).split(separator: " ").count == group.place.count }
            let spellings = (plain.isEmpty ? group.labels : plain).flatMap { $0.spellings.map { (text: $0.key, count: $0.value) } }
            let label = spellings.max { a, b in
                let (x, y) = (a.text.contains { !$0.isASCII }, b.text.contains { !$0.isASCII })
                return x != y ? !x : (a.count, b.text) < (b.count, a.text)
            }?.text ?? group.labels[0].text
            guard var id = Self.id(group.place.joined(separator: " ")) ?? Self.id(label) else { continue }
            if used.contains(id) { id += "_\(used.count + 1)" }
            used.insert(id)
            let aliases = group.labels.map { ($0.text, $0.seen) }
            let rare = groups.count > 1 && count * 20 < middle && sources.count == 1
            draft.entries.append(DraftEntry(id: id, label: label, aliases: aliases,
                                            comment: rare ? "TODO: seen \(count == 1 ? "once" : "\(count) times"), in \(sources.sorted().joined(separator: ", ")) only — a territory of the programme? Uncomment to keep its records (else rejected)" : nil,
                                            commentedOut: rare))
        }
        draft.entries.sort { $0.id < $1.id }
        return draft
    }
}

extension String {
    func trimmingSuffix(_ character: Character) -> String {
        var s = self
        while s.last == character { s.removeLast() }
        return s
    }
}
