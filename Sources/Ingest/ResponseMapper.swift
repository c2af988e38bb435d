import PipelineFile
import Records

/// Maps a questionnaire response: respondent, territory, date, stakeholder type, wave, and each
/// item's answer scored 1–5 (0: no answer), reverse-coded items flipped.
final class ResponseMapper: RecordMapper {
    let source: SourceConfig
    let config: PipelineConfig
    /// The questionnaire, held here: read through `config` (a struct), it was copied, its arrays
    /// and vocabularies retained and released, once per item of every row.
    let questionnaire: Questionnaire
    /// Raw answer (its trimmed bytes' hash) → its score before any reverse coding, 0 for a
    /// missing-answer label: a survey repeats a handful of labels, each folded and looked up in two
    /// vocabularies per answer otherwise. Only scores are kept (a label off the scale is read, and
    /// rejected, each time); at most `scoreLimit` labels. Two labels whose bytes share a 64-bit
    /// FNV-1a hash would share a score, as in the label caches of `ResolutionCache`.
    private var scores = PrehashedMap<Score>(capacity: 64)
    private static let scoreLimit = 4_096

    private struct Score {
        let value: UInt8
        /// The label's bytes were read as Windows-1252.
        let fellBack: Bool
    }

    init(source: SourceConfig, config: PipelineConfig) {
        self.source = source
        self.config = config
        questionnaire = config.questionnaire
    }

    @inline(__always)
    func map(_ fields: inout FieldReader) -> MappedRecord {
        let respondent = fields.required("respondent")
        let territory = fields.vocabulary("territory", config.territories, .unknownTerritory)
        let day = fields.date("date")
        let type = source.fixedStakeholderType ?? fields.vocabulary("stakeholder_type", config.stakeholderTypes, .unknownStakeholderType)
        let wave = self.wave(&fields)
        var answers = [UInt8](repeating: 0, count: questionnaire.items.count)
        var before = wave == .retrospective ? answers : []
        for (item, answerColumn, beforeColumn) in fields.binding.itemIndices {
            if let s = score(&fields, answerColumn, item: item) { answers[item] = s }
            if let beforeColumn, let s = score(&fields, beforeColumn, item: item) { before[item] = s }
        }
        guard fields.rejects.isEmpty, let respondent, let territory, let day, let type, let wave else { return .rejected(fields.rejects) }
        return .response(SurveyResponse(respondent: fields.key.hash(Fold.key(respondent)), stakeholderType: type,
                                        territory: territory, date: day, wave: wave, answers: answers, before: before,
                                        comment: fields.text("comment"), location: fields.location))
    }

    /// The source's wave, or the row's (`wave: column`).
    func wave(_ fields: inout FieldReader) -> Wave? {
        switch source.wave {
        case .fixed(let w): return w
        case .column:
            guard let raw = fields.required("wave") else { return nil }
            if let id = questionnaire.waves.resolve(raw), let w = Wave(rawValue: id) { return w }
            fields.reject("wave", raw, .unknownWave, "'\(raw)' is not a wave; add it to questionnaire.waves (pre or post)")
            return nil
        }
    }

    /// The answer in `column` to `item`: 1–5, 0 when blank or a missing-answer label, nil (and a
    /// reject) when it is not on the scale.
    func score(_ fields: inout FieldReader, _ column: Int, item: Int) -> UInt8? {
        let (hash, isEmpty) = fields.row.trimmedFieldHash(column)
        if isEmpty { return 0 }
        let value: Int
        if let known = scores[hash] {
            if known.fellBack { fields.fellBack = true }
            value = Int(known.value)
        } else {
            let (raw, fellBack) = fields.decoded(column)
            if questionnaire.missing.resolve(raw) != nil {
                value = 0
            } else if let n = Int(raw), (1...5).contains(n) {
                value = n
            } else if let id = questionnaire.scale.resolve(raw), let n = Int(id) {
                value = n
            } else {
                fields.reject("item.\(questionnaire.items[item].id)", raw, .likertValue,
                              "'\(raw)' is not an answer on the 1–5 scale; add it to questionnaire.scale or questionnaire.missing")
                return nil
            }
            if scores.count < Self.scoreLimit { scores[hash] = Score(value: UInt8(value), fellBack: fellBack) }
        }
        if value == 0 { return 0 }
        // Reverse-coded items are flipped before anything else.
        return UInt8(questionnaire.items[item].reverse ? 6 - value : value)
    }
}
