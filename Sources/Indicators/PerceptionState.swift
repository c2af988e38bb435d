import Records

/// Responses as read, de-duplicated (one per respondent and wave), then paired and aggregated.
///
/// Kept compact, as a respondent's first answer must wait for the second: a fixed-size entry per
/// respondent and wave, answers in one byte arena, whole responses only for those with a comment
/// (the themes read them): a tenth of a `SurveyResponse` each (docs/performance.md).
public struct PerceptionState: Sendable {
    /// Respondent × (period, territory, stakeholder type) cell × wave.
    struct Key: Hashable {
        let respondent: UInt64
        let cell: UInt32
        let wave: UInt8
    }

    /// What is kept of a response: enough to order duplicates and to pair answers.
    struct Kept {
        /// yyyymmdd, ordered as dates are.
        let day: Int32
        /// Reading order, to break ties between responses of the same date.
        let sequence: UInt32
        let source: UInt16
        let answerCount: UInt16
        let beforeCount: UInt16
        /// Where the answers (then the "before" answers) start in `arena`.
        let offset: UInt32
    }

    let questionnaire: Questionnaire
    let scheme: PeriodScheme
    private var kept: [Key: Kept] = [:]
    private var cells: [(period: String, territory: String, type: String)] = []
    private var cellIndex: [String: UInt32] = [:]
    private var arena: [UInt8] = []
    /// The kept responses that carry a comment, whole.
    private var commented: [Key: SurveyResponse] = [:]
    private var sequence: UInt32 = 0

    /// A wave's code in `Key` (the pairing walk reads 0, 1, 2 as pre, post, retrospective).
    private static func code(_ wave: Wave) -> UInt8 {
        switch wave {
        case .pre: return 0
        case .post: return 1
        case .retrospective: return 2
        }
    }

    public init(questionnaire: Questionnaire, scheme: PeriodScheme) {
        self.questionnaire = questionnaire
        self.scheme = scheme
    }

    /// Adds a response; a respondent answering twice in a wave keeps the latest (`RecordRules.laterAnswerReplaces`).
    /// Returns the source index of the response that was dropped as a duplicate.
    public mutating func add(_ response: SurveyResponse, source: Int) -> Int? {
        let period = scheme.label(for: response.date)
        let cellKey = "\(period)\u{1F}\(response.territory)\u{1F}\(response.stakeholderType)"
        let cell = cellIndex[cellKey] ?? {
            let c = UInt32(cells.count)
            cellIndex[cellKey] = c
            cells.append((period, response.territory, response.stakeholderType))
            return c
        }()
        let key = Key(respondent: response.respondent, cell: cell, wave: Self.code(response.wave))
        sequence += 1
        let day = Int32(response.date.year * 10_000 + response.date.month * 100 + response.date.day)
        if let old = kept[key] {
            let identical = day == old.day && answers(old) == response.answers && before(old) == response.before
                && commented[key]?.comment == response.comment.flatMap { $0.isEmpty ? nil : $0 }
            guard RecordRules.laterAnswerReplaces(day: Int(day), keptDay: Int(old.day), identical: identical) else { return source }
            store(response, key: key, day: day, source: source)
            return Int(old.source)
        }
        store(response, key: key, day: day, source: source)
        return nil
    }

    private mutating func store(_ response: SurveyResponse, key: Key, day: Int32, source: Int) {
        let offset = UInt32(arena.count)
        arena.append(contentsOf: response.answers)
        arena.append(contentsOf: response.before)
        kept[key] = Kept(day: day, sequence: sequence, source: UInt16(source), answerCount: UInt16(response.answers.count),
                         beforeCount: UInt16(response.before.count), offset: offset)
        if let comment = response.comment, !comment.isEmpty { commented[key] = response } else { commented[key] = nil }
    }

    private func answers(_ k: Kept) -> [UInt8] { Array(arena[Int(k.offset)..<Int(k.offset) + Int(k.answerCount)]) }
    private func before(_ k: Kept) -> [UInt8] {
        let start = Int(k.offset) + Int(k.answerCount)
        return Array(arena[start..<start + Int(k.beforeCount)])
    }

    /// The responses kept after de-duplication that carry a comment, in reading order (what the themes read).
    public var keptResponsesWithComments: [SurveyResponse] {
        commented.compactMap { key, response in kept[key].map { (order: (Int($0.source), $0.sequence), response: response) } }
            .sorted { $0.order < $1.order }.map(\.response)
    }

    /// A multiple of every possible count of answered items in a dimension (1 … largest dimension).
    var scale: Int {
        let largest = questionnaire.itemsByDimension.map(\.items.count).max() ?? 1
        var l = 1
        for i in 1...max(1, largest) { l = l / gcd(l, i) * i }
        return l
    }

    /// Every respondent key kept (to find respondents on the attendance sheets).
    public var respondents: Set<UInt64> { Set(kept.keys.map(\.respondent)) }

    /// Pairs each respondent's answers and adds them to the histograms; with `attendance`, also the
    /// response rates' numerators and the pairs by format attended. The respondents are split over
    /// `parts` threads (default: one per core); the counts are the same whatever the split.
    public func aggregate(attendance: RespondentAttendance? = nil, parts: Int? = nil) -> PerceptionAggregate {
        let parts = max(1, parts ?? Cores.available)
        let tallies = Parallel.map(parts, parts: parts) { range in range.map { tally(part: $0, of: parts, attendance: attendance) } }
        var total = tallies[0]
        for tally in tallies.dropFirst() { total.merge(tally) }
        // Pairs and single values are counted per compact key (cell, design, item or dimension) and
        // rolled up into the cells named by strings once per key: hashing six strings for each of
        // four roll-ups per pair was half of the 1 GB run's indicator stage (docs/performance.md).
        let dimensions = questionnaire.itemsByDimension
        func key(_ slot: Slot) -> PerceptionAggregate.Key {
            let c = cells[Int(slot.cell)]
            return .init(period: c.period, territory: c.territory, stakeholderType: c.type, design: slot.design,
                         dimension: slot.dimension ? "dimension" : "item",
                         category: slot.dimension ? dimensions[slot.index].dimension : questionnaire.items[slot.index].id)
        }
        var aggregate = total.aggregate
        for (slot, histogram) in total.pairs { aggregate.addPairs(key(slot), histogram) }
        for (slot, histogram) in total.singles { aggregate.addUnpaired(key(slot), histogram, pre: slot.pre) }
        return aggregate
    }

    /// What one part of the respondents (those whose key is `part` modulo `parts`) adds: a
    /// respondent's waves all fall in one part, so the parts' counts of persons simply add up.
    private struct Tally {
        var pairs: [Slot: [PerceptionAggregate.Pair: Int]] = [:]
        var singles: [Slot: [Int: Int]] = [:]
        /// Reliability sums, pairs by format, response-rate numerators and linkage.
        var aggregate: PerceptionAggregate

        mutating func merge(_ other: Tally) {
            for (slot, histogram) in other.pairs { pairs[slot, default: [:]].merge(histogram, uniquingKeysWith: +) }
            for (slot, histogram) in other.singles { singles[slot, default: [:]].merge(histogram, uniquingKeysWith: +) }
            aggregate.merge(other.aggregate)
        }
    }

    private func tally(part: Int, of parts: Int, attendance: RespondentAttendance?) -> Tally {
        var tally = Tally(aggregate: PerceptionAggregate(scale: scale))
        let l = scale
        let dimensions = questionnaire.itemsByDimension
        var formats = FormatTally(attendance: attendance)
        /// Item and composite pairs of one respondent's before/after answers.
        func addPairs(_ respondent: UInt64, _ cell: UInt32, _ design: SurveyDesign, before: [UInt8], after: [UInt8]) {
            var any = false
            for i in questionnaire.items.indices where before[i] > 0 && after[i] > 0 {
                tally.pairs[Slot(cell: cell, design: design, dimension: false, index: i), default: [:]][.init(before: Int(before[i]) * l, after: Int(after[i]) * l), default: 0] += 1
                any = true
            }
            let c = cells[Int(cell)]
            if any { formats.responded(respondent, period: c.period, territory: c.territory, type: c.type, design: design) }
            for (d, (dimension, items)) in dimensions.enumerated() {
                // The same items at both times, at least half of the dimension's (rounded up).
                let both = items.filter { before[$0] > 0 && after[$0] > 0 }
                guard !both.isEmpty, both.count * 2 >= items.count else { continue }
                let b = both.reduce(0) { $0 + Int(before[$1]) } * l / both.count
                let a = both.reduce(0) { $0 + Int(after[$1]) } * l / both.count
                tally.pairs[Slot(cell: cell, design: design, dimension: true, index: d), default: [:]][.init(before: b, after: a), default: 0] += 1
                for format in formats.keys(respondent, period: c.period, type: c.type, design: design, dimension: dimension) {
                    tally.aggregate.addFormatPair(format, before: b, after: a)
                }
            }
        }
        func addSingle(_ cell: UInt32, answers: [UInt8], pre: Bool) {
            for i in questionnaire.items.indices where answers[i] > 0 {
                tally.singles[Slot(cell: cell, design: .prospective, dimension: false, index: i, pre: pre), default: [:]][Int(answers[i]) * l, default: 0] += 1
            }
            for (d, (_, items)) in dimensions.enumerated() {
                let answered = items.filter { answers[$0] > 0 }
                guard !answered.isEmpty, answered.count * 2 >= items.count else { continue }
                let v = answered.reduce(0) { $0 + Int(answers[$1]) } * l / answered.count
                tally.singles[Slot(cell: cell, design: .prospective, dimension: true, index: d, pre: pre), default: [:]][v, default: 0] += 1
            }
        }
        let (pre, post, retro) = (UInt8(0), UInt8(1), UInt8(2))
        for (k, entry) in kept where k.respondent % UInt64(parts) == UInt64(part) {
            let other = { (wave: UInt8) in kept[Key(respondent: k.respondent, cell: k.cell, wave: wave)] }
            switch k.wave {
            case retro: addPairs(k.respondent, k.cell, .retrospective, before: before(entry), after: answers(entry))
            case pre:
                if let later = other(post) { addPairs(k.respondent, k.cell, .prospective, before: answers(entry), after: answers(later)) }
                else { addSingle(k.cell, answers: answers(entry), pre: true) }
            default:
                if other(pre) == nil { addSingle(k.cell, answers: answers(entry), pre: false) }
            }
            let c = cells[Int(k.cell)]
            formats.respondent(k.respondent, period: c.period, type: c.type)
            // Reliability on one wave, the same rule for both designs: the "before" answers (a pooled
            // before + after sample counts people twice and the shift itself inflates alpha).
            guard k.wave != post else { continue }
            let design: SurveyDesign = k.wave == retro ? .retrospective : .prospective
            let baseline = k.wave == retro ? before(entry) : answers(entry)
            for (dimension, items) in dimensions where items.allSatisfy({ baseline[$0] > 0 }) {
                tally.aggregate.addReliabilityCase(type: c.type, design: design, dimension: dimension, values: items.map { Double(baseline[$0]) })
            }
        }
        formats.finish(into: &tally.aggregate)
        return tally
    }

    /// A cell, design and item (or dimension) by indices: what `aggregate` counts under before
    /// naming it; `pre` tells single "before" values from "after" ones.
    private struct Slot: Hashable {
        let cell: UInt32
        let design: SurveyDesign
        let dimension: Bool
        let index: Int
        var pre = false
    }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
