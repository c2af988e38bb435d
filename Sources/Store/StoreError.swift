import Records

/// What can go wrong with the store, said so that the user knows what to do.
public enum StoreError: ImpactError {
    /// A blob or row the store cannot read back.
    case corrupt(String)
    /// SQLite refused: path and its message.
    case database(path: String, message: String)
    /// The store was written by a newer version of the tool.
    case newerSchema(path: String)
    /// The store holds person keys hashed without a key (made before keyed pseudonyms).
    case unkeyed(path: String)
    /// The store or state was made under another pseudonym key.
    case otherKey(path: String, stored: String, expected: String)

    public var description: String {
        switch self {
        case .corrupt(let what):
            return "the store is corrupt (\(what)); delete it and run `impact refresh` again to rebuild it from the inputs"
        case .database(let path, let message):
            let advice: String
            if message.contains("not a database") {
                advice = "give a file written by `impact refresh` (outputs.store) or `impact run --emit-state`"
            } else if message.contains("unable to open") {
                advice = "check that the path names a file in a folder impact may write (outputs.store, --emit-state)"
            } else {
                advice = "check the file, or delete it and run `impact refresh` again to rebuild it from the inputs"
            }
            return "cannot use the SQLite file \(path): \(message); \(advice)"
        case .newerSchema(let path):
            return "\(path) was written by a newer version of impact; upgrade impact or point `store:` elsewhere"
        case .unkeyed(let path):
            return "\(path) was made by an older impact that kept person keys as unkeyed hashes (a list of e-mails could test them): "
                + "move it aside and run again to rebuild it from the inputs (records of exports no longer in the inputs cannot be carried over)"
        case .otherKey(let path, let stored, let expected):
            return "\(path) was made under another pseudonym key (fingerprint \(stored.prefix(12)), this run's \(expected.prefix(12))): "
                + "a store and its refreshes, and partitions and their merge, must share one key (privacy.key_file or key_env)"
        }
    }
}
