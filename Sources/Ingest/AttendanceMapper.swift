import PipelineFile
import Records

/// Maps a row of an attendance sheet: the action, the person (as a keyed pseudonym), their
/// stakeholder type and organisation. The hot path of a national run: the columns read on every
/// line are looked up once per file (`ColumnBinding`), and the person is hashed from the bytes.
final class AttendanceMapper: RecordMapper {
    let stakeholderTypes: Vocabulary
    /// Organisations named on the sheets, for the report's list of organisations reached.
    let organisationNames: OrganisationNames

    init(stakeholderTypes: Vocabulary, organisationNames: OrganisationNames) {
        self.stakeholderTypes = stakeholderTypes
        self.organisationNames = organisationNames
    }

    @inline(__always)
    func map(_ fields: inout FieldReader) -> MappedRecord {
        // Unowned, as the reader holds it: a strong local was retained and released per row.
        unowned(unsafe) let binding = fields.binding
        let actionID = fields.required("action_id", at: binding.actionID)
        // The person's key straight from the bytes (no string): the same hash as the string path.
        let key = fields.key
        let person = binding.person.flatMap { fields.row.foldedKeyHash($0, key: key) }
            ?? fields.required("person", at: binding.person).map { key.hash(Fold.key($0)) }
        let type = fields.vocabulary("stakeholder_type", stakeholderTypes, .unknownStakeholderType, at: binding.stakeholderType)
        guard fields.rejects.isEmpty, let actionID, let person, let type else { return .rejected(fields.rejects) }
        let organisation = fields.organisation(at: binding.organisation)
        if let organisation, let i = binding.organisation { organisationNames.offer(organisation) { fields.field(i) } }
        return .attendance(AttendanceRecord(actionID: actionID, person: person, stakeholderType: type,
                                            organisation: organisation, location: fields.location))
    }
}
