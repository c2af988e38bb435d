/// What a source holds once mapped (the pipeline file's `kind`).
public enum SourceKind: String, CaseIterable, Codable, Sendable {
    case actions
    case attendance
    case responses
    case pathway
}
