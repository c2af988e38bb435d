import Records

/// The organisations reached, by name, protected like every count of persons: an organisation is
/// named, with its count, only when at least `k` distinct people from it were on the attendance
/// sheets; the others are only counted together (a small organisation, or a person registered as
/// one, would otherwise be recognisable from its name alone).
public struct OrganisationsReached: Sendable, Equatable {
    /// Named organisations and their distinct people, most people first, then by name.
    public let listed: [Entry]
    /// Organisations with fewer than `k` people: how many, never which.
    public let unnamed: Int
    /// Organisations of `k` people or more whose name was not kept (past the name cache's bound).
    public var nameless = 0

    public struct Entry: Sendable, Equatable {
        public let name: String
        public let people: Int
    }

    /// From distinct people per organisation key and the names read for the keys.
    public static func protect(_ people: PrehashedMap<UInt32>, names: [UInt64: String], k: Int) -> OrganisationsReached {
        var listed: [Entry] = [], large = 0
        people.forEach { key, count in
            guard count >= k else { return }
            large += 1
            if let name = names[key] { listed.append(Entry(name: name, people: Int(count))) }
        }
        listed.sort { ($1.people, $0.name) < ($0.people, $1.name) }
        var reached = OrganisationsReached(listed: listed, unnamed: people.count - large)
        reached.nameless = large - listed.count
        return reached
    }
}
