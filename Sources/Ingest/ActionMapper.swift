import PipelineFile
import Records

/// Maps a row of an actions source: id, date, territory, action type, organiser, duration and
/// declared participant counts.
final class ActionMapper: RecordMapper {
    let config: PipelineConfig

    init(config: PipelineConfig) { self.config = config }

    @inline(__always)
    func map(_ fields: inout FieldReader) -> MappedRecord {
        let id = fields.required("action_id")
        let day = fields.date("date")
        let territory = fields.vocabulary("territory", config.territories, .unknownTerritory)
        let actionType = fields.vocabulary("action_type", config.actionTypes, .unknownActionType)
        let duration = fields.quantity("duration_hours", example: "a duration in hours (e.g. 2 or 1,5)")
        let counts = Self.counts(&fields)
        guard fields.rejects.isEmpty, let id, let day, let territory, let actionType else { return .rejected(fields.rejects, actionID: id) }
        return .action(ActionRecord(id: id, date: day, territory: territory, actionType: actionType,
                                    organiser: fields.text("organiser"), durationHours: duration, declaredCounts: counts,
                                    location: fields.location))
    }

    /// Declared participants per stakeholder type (blank cells left out).
    static func counts(_ fields: inout FieldReader) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (type, index) in fields.binding.countIndices {
            let raw = fields.field(index)
            if raw.isEmpty { continue }
            switch NumberParser.count(raw) {
            case .success(let n): counts[type] = n
            case .failure(.negative): fields.reject("counts.\(type)", raw, .numberNegative, "a participant count cannot be negative")
            case .failure: fields.reject("counts.\(type)", raw, .numberFormat, "'\(raw)' is not a whole number of participants")
            }
        }
        return counts
    }
}
