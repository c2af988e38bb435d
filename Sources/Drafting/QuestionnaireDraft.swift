import Records

/// A questionnaire item the draft declares, from a column of answers or a retrospective pair.
struct DraftItem: Sendable {
    let id: String
    let label: String
    /// Why it may be reverse-coded ("difficile"), when its wording is negative.
    let negativeWord: String?
}

/// The items of every responses source, one per statement (a statement asked in two sources is one item).
struct QuestionnaireDraft: Sendable {
    private(set) var items: [DraftItem] = []
    private var byKey: [String: String] = [:]

    /// The item id of a statement, declaring it on first sight.
    mutating func item(for header: String) -> String {
        let label = Self.statement(header)
        let key = Words.of(label).joined(separator: " ")
        if let id = byKey[key] { return id }
        var id = Self.itemID(label)
        var n = 2
        while items.contains(where: { $0.id == id }) {
            id = "\(Self.itemID(label))_\(n)"
            n += 1
        }
        byKey[key] = id
        items.append(DraftItem(id: id, label: label, negativeWord: Self.negativeWord(label)))
        return id
    }

    /// A header without its question number ("Q1. ", "1) ", "Question 3 :").
    static func statement(_ header: String) -> String {
        var text = Substring(header.trimmedWhitespace)
        let numbered = text.prefix { !$0.isWhitespace && $0 != "." && $0 != ")" && $0 != ":" && $0 != "-" }
        let key = Fold.key(String(numbered))
        if key.range(of: "^(q|question|item)?[0-9]+[a-z]?$", options: .regularExpression) != nil {
            text = text.dropFirst(numbered.count).drop { $0.isWhitespace || ".):-–—".contains($0) }
        } else if key == "question", let rest = Optional(text.dropFirst(numbered.count).drop(while: \.isWhitespace)),
                  let digits = Optional(rest.prefix(while: \.isNumber)), !digits.isEmpty {
            text = rest.dropFirst(digits.count).drop { $0.isWhitespace || ".):-–—".contains($0) }
        }
        return text.isEmpty ? header.trimmedWhitespace : String(text)
    }

    static let stopWords: Set<String> = ["le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "et", "ou", "a", "au", "aux", "en",
                                         "est", "sont", "je", "j", "me", "m", "mon", "ma", "mes", "se", "s", "sa", "son", "ses", "leur",
                                         "leurs", "que", "qu", "qui", "pour", "par", "sur", "dans", "avec", "ne", "n", "pas", "plus", "tres",
                                         "ce", "cette", "ces", "c", "il", "elle", "ils", "elles", "on", "y", "nous", "vous", "notre", "nos",
                                         "votre", "vos", "quel", "quels", "quelle", "quelles", "the", "of", "to", "and", "is", "are", "i",
                                         "my", "in", "for", "with", "an", "be", "at", "it", "this", "that", "am", "do", "does", "can"]

    /// An id from the statement's first four meaningful words: "Les salaires de l'industrie sont attractifs" → salaires_industrie_attractifs.
    static func itemID(_ label: String) -> String {
        let words = Fold.key(label).split(separator: " ").map(String.init).filter { !stopWords.contains($0) && $0.allSatisfy(\.isASCII) }
        return Proposals.id(words.prefix(4).joined(separator: " ")) ?? "item"
    }

    /// Words of statements where agreeing is unfavourable (scored 6 − x once confirmed).
    static let negativeWords: Set<String> = ["frein", "difficile", "penible", "obstacle", "probleme", "manque", "peur", "crainte",
                                             "risque", "dangereu", "sale", "bruyant", "stressant", "barrier", "difficult", "hard",
                                             "problem", "lack", "fear", "dirty", "noisy", "jamai", "never", "pas", "not"]

    static func negativeWord(_ label: String) -> String? {
        Words.of(label).first { negativeWords.contains($0) }
    }

    /// Answer labels of the Likert columns the pipeline does not read without help: English and
    /// near-miss labels as scale or "no answer" aliases, the rest left to decide.
    static func answerLabels(_ tally: LabelTally) -> (scale: [String: [String]], missing: [String], todos: [String]) {
        var scale: [String: [String]] = [:], missing: [String] = [], todos: [String] = []
        var builtIn = Vocabulary(name: "scale")
        Questionnaire.defaultScale.forEach { builtIn.add($0) }
        let near = VocabularyMatcher(vocabulary: builtIn, byWordsHeld: false)
        for label in tally.all where Int(label.text) == nil && !Answers.isBuiltIn(label.text) {
            if let id = Answers.scale.resolve(label.text) {
                scale[id, default: []].append(label.text)
            } else if Answers.missing.resolve(label.text) != nil {
                missing.append(label.text)
            } else if case .proposed(let id, _) = near.match(label.text) {
                scale[id, default: []].append(label.text)
            } else {
                todos.append("TODO: answer \(Proposals.shown(label.text)) \(label.seen): add it to questionnaire.scale (1–5) or to questionnaire.missing (else the response is rejected)")
            }
        }
        return (scale, missing, todos)
    }
}

/// The periods the dates call for: the fewest programme years that hold them.
struct PeriodGuess: Sendable, Equatable {
    /// 1: calendar years; else the month a programme year starts.
    let startMonth: Int
    let first: (year: Int, month: Int)
    let last: (year: Int, month: Int)
    let periods: Int

    static func == (a: PeriodGuess, b: PeriodGuess) -> Bool { a.startMonth == b.startMonth && a.periods == b.periods }

    /// From dates counted per month (year × 12 + month − 1); the first and last 0.5 % are left out
    /// (a typo in a year must not add a period). Among start months giving the fewest periods:
    /// January, else September (the school year), else the month of the first date.
    static func from(months: [Int: Int]) -> PeriodGuess? {
        let total = months.values.reduce(0, +)
        guard total > 0 else { return nil }
        let sorted = months.keys.sorted()
        let trim = total / 200
        var low = 0, high = 0, lo = sorted[0], hi = sorted[sorted.count - 1]
        for m in sorted { low += months[m] ?? 0; if low > trim { lo = m; break } }
        for m in sorted.reversed() { high += months[m] ?? 0; if high > trim { hi = m; break } }
        let kept = sorted.filter { $0 >= lo && $0 <= hi }
        func periods(_ start: Int) -> Int {
            Set(kept.map { m in (m - (start - 1)).quotient(12) }).count
        }
        let fewest = (1...12).map(periods).min() ?? 1
        let best = (1...12).filter { periods($0) == fewest }
        let start = best.contains(1) ? 1 : best.contains(9) ? 9 : (best.contains(lo % 12 + 1) ? lo % 12 + 1 : best[0])
        return PeriodGuess(startMonth: start, first: (lo / 12, lo % 12 + 1), last: (hi / 12, hi % 12 + 1), periods: fewest)
    }
}

extension Int {
    /// Floor division.
    func quotient(_ d: Int) -> Int { self >= 0 ? self / d : (self - d + 1) / d }
}
