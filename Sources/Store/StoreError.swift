import Records

/// What can go wrong with the store, said so that the user knows what to do.
public enum StoreError: ImpactError {
    /// A blob or row the store cannot read back.
    case corrupt(String)
    /// SQLite refused: path and its message.
    case database(path: String, message: String)
    /// The store was written by a newer version of the tool.
    case newerSchema(path: String)

    public var description: String {
        switch self {
        case .corrupt(let what):
            return "the store is corrupt (\(what)); delete it and run `impact refresh` again to rebuild it from the inputs"
        case .database(let path, let message):
            return "\(path): \(message)"
        case .newerSchema(let path):
            return "\(path) was written by a newer version of impact; upgrade impact or point `store:` elsewhere"
        }
    }
}
