import Records

/// The organisations reached, by name, protected like every count of persons: an organisation is
/// named, with its count, only when at least `k` distinct people from it were on the attendance
/// sheets; the others are only counted together (a small organisation, or a person registered as
/// one, would otherwise be recognisable from its name alone).
public struct OrganisationsReached: Sendable, Equatable {
    /// The largest named organisations (at most the `shown` asked for) and their distinct people,
    /// most people first, then by name.
    public let listed: [Entry]
    /// Organisations of `k` people or more, named: `listed` is the head of their list.
    public var named = 0
    /// Organisations with fewer than `k` people: how many, never which.
    public let unnamed: Int
    /// Organisations of `k` people or more whose name was not kept (past the name cache's bound).
    public var nameless = 0

    public struct Entry: Sendable, Equatable {
        public let name: String
        public let people: Int
    }

    /// From distinct people per organisation key and the names read for the keys, each `render`ed
    /// as shown. Only the `shown` first are listed (a national run names tens of thousands, most
    /// with the same count): kept as they come in a short list in order, which is the head of the
    /// whole list sorted (stable: of two equal entries, the first read comes first).
    public static func protect(_ people: PrehashedMap<UInt32>, names: [UInt64: String], k: Int, shown: Int = .max,
                               render: (String) -> String = { $0 }) -> OrganisationsReached {
        func precedes(_ a: Entry, _ b: Entry) -> Bool { (b.people, a.name) < (a.people, b.name) }
        var listed: [Entry] = [], named = 0, nameless = 0
        people.forEach { key, count in
            guard count >= k else { return }
            guard let name = names[key] else { return nameless += 1 }
            named += 1
            if listed.count >= shown, let last = listed.last, Int(count) < last.people { return }  // not rendered
            let entry = Entry(name: render(name), people: Int(count))
            if shown == .max { return listed.append(entry) }
            if listed.count >= shown, let last = listed.last, !precedes(entry, last) { return }
            // After every entry it does not precede (an equal one read before stays first).
            var (low, high) = (0, listed.count)
            while low < high {
                let middle = (low + high) / 2
                if precedes(entry, listed[middle]) { high = middle } else { low = middle + 1 }
            }
            listed.insert(entry, at: low)
            if listed.count > shown { listed.removeLast() }
        }
        if shown == .max { listed.sort(by: precedes) }
        var reached = OrganisationsReached(listed: listed, unnamed: people.count - named - nameless)
        reached.named = named
        reached.nameless = nameless
        return reached
    }
}
