import Records

/// Responses as read, de-duplicated (one per respondent and wave), then paired and aggregated.
public struct PerceptionState: Sendable {
    struct Slot: Hashable {
        let period: String
        let territory: String
        let type: String
        let respondent: UInt64
    }

    struct Stored {
        let response: SurveyResponse
        /// Reading order, to break ties between responses of the same date.
        let sequence: Int
        let source: Int
    }

    let questionnaire: Questionnaire
    let scheme: PeriodScheme
    private var slots: [Slot: [Wave: Stored]] = [:]
    private var sequence = 0

    public init(questionnaire: Questionnaire, scheme: PeriodScheme) {
        self.questionnaire = questionnaire
        self.scheme = scheme
    }

    /// Adds a response; a respondent answering twice in a wave keeps the latest (by date, then by
    /// reading order). Returns the source index of the response that was dropped as a duplicate.
    public mutating func add(_ response: SurveyResponse, source: Int) -> Int? {
        let slot = Slot(period: scheme.label(for: response.date), territory: response.territory,
                        type: response.stakeholderType, respondent: response.respondent)
        sequence += 1
        let new = Stored(response: response, sequence: sequence, source: source)
        guard let old = slots[slot]?[response.wave] else {
            slots[slot, default: [:]][response.wave] = new
            return nil
        }
        if response.date >= old.response.date {
            slots[slot]?[response.wave] = new
            return old.source
        }
        return source
    }

    /// The responses kept after de-duplication that carry a comment, in reading order (what the
    /// themes read; copying every response took 31 MB at 1 GB of inputs).
    public var keptResponsesWithComments: [SurveyResponse] {
        slots.values.flatMap { $0.values.filter { !($0.response.comment ?? "").isEmpty } }
            .sorted { ($0.source, $0.sequence) < ($1.source, $1.sequence) }.map(\.response)
    }

    /// A multiple of every possible count of answered items in a dimension (1 … largest dimension).
    var scale: Int {
        let largest = questionnaire.itemsByDimension.map(\.items.count).max() ?? 1
        var l = 1
        for i in 1...max(1, largest) { l = l / gcd(l, i) * i }
        return l
    }

    /// Pairs each respondent's answers and adds them to the histograms.
    public func aggregate() -> PerceptionAggregate {
        var aggregate = PerceptionAggregate(scale: scale)
        let l = scale
        let dimensions = questionnaire.itemsByDimension
        func key(_ slot: Slot, _ design: String, _ dimension: String, _ category: String) -> PerceptionAggregate.Key {
            .init(period: slot.period, territory: slot.territory, stakeholderType: slot.type, design: design,
                  dimension: dimension, category: category)
        }
        /// Item and composite pairs of one respondent's before/after answers.
        func addPairs(_ slot: Slot, _ design: String, before: [UInt8], after: [UInt8]) {
            for (i, item) in questionnaire.items.enumerated() where before[i] > 0 && after[i] > 0 {
                aggregate.addPair(key(slot, design, "item", item.id), before: Int(before[i]) * l, after: Int(after[i]) * l)
            }
            for (dimension, items) in dimensions {
                // The same items at both times, at least half of the dimension's (rounded up).
                let both = items.filter { before[$0] > 0 && after[$0] > 0 }
                guard !both.isEmpty, both.count * 2 >= items.count else { continue }
                let b = both.reduce(0) { $0 + Int(before[$1]) } * l / both.count
                let a = both.reduce(0) { $0 + Int(after[$1]) } * l / both.count
                aggregate.addPair(key(slot, design, "dimension", dimension), before: b, after: a)
            }
        }
        func addSingle(_ slot: Slot, answers: [UInt8], pre: Bool) {
            for (i, item) in questionnaire.items.enumerated() where answers[i] > 0 {
                aggregate.addUnpaired(key(slot, "prospective", "item", item.id), value: Int(answers[i]) * l, pre: pre)
            }
            for (dimension, items) in dimensions {
                let answered = items.filter { answers[$0] > 0 }
                guard !answered.isEmpty, answered.count * 2 >= items.count else { continue }
                let v = answered.reduce(0) { $0 + Int(answers[$1]) } * l / answered.count
                aggregate.addUnpaired(key(slot, "prospective", "dimension", dimension), value: v, pre: pre)
            }
        }
        for (slot, waves) in slots {
            if let retro = waves[.retrospective] {
                addPairs(slot, "retrospective", before: retro.response.before, after: retro.response.answers)
            }
            switch (waves[.pre], waves[.post]) {
            case let (pre?, post?): addPairs(slot, "prospective", before: pre.response.answers, after: post.response.answers)
            case let (pre?, nil): addSingle(slot, answers: pre.response.answers, pre: true)
            case let (nil, post?): addSingle(slot, answers: post.response.answers, pre: false)
            case (nil, nil): break
            }
            // Reliability: every response's current answers, complete cases per dimension.
            for stored in waves.values {
                for (dimension, items) in dimensions where items.allSatisfy({ stored.response.answers[$0] > 0 }) {
                    aggregate.addReliabilityCase(type: slot.type, dimension: dimension,
                                                 values: items.map { Double(stored.response.answers[$0]) })
                }
            }
        }
        return aggregate
    }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
