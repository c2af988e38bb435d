/// The organisations reached, by name, protected like every count of persons: an organisation is
/// named, with its count, only when at least `k` distinct people from it were on the attendance
/// sheets; the others are only counted together (a small organisation, or a person registered as
/// one, would otherwise be recognisable from its name alone).
public struct OrganisationsReached: Sendable, Equatable {
    /// Named organisations and their distinct people, most people first, then by name.
    public let listed: [Entry]
    /// Organisations with fewer than `k` people: how many, never which.
    public let unnamed: Int

    public struct Entry: Sendable, Equatable {
        public let name: String
        public let people: Int
    }

    /// From distinct people per organisation key and the names read for the keys.
    public static func protect(_ people: [UInt64: Int], names: [UInt64: String], k: Int) -> OrganisationsReached {
        let listed = people.compactMap { key, count -> Entry? in
            guard count >= k, let name = names[key] else { return nil }
            return Entry(name: name, people: count)
        }.sorted { ($1.people, $0.name) < ($0.people, $1.name) }
        return OrganisationsReached(listed: listed, unnamed: people.count - listed.count)
    }
}
