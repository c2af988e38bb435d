import PipelineFile
import Records

/// Maps a step of a candidate's route: candidate, event kind, date, territory, employer and
/// referrer (pseudonyms), referrer type, contract type and length, action.
final class PathwayMapper: RecordMapper {
    let config: PipelineConfig

    init(config: PipelineConfig) { self.config = config }

    @inline(__always)
    func map(_ fields: inout FieldReader) -> MappedRecord {
        let candidate = fields.required("candidate")
        let kind = fields.vocabulary("event", config.eventKinds, .unknownEventKind).flatMap(EventKind.init(rawValue:))
        let day = fields.date("date")
        let territory = fields.vocabulary("territory", config.territories, .unknownTerritory)
        let referrerType = fields.optionalVocabulary("referrer_type", config.referrerTypes, .unknownReferrerType)
        let (contract, months) = contractTerms(&fields)
        guard fields.rejects.isEmpty, let candidate, let kind, let day, let territory else { return .rejected(fields.rejects) }
        return .pathway(PathwayEvent(candidate: fields.key.hash(Fold.key(candidate)), kind: kind, date: day, territory: territory,
                                     employer: fields.organisation("employer"), referrer: fields.organisation("referrer"),
                                     referrerType: referrerType, contractType: contract, contractMonths: months,
                                     actionID: fields.text("action_id"), location: fields.location))
    }

    /// The contract's type and length in months: from `contract` ("CDD 6 mois"), then its start and
    /// end dates, then `contract_months`, each later one winning.
    func contractTerms(_ fields: inout FieldReader) -> (type: String?, months: Double?) {
        var contract: String?, months: Double?
        if let raw = fields.text("contract") {
            let parsed = ContractParser.parse(raw, vocabulary: config.contractTypes)
            contract = parsed.type
            months = parsed.months
            if contract == nil {
                fields.reject("contract", raw, .unknownContractType,
                              "'\(raw)' is not a known contract type; add it as an alias in the pipeline file's vocabularies.contract_type")
            }
        }
        if fields.text("contract_start") != nil || fields.text("contract_end") != nil, let start = fields.date("contract_start"),
           let end = fields.date("contract_end") {
            months = start.months(through: end)
        }
        if let length = fields.quantity("contract_months", example: "a length in months (e.g. 6 or 7,5)") { months = length }
        return (contract, months)
    }
}
