import Foundation
import PipelineFile
import Records

/// Writes the drafted pipeline file: settings, vocabularies with every label found, the
/// questionnaire, and one entry per source — commented, with "TODO" where a human decides.
struct DraftWriter {
    var sources: [DraftSource]
    let base: String
    let folder: String
    let matchers: Matchers
    var questionnaire = QuestionnaireDraft()
    private var personal = PersonalLooking()
    var out = YAMLText()
    /// A source missing required fields is written commented out (a draft that must load), or as
    /// it is with what to add (a suggestion to paste).
    var commentIncomplete = true

    /// Folded action ids of the actions sources, and whether they are all there (not past the distinct limit).
    let actionIDsSeen: Set<String>
    let actionIDsComplete: Bool

    init(sources: [DraftSource], base: String, folder: String, matchers: Matchers) {
        self.sources = sources
        var ids = Set<String>(), complete = true
        for source in sources where source.guess.kind == .actions {
            guard let column = source.guess.column("action_id") else { continue }
            ids.formUnion(source.guess.table.profiles[column].distinct.keys.map(Fold.key))
            complete = complete && source.guess.table.profiles[column].complete
        }
        actionIDsSeen = ids
        actionIDsComplete = complete
        self.base = base
        self.folder = folder
        self.matchers = matchers
    }

    mutating func render() -> String {
        prepareResponses()
        personal.nameWords = nameWords()
        out.comment(0, "Drafted by `impact init \(folder)` from \(sources.count) export\(sources.count == 1 ? "" : "s"). Each TODO is a decision only you")
        out.comment(0, "can take; \"check\" marks a guess worth a look. Then: impact validate FILE, impact run FILE.")
        out.comment(0, "Relative paths resolve against this file's folder. The format: docs/pipeline-file.md.")
        out.line(0, "version: 1")
        out.line(0, "title: \"Rapport d'impact\"", "TODO: the report's title (the programme's name)")
        out.blank()
        writePeriods()
        out.line(0, "privacy:")
        out.line(2, "k: 5", "figures resting on fewer than 5 people are not published (never below 3)")
        out.blank()
        out.line(0, "quality:")
        out.line(2, "max_reject_rate: 0.05", "above 5 % rejected records in any source, the run exits 1")
        out.blank()
        out.line(0, "outputs:")
        out.line(2, "folder: outputs", "where impact run writes the report (beside this file)")
        out.line(2, "lang: fr", "fr | en")
        out.blank()
        writeVocabularies()
        if sources.contains(where: { $0.guess.kind == .pathway && !$0.commentedOut }) {
            out.line(0, "hiring:")
            out.line(2, "durable: at_least_6_months", "France Travail's \"emploi durable\"; SIAE reporting: more_than_6_months")
            out.line(2, "link_window_days: 365", "an action counts for a hire when it took place in the year before")
            out.blank()
        }
        out.comment(0, "TODO (optional): targets shown against the actuals, e.g.")
        out.comment(0, "targets:")
        out.comment(0, "  - {indicator: participants, stakeholder_type: prescripteur, value: 200}")
        out.blank()
        if sources.contains(where: { $0.guess.kind == .responses && $0.guess.column("comment") != nil }) {
            out.comment(0, "TODO (optional): obstacles and levers cited in the comments, e.g.")
            out.comment(0, "themes:")
            out.comment(0, "  obstacles:")
            out.comment(0, "    acces_sites: {label: \"Accès aux sites, mobilité\", keywords: [accès, transport en commun, voiture, permis]}")
            out.comment(0, "  levers:")
            out.comment(0, "    salaire: {label: \"Salaires et primes\", keywords: [salaire, rémunération, prime]}")
            out.blank()
        }
        writeQuestionnaire()
        writeSources()
        return out.text
    }

    /// One source's entry (`preview --suggest`), with the items it needs declared, in comments.
    mutating func entry() -> String {
        prepareResponses()
        commentIncomplete = false
        if !questionnaire.items.isEmpty {
            out.comment(0, "declare these items under questionnaire.items (dimension: the group each belongs to):")
            for item in questionnaire.items {
                out.comment(0, "  \(item.id): {label: \(YAMLText.scalar(item.label, flow: true)), dimension: general\(item.negativeWord == nil ? "" : ", reverse: true")}")
            }
        }
        writeSources()
        return out.text
    }

    // MARK: Choices

    /// Waves, stakeholder types and item ids of the responses sources.
    private mutating func prepareResponses() {
        for i in sources.indices where sources[i].guess.kind == .responses {
            let guess = sources[i].guess
            let fileWords = Set(Words.of((guess.table.path as NSString).lastPathComponent))
            if guess.column("stakeholder_type") == nil {
                if let id = SourceGuesser(matchers: matchers).fileStakeholder(fileWords) {
                    sources[i].fixedType = (id, "check: guessed from the file's name")
                } else {
                    sources[i].fixedType = ("industriel", "TODO: who answered? industriel, prescripteur or candidat")
                }
            }
            if !guess.pairs.isEmpty {
                sources[i].wave = ("retrospective", "\"before\" and \"now\" answered together: \(guess.pairs.count) statements")
            } else if guess.column("wave") != nil {
                sources[i].wave = ("column", "the wave column says which")
            } else if !fileWords.isDisjoint(with: ["avant", "pre", "entree", "t0", "debut", "before", "baseline"]) {
                sources[i].wave = ("pre", "check: guessed from the file's name")
            } else if !fileWords.isDisjoint(with: ["apre", "post", "sortie", "t1", "fin", "after", "followup"]) {
                sources[i].wave = ("post", "check: guessed from the file's name")
            } else {
                sources[i].wave = ("pre", "TODO: before (pre) or after (post) the actions?")
            }
            guard !sources[i].commentedOut else { continue }
            for column in guess.items { sources[i].itemIDs[column] = questionnaire.item(for: guess.table.names[column]) }
            sources[i].pairIDs = guess.pairs.map { questionnaire.item(for: $0.statement) }
        }
    }

    /// Folded words of the names read in name columns: labels made of them are never written out.
    private func nameWords() -> Set<String> {
        var words = Set<String>()
        for source in sources {
            for field in ["last_name", "first_name"] {
                guard let column = source.guess.column(field) else { continue }
                for value in source.guess.table.profiles[column].distinct.keys {
                    words.formUnion(Fold.key(value).split(separator: " ").map(String.init).filter { $0.count >= 3 })
                }
            }
        }
        return words
    }

    /// The labels of `field` across sources (of `kinds`).
    private func tally(_ field: String, kinds: [SourceKind]? = nil) -> LabelTally {
        var tally = LabelTally()
        for source in sources where !source.commentedOut && (kinds?.contains(source.guess.kind) ?? true) {
            if let column = source.guess.column(field) { tally.add(source.guess.table.profiles[column], source: source.name) }
        }
        return tally
    }

    // MARK: Sections

    private mutating func writePeriods() {
        var months: [Int: Int] = [:]
        var from: [String] = []
        for source in sources where !source.commentedOut && source.guess.kind != .attendance {
            guard let column = source.guess.column("date") else { continue }
            months.merge(source.guess.table.profiles[column].months, uniquingKeysWith: +)
            from.append(source.name)
        }
        out.line(0, "periods:")
        guard let guess = PeriodGuess.from(months: months) else {
            out.line(2, "scheme: calendar", "TODO: no date read; or programme_year with start_month")
            out.blank()
            return
        }
        let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let span = "dates from \(monthNames[guess.first.month - 1]) \(guess.first.year) to \(monthNames[guess.last.month - 1]) \(guess.last.year)"
        let count = "\(guess.periods) period\(guess.periods == 1 ? "" : "s")"
        if guess.startMonth == 1 {
            out.line(2, "scheme: calendar", "\(span): \(count); check")
        } else {
            out.line(2, "scheme: programme_year", "\(span): \(count) from \(monthNames[guess.startMonth - 1]); check")
            out.line(2, "start_month: \(guess.startMonth)")
        }
        out.blank()
    }

    private mutating func writeVocabularies() {
        let fix = "add it as an alias of a canonical value, or leave its records rejected"
        out.line(0, "vocabularies:", "canonical value ← the labels the exports use")
        let territories = Proposals.territories(tally("territory"), personal: personal)
        out.line(2, "territory:", "grouped by the place they name: check the groups")
        if territories.entries.allSatisfy(\.commentedOut) {
            out.line(4, "territoire:", "TODO: no territory column read; name the programme's territories")
            out.line(6, "label: Territoire")
        }
        write(territories, labelled: true)
        let vocabularies: [(String, String, [SourceKind]?, (String) -> VocabularyMatcher.Match, Bool)] = [
            ("stakeholder_type", "stakeholder_type", nil, matchers.stakeholderTypes.match, false),
            ("action_type", "action_type", [.actions], matchers.actionTypes.match, true),
            ("event_kind", "event", [.pathway], matchers.eventKinds.match, false),
            ("contract_type", "contract", [.pathway], matchers.contract, false),
            ("referrer_type", "referrer_type", [.pathway], matchers.referrerTypes.match, true),
        ]
        for (name, field, kinds, match, open) in vocabularies {
            let labels = tally(field, kinds: kinds)
            guard !labels.all.isEmpty else { continue }
            let draft = Proposals.vocabulary(name, labels, match: match, newEntries: open, personal: personal, fix: fix)
            if draft.entries.isEmpty {
                out.comment(2, "\(name): every label is built in")
            } else {
                out.line(2, "\(name):")
            }
            write(draft, labelled: false)
        }
        out.blank()
    }

    private mutating func write(_ draft: VocabularyDraft, labelled: Bool) {
        for entry in draft.entries {
            var block = YAMLText()
            if entry.commentedOut || entry.label != nil && labelled || entry.comment != nil {
                block.line(4, "\(entry.id):", entry.comment)
                if let label = entry.label { block.line(6, "label: \(YAMLText.scalar(label))") }
                block.line(6, "aliases:")
                for alias in entry.aliases { block.line(8, "- \(YAMLText.scalar(alias.text))", alias.note) }
            } else {
                block.line(4, "\(entry.id):")
                for alias in entry.aliases { block.line(6, "- \(YAMLText.scalar(alias.text))", alias.note) }
            }
            if entry.commentedOut {
                out.commentedOut(block, indent: 4)
            } else {
                out.append(block)
            }
        }
        for line in draft.known { out.comment(4, line) }
        for todo in draft.todos { out.comment(4, todo) }
    }

    private mutating func writeQuestionnaire() {
        guard !questionnaire.items.isEmpty else { return }
        var answers = LabelTally(), waves = LabelTally()
        for source in sources where source.guess.kind == .responses && !source.commentedOut {
            for column in source.guess.items + source.guess.pairs.flatMap({ [$0.before, $0.after] }) {
                answers.add(source.guess.table.profiles[column], source: source.name)
            }
            if source.wave.spec == "column", let column = source.guess.column("wave") {
                waves.add(source.guess.table.profiles[column], source: source.name)
            }
        }
        out.line(0, "questionnaire:")
        out.line(2, "dimensions:", "TODO: group the items into dimensions (each item's dimension: id)")
        out.line(4, "general: Perception d'ensemble")
        out.line(2, "items:", "the Likert items found, scored 1–5")
        for item in questionnaire.items {
            var fields = "label: \(YAMLText.scalar(item.label, flow: true)), dimension: general"
            if item.negativeWord != nil { fields += ", reverse: true" }
            out.line(4, "\(item.id): {\(fields)}",
                     item.negativeWord.map { "check: worded negatively ('\($0)'): scored 6 − x" })
        }
        let (scale, missing, todos) = QuestionnaireDraft.answerLabels(answers)
        if !scale.isEmpty {
            out.line(2, "scale:", "answer labels beyond the built-in French ones")
            for id in scale.keys.sorted() { out.line(4, "\(id): [\(scale[id, default: []].map { YAMLText.scalar($0, flow: true) }.joined(separator: ", "))]") }
        }
        if !missing.isEmpty { out.line(2, "missing: [\(missing.map { YAMLText.scalar($0, flow: true) }.joined(separator: ", "))]", "no answer") }
        for todo in todos { out.comment(2, todo) }
        writeWaves(waves)
        out.blank()
    }

    private mutating func writeWaves(_ waves: LabelTally) {
        guard !waves.all.isEmpty else { return }
        var proposed: [String: [(String, String)]] = [:]
        var notes: [String] = []
        for label in waves.all {
            switch matchers.waves.match(label.text) {
            case .known(let id, _): notes.append("\(Proposals.shown(label.text)) \(label.seen) → \(id)")
            case .proposed(let id, let how): proposed[id, default: []].append((label.text, "\(label.seen), \(how)"))
            default: notes.append("TODO: wave \(Proposals.shown(label.text)) \(label.seen) is neither before nor after: add it to questionnaire.waves, or leave its responses rejected")
            }
        }
        if !proposed.isEmpty {
            out.line(2, "waves:")
            for id in ["pre", "post"] where proposed[id] != nil {
                out.line(4, "\(id):")
                for (text, note) in proposed[id] ?? [] { out.line(6, "- \(YAMLText.scalar(text))", note) }
            }
        }
        for note in notes { out.comment(2, note.hasPrefix("TODO") ? note : "wave read as built in: \(note)") }
    }
}

extension YAMLText {
    mutating func append(_ other: YAMLText) {
        for l in other.lines { line(0, l) }
    }
}
