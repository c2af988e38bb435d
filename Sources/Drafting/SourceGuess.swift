import Foundation
import PipelineFile
import Records

/// A retrospective item: the "before" and "now" answers of one statement in one response.
public struct RetrospectivePair: Sendable {
    public let before: Int
    public let after: Int
    /// The statement without its "Avant —" / "Aujourd'hui —" part.
    public let statement: String
}

/// What a table most likely is: its kind, and which column each canonical field reads.
public struct SourceGuess: Sendable {
    public let table: ExportTable
    public let kind: SourceKind
    /// Canonical field → column index, in the field catalogue's order.
    public let fields: [(field: String, column: Int)]
    /// Head-count columns (actions): stakeholder type → column index.
    public let counts: [(type: String, column: Int)]
    /// Likert columns answered once per response (responses).
    public let items: [Int]
    /// Retrospective pairs (responses).
    public let pairs: [RetrospectivePair]
    /// Required fields no column holds.
    public let missing: [String]
    let score: Double

    public func column(_ field: String) -> Int? { fields.first { $0.field == field }?.column }

    /// Columns no field, count or item reads.
    public var unused: [Int] {
        let used = Set(fields.map(\.column) + counts.map(\.column) + items + pairs.flatMap { [$0.before, $0.after] })
        return table.profiles.indices.filter { !used.contains($0) }
    }
}

/// Guesses a table's kind and mapping from its headers (French and English synonyms) and values.
public struct SourceGuesser: Sendable {
    let matchers: Matchers
    /// Folded action ids of the tables guessed as actions: a column holding them is an `action_id`.
    var actionIDs: Set<String> = []

    public init(matchers: Matchers = Matchers()) { self.matchers = matchers }

    /// Fields in the order they pick their column: those with the strongest evidence first.
    static let priority = ["person", "respondent", "candidate", "event", "wave", "action_type", "stakeholder_type", "contract",
                           "referrer_type", "action_id", "date", "contract_start", "contract_end", "territory", "contract_months",
                           "duration_hours", "referrer", "employer", "organisation", "organiser", "last_name", "first_name",
                           "comment", "title"]

    /// Words of file names that say what an export holds.
    static let nameHints: [SourceKind: [String]] = [
        .actions: ["action", "actions", "evenement", "evenements", "seances", "sessions", "events", "activites", "activities", "journal"],
        .attendance: ["emargement", "emargements", "presence", "presences", "attendance", "participants", "inscrits", "signin", "feuille"],
        .responses: ["questionnaire", "questionnaires", "enquete", "enquetes", "survey", "surveys", "reponses", "responses", "sondage"],
        .pathway: ["parcours", "recrutement", "recrutements", "embauches", "placements", "hires", "hiring", "pathway", "suivi", "candidats"],
    ]

    /// What a column's labels match, computed once per column (each label is matched against every
    /// vocabulary's aliases).
    struct LabelEvidence {
        let labelLike: Bool
        let stakeholderTypes, actionTypes, eventKinds, referrerTypes, contracts, waves: Double

        init(_ p: ColumnProfile, matchers: Matchers) {
            // Labels repeat and are short: free text or identifiers are no vocabulary, whatever words they hold.
            // (A vocabulary has tens of labels, not thousands: a column of names or ids is none.)
            let labelLike = p.complete && p.totalLength <= 40 * max(p.filled, 1) && p.distinct.count <= min(300, max(30, p.filled / 2))
            self.labelLike = labelLike
            let share = { (m: VocabularyMatcher) in labelLike ? m.share(of: p) : 0 }
            stakeholderTypes = share(matchers.stakeholderTypes)
            actionTypes = share(matchers.actionTypes)
            eventKinds = share(matchers.eventKinds)
            referrerTypes = share(matchers.referrerTypes)
            waves = share(matchers.waves)
            contracts = labelLike ? matchers.contractShare(of: p) : 0
        }
    }

    /// The best guess for `table`, or nil when it holds no source (a notice sheet, a one-column list).
    public func guess(_ table: ExportTable) -> SourceGuess? {
        let evidence = table.profiles.map { LabelEvidence($0, matchers: matchers) }
        let likert = likertColumns(table)
        let pairs = Self.retrospectivePairs(table.names, among: likert)
        let fileWords = Set(Words.of((table.path as NSString).lastPathComponent))
        var best: SourceGuess?
        for kind in SourceKind.allCases {
            let candidate = assign(kind, table: table, evidence: evidence, likert: likert, pairs: pairs, fileWords: fileWords)
            if best.map({ candidate.score > $0.score }) ?? true { best = candidate }
        }
        guard let best, best.score >= 1.5 else { return nil }
        return best
    }

    /// The mapping of `table` read as `kind` (`preview --suggest KIND`), whatever its best kind.
    public func guess(_ table: ExportTable, as kind: SourceKind) -> SourceGuess {
        let evidence = table.profiles.map { LabelEvidence($0, matchers: matchers) }
        let likert = likertColumns(table)
        return assign(kind, table: table, evidence: evidence, likert: likert, pairs: Self.retrospectivePairs(table.names, among: likert),
                      fileWords: [])
    }

    /// Columns of Likert answers that no field or head count claims by its header.
    private func likertColumns(_ table: ExportTable) -> [Int] {
        table.profiles.indices.filter { i in
            table.profiles[i].isLikert && !FieldSynonyms.headers.keys.contains { FieldSynonyms.score(table.names[i], field: $0) >= 0.9 }
                && FieldSynonyms.countType(table.names[i], types: matchers.stakeholderTypes) == nil
        }
    }

    private func assign(_ kind: SourceKind, table: ExportTable, evidence: [LabelEvidence], likert: [Int], pairs: [RetrospectivePair],
                        fileWords: Set<String>) -> SourceGuess {
        var taken = Set(likert)
        var fields: [(String, Int, Double)] = []
        var counts: [(type: String, column: Int)] = []
        if kind == .actions {
            for (i, name) in table.names.enumerated() where !taken.contains(i) {
                if let type = FieldSynonyms.countType(name, types: matchers.stakeholderTypes), !counts.contains(where: { $0.type == type }) {
                    counts.append((type, i))
                    taken.insert(i)
                }
            }
        }
        let wanted = FieldCatalog.all(kind)
        for field in Self.priority where wanted.contains(field) {
            var pick: (column: Int, score: Double)?
            for i in table.profiles.indices where !taken.contains(i) {
                let s = score(field, column: i, of: table, evidence: evidence[i])
                if s >= 0.5, pick.map({ s > $0.score }) ?? true { pick = (i, s) }
            }
            if let pick {
                fields.append((field, pick.column, pick.score))
                taken.insert(pick.column)
            }
        }
        let required = FieldCatalog.required(kind)
        var missing = required.filter { f in !fields.contains { $0.0 == f } }
        var total = fields.reduce(0.0) { $0 + ($1.2 * (required.contains($1.0) ? 1 : 0.3)) } - Double(missing.count)
        let items = kind == .responses ? likert.filter { i in !pairs.contains { $0.before == i || $0.after == i } } : []
        switch kind {
        case .responses:
            // Answers make a questionnaire; without a wave column or pairs, the wave is fixed by hand.
            total += likert.count >= 2 ? 2 + 0.1 * Double(likert.count) : -3
            if fields.contains(where: { $0.0 == "stakeholder_type" }) || fileStakeholder(fileWords) != nil {} else {
                missing.append("stakeholder_type")
            }
        case .pathway: total += fields.contains { $0.0 == "event" && $0.2 >= 0.8 } ? 1 : -2
        case .attendance: total += fields.contains { $0.0 == "person" && $0.2 >= 0.8 } ? 0.5 : -2
        case .actions:
            total += fields.contains { $0.0 == "action_type" && $0.2 >= 0.8 } ? 0.5 : -2
            total += 0.2 * Double(counts.count)
        }
        if kind != .responses, likert.count >= 3 { total -= 2 }
        if !fileWords.isDisjoint(with: Self.nameHints[kind] ?? []) { total += 0.5 }
        let ordered = FieldCatalog.all(kind).compactMap { f in fields.first { $0.0 == f }.map { (field: f, column: $0.1) } }
        return SourceGuess(table: table, kind: kind, fields: ordered, counts: counts, items: items, pairs: kind == .responses ? pairs : [],
                           missing: missing.filter { $0 != "stakeholder_type" || kind == .responses }, score: total)
    }

    /// The stakeholder type a file's name says ("questionnaire_conseillers" → prescripteur).
    func fileStakeholder(_ words: Set<String>) -> String? {
        let ids = Set(words.compactMap { word -> String? in
            if case .known(let id, _) = matchers.stakeholderTypes.match(word) { return id }
            return nil
        })
        return ids.count == 1 ? ids.first : nil
    }

    /// How well column `i` holds `field`, from its header and its values (0 to 1).
    func score(_ field: String, column i: Int, of table: ExportTable, evidence: LabelEvidence) -> Double {
        let p = table.profiles[i]
        let header = FieldSynonyms.score(table.names[i], field: field)
        let emails = p.share(p.emails), dates = p.share(p.dates + p.ambiguousDates)
        func vocabulary(_ share: Double) -> Double {
            guard evidence.labelLike else { return header * 0.5 }
            // Values alone reach 0.9; a header naming the field as well wins a tie.
            return share >= 0.5 ? max(header, 0.5 + 0.4 * share) + (header > 0 ? 0.05 : 0) : header * (p.filled == 0 || share > 0.1 ? 1 : 0.8)
        }
        switch field {
        case "date", "contract_start", "contract_end":
            guard p.filled == 0 || dates >= 0.6 else { return 0 }
            return field == "date" && dates >= 0.9 ? max(header, 0.55) : header
        case "person", "respondent", "candidate":
            if emails >= 0.6 { return field == "person" ? 0.95 : max(header, 0.7) }
            guard dates < 0.5, p.share(p.integers) < 0.9 || header >= 0.9 else { return 0 }
            return header
        default:
            break
        }
        guard emails < 0.5, dates < 0.5 || p.filled == 0 else { return 0 }
        switch field {
        case "stakeholder_type": return vocabulary(evidence.stakeholderTypes)
        case "action_type": return vocabulary(evidence.actionTypes)
        case "event": return vocabulary(evidence.eventKinds)
        case "referrer_type": return vocabulary(evidence.referrerTypes)
        case "contract": return vocabulary(evidence.contracts)
        case "wave": return evidence.waves >= 0.8 ? max(header, 0.95) : header * 0.8
        case "action_id":
            if !actionIDs.isEmpty, p.filled > 0 {
                let hits = p.distinct.reduce(0) { $0 + (actionIDs.contains(Fold.key($1.key)) ? $1.value : 0) }
                if Double(hits) >= 0.3 * Double(p.filled) { return max(header, 0.95) }
            }
            return header
        case "duration_hours", "contract_months":
            guard p.filled == 0 || p.share(p.integers + p.decimalComma + p.decimalPoint) >= 0.8 else { return 0 }
            return header
        case "comment":
            let mean = Double(p.totalLength) / Double(max(p.filled, 1))
            return max(header, mean > 40 && p.distinct.count * 10 >= p.filled * 8 ? 0.55 : 0)
        default:
            return header
        }
    }

    /// Statements asked twice in one response: "Avant — X" and "Aujourd'hui — X" (or "X (avant)").
    static func retrospectivePairs(_ names: [String], among columns: [Int]) -> [RetrospectivePair] {
        var befores: [String: (Int, String)] = [:]
        var afters: [(String, Int)] = []
        for i in columns {
            if let (key, statement) = strip(names[i], markers: beforeMarkers) { befores[key] = (i, statement) }
            else if let (key, _) = strip(names[i], markers: afterMarkers) { afters.append((key, i)) }
        }
        return afters.compactMap { key, after in befores[key].map { RetrospectivePair(before: $0.0, after: after, statement: $0.1) } }
            .sorted { $0.before < $1.before }
    }

    static let beforeMarkers: [[String]] = [["avant"], ["before"], ["pre"], ["t0"], ["au", "debut"], ["at", "the", "start"], ["then"], ["auparavant"]]
    static let afterMarkers: [[String]] = [["aujourd", "hui"], ["maintenant"], ["apre"], ["now"], ["today"], ["after"], ["post"], ["t1"],
                                           ["a", "present"], ["desormai"], ["actuellement"]]

    /// The statement's folded key and its text without the marker, when the header starts or ends with one.
    static func strip(_ header: String, markers: [[String]]) -> (String, String)? {
        let words = Words.of(header)
        for marker in markers where words.count > marker.count + 1 {
            if Array(words.prefix(marker.count)) == marker {
                return (words.dropFirst(marker.count).joined(separator: " "), statementText(header, dropping: marker.count, atStart: true))
            }
            if Array(words.suffix(marker.count)) == marker {
                return (words.dropLast(marker.count).joined(separator: " "), statementText(header, dropping: marker.count, atStart: false))
            }
        }
        return nil
    }

    /// The header without its first (or last) `count` words and the punctuation beside them.
    static func statementText(_ header: String, dropping count: Int, atStart: Bool) -> String {
        let separators: Set<Character> = ["—", "–", "-", ":", "|", "(", ")", "[", "]", " ", "\u{00A0}", ",", "/", "'", "’"]
        var text = Substring(header.trimmedWhitespace)
        for _ in 0..<count {
            if atStart {
                text = text.drop { separators.contains($0) }.drop { !separators.contains($0) }
            } else {
                text = Substring(String(String(text.reversed()).drop { separators.contains($0) }.drop { !separators.contains($0) }.reversed()))
            }
        }
        let trimmed = atStart ? String(text.drop { separators.contains($0) }) : String(String(text.reversed()).drop { separators.contains($0) }.reversed())
        return trimmed.trimmedWhitespace
    }
}
