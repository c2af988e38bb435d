import Records

/// Everything the reach indicators need, compact and mergeable.
///
/// Persons and organisations are interned to 32-bit indices and kept per action as sorted arrays:
/// about 4 bytes per participation, against 16+ for a `Set<UInt64>` (measured: the sets took
/// 96 MB of RSS on a 100 MB attendance export, which would not stay under 150 MB at 1 GB).
public struct ReachState: Sendable {
    /// One action with who attended it.
    public struct ActionEntry: Sendable {
        public let record: ActionRecord
        public let period: String
        /// Index of the action's period × territory cell (see `cells`).
        let cell: Int
        /// Listed persons per stakeholder-type index (see `types`), sorted.
        var persons: [[UInt32]] = []

        /// True when attendance lists exist: they then take precedence over declared counts.
        public var hasList: Bool { persons.contains { !$0.isEmpty } }

        func listed(_ type: Int) -> [UInt32] { type < persons.count ? persons[type] : [] }
    }

    /// What adding an attendance line did.
    public enum Listing: Equatable, Sendable {
        case added
        /// The same person was already listed at this action, with the same type.
        case duplicate
        /// The same person was already listed at this action as another stakeholder type.
        case conflict(listedAs: String)
    }

    public private(set) var entries: [ActionEntry] = []
    private var indexByKey: [String: Int] = [:]
    /// Stakeholder type ids by index.
    public private(set) var types: [String] = []
    /// Period × territory pairs that actions fall in, by index.
    public private(set) var cells: [(period: String, territory: String)] = []
    private var cellIndex: [String: Int] = [:]
    /// Organisations of listed persons per cell, then per stakeholder-type index, sorted.
    /// Kept per cell, not per action: only distinct counts per cell are published.
    private(set) var organisationsByCell: [[[UInt32]]] = []
    private var persons = Interner()
    private var organisations = Interner()
    let scheme: PeriodScheme

    public init(scheme: PeriodScheme) { self.scheme = scheme }

    /// Number of distinct persons listed on attendance sheets.
    public var personCount: Int { persons.count }
    var organisationCount: Int { organisations.count }

    /// Adds an accepted, de-duplicated action.
    public mutating func add(_ action: ActionRecord) {
        let key = Fold.key(action.id)
        guard indexByKey[key] == nil else { return }
        let period = scheme.label(for: action.date)
        let cellKey = "\(period)\u{1F}\(action.territory)"
        let cell = cellIndex[cellKey] ?? cells.count
        if cell == cells.count {
            cellIndex[cellKey] = cell
            cells.append((period, action.territory))
            organisationsByCell.append([])
        }
        indexByKey[key] = entries.count
        entries.append(ActionEntry(record: action, period: period, cell: cell))
    }

    /// Organisations listed in a cell for a stakeholder-type index.
    func organisations(cell: Int, type: Int) -> [UInt32] {
        type < organisationsByCell[cell].count ? organisationsByCell[cell][type] : []
    }

    /// The index of the action an id refers to (matched folded), if known.
    public func entryIndex(forID id: String) -> Int? { indexByKey[Fold.key(id)] }

    /// The action an id refers to, if known.
    public func action(forID id: String) -> ActionRecord? { entryIndex(forID: id).map { entries[$0].record } }

    /// Lists a person at the action `entry`, unless already listed there.
    public mutating func add(_ line: AttendanceRecord, at entry: Int) -> Listing {
        let type = index(ofType: line.stakeholderType)
        let person = persons.intern(line.person)
        for (t, list) in entries[entry].persons.enumerated() where t != type && list.sortedContains(person) {
            return .conflict(listedAs: types[t])
        }
        while entries[entry].persons.count <= type { entries[entry].persons.append([]) }
        let at = entries[entry].persons[type].insertionPoint(person)
        if at < entries[entry].persons[type].count && entries[entry].persons[type][at] == person { return .duplicate }
        // Grown by an eighth, not doubled: the lists hold most of the memory at national scale, and
        // doubling left a quarter of it unused on average.
        let count = entries[entry].persons[type].count
        if count == entries[entry].persons[type].capacity { entries[entry].persons[type].reserveCapacity(count + max(4, count / 8)) }
        entries[entry].persons[type].insert(person, at: at)
        if let org = line.organisation { addOrganisation(organisations.intern(org), cell: entries[entry].cell, type: type) }
        return .added
    }

    private mutating func addOrganisation(_ o: UInt32, cell: Int, type: Int) {
        while organisationsByCell[cell].count <= type { organisationsByCell[cell].append([]) }
        let at = organisationsByCell[cell][type].insertionPoint(o)
        if at < organisationsByCell[cell][type].count && organisationsByCell[cell][type][at] == o { return }
        organisationsByCell[cell][type].insert(o, at: at)
    }

    /// Combines another partition's state into this one (indices are re-mapped through the hashes).
    public mutating func merge(_ other: ReachState) {
        for entry in other.entries {
            add(entry.record)
            guard let target = indexByKey[Fold.key(entry.record.id)] else { continue }
            for (t, list) in entry.persons.enumerated() {
                for p in list {
                    let line = AttendanceRecord(actionID: entry.record.id, person: other.persons.hash(of: p),
                                                stakeholderType: other.types[t], organisation: nil, location: entry.record.location)
                    _ = add(line, at: target)
                }
            }
        }
        for (theirCell, byType) in other.organisationsByCell.enumerated() {
            let theirs = other.cells[theirCell]
            guard let cell = cellIndex["\(theirs.period)\u{1F}\(theirs.territory)"] else { continue }
            for (t, list) in byType.enumerated() {
                let type = index(ofType: other.types[t])
                for o in list { addOrganisation(organisations.intern(other.organisations.hash(of: o)), cell: cell, type: type) }
            }
        }
    }

    /// Actions known only by declared counts (no attendance list).
    public var countOnlyActions: Int { entries.filter { !$0.hasList && !$0.record.declaredCounts.isEmpty }.count }

    mutating func index(ofType type: String) -> Int {
        // A handful of types: comparing inline strings beats hashing them.
        if let i = types.firstIndex(of: type) { return i }
        types.append(type)
        return types.count - 1
    }
}

/// 64-bit stable hashes → dense 32-bit indices.
///
/// Open addressing on the hash itself: the keys are already FNV hashes, and Swift's `Dictionary`
/// re-hashing them with SipHash took 11 % of the ingest time on a 100 MB export. The hashes are
/// kept in fixed blocks of 65,536, not one array: doubling a million-entry array copies it while
/// the old one is still alive (8 MB more at the peak for 1 M persons).
struct Interner: Sendable {
    /// Slot → index + 1 (0 = empty); the slot's key is `hash(of: index)`.
    private var slots: [UInt32] = Array(repeating: 0, count: 1024)
    private var blocks: [[UInt64]] = []
    private(set) var count = 0
    private static let blockShift = 16

    /// The hash interned as `index`.
    func hash(of index: UInt32) -> UInt64 {
        blocks[Int(index) >> Self.blockShift][Int(index) & ((1 << Self.blockShift) - 1)]
    }

    mutating func intern(_ hash: UInt64) -> UInt32 {
        var mask = slots.count - 1
        if count * 4 >= slots.count * 3 {
            grow()
            mask = slots.count - 1
        }
        var slot = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(mask))
        while true {
            let entry = slots[slot]
            if entry == 0 {
                if count >> Self.blockShift == blocks.count {
                    blocks.append([])
                    blocks[blocks.count - 1].reserveCapacity(1 << Self.blockShift)
                }
                blocks[blocks.count - 1].append(hash)
                count += 1
                slots[slot] = UInt32(truncatingIfNeeded: count)
                return UInt32(truncatingIfNeeded: count - 1)
            }
            if self.hash(of: entry - 1) == hash { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = []  // freed before the larger table is filled
        var fresh = [UInt32](repeating: 0, count: capacity)
        let mask = UInt64(capacity - 1)
        var i = 0
        for block in blocks {
            for hash in block {
                var slot = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & mask)
                while fresh[slot] != 0 { slot = (slot + 1) & Int(mask) }
                i += 1
                fresh[slot] = UInt32(truncatingIfNeeded: i)
            }
        }
        slots = fresh
    }
}

extension Array where Element == UInt32 {
    /// Binary search in a sorted array.
    func sortedContains(_ value: UInt32) -> Bool {
        let i = insertionPoint(value)
        return i < count && self[i] == value
    }

    func insertionPoint(_ value: UInt32) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// A reusable set of small integers: insert marks a bit, `reset` clears only the words touched.
struct BitSet {
    private var words: [UInt64]
    private var touched: [Int] = []
    private(set) var count = 0

    init(capacity: Int) { words = Array(repeating: 0, count: capacity / 64 + 1) }

    mutating func insert(_ value: UInt32) {
        let w = Int(value >> 6), bit = UInt64(1) << UInt64(value & 63)
        if words[w] == 0 { touched.append(w) }
        if words[w] & bit == 0 { words[w] |= bit; count += 1 }
    }

    mutating func reset() {
        for w in touched { words[w] = 0 }
        touched.removeAll(keepingCapacity: true)
        count = 0
    }
}
