import CSystem

/// The first slot probed for `key` in a table of `mask + 1` slots (a power of two): the one rule the
/// look-ups, the insertions and the prefetches of `PrehashedMap` and `PrehashedSet` share.
@inlinable
func prehashedHome(_ key: UInt64, mask: Int) -> Int {
    Int(truncatingIfNeeded: (key ^ (key >> 31)) & UInt64(truncatingIfNeeded: mask))
}

/// A map from 64-bit keys that are already well-mixed hashes (FNV of raw bytes) to values.
///
/// Open addressing on the key itself: Swift's `Dictionary` re-hashes every key with SipHash, 6 % of
/// the mapping time for look-ups that almost always hit (docs/performance.md). Keys and values sit
/// side by side, so a probe touches one cache line. Inlinable so that other modules get it
/// specialised.
public struct PrehashedMap<Value> {
    /// `nil` marks an empty slot.
    @usableFromInline var slots: [(key: UInt64, value: Value)?]
    /// `slots.count - 1`, kept beside the storage's reference: `prefetch` reads no more than that.
    @usableFromInline var slotMask: Int
    @usableFromInline var stored = 0

    /// Number of keys stored.
    @inlinable public var count: Int { stored }

    @inlinable
    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = Array(repeating: nil, count: size)
        slotMask = size - 1
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inlinable
    func slot(for key: UInt64) -> Int {
        let mask = slotMask
        var slot = prehashedHome(key, mask: mask)
        while let entry = slots[slot], entry.key != key { slot = (slot + 1) & mask }
        return slot
    }

    /// The value stored under `key`; setting nil is ignored (the caches using this never remove).
    @inlinable
    public subscript(_ key: UInt64) -> Value? {
        get { slots[slot(for: key)]?.value }
        set {
            guard let newValue else { return }
            if (stored + 1) * 4 > slots.count * 3 { grow() }
            let s = slot(for: key)
            if slots[s] == nil { stored += 1 }
            slots[s] = (key, newValue)
        }
    }

    /// Changes the value under `key` in place (`initial` when absent): one probe, where reading the
    /// value and then setting it took two.
    @inlinable
    public mutating func modify(_ key: UInt64, default initial: Value, _ body: (inout Value) -> Void) {
        if (stored + 1) * 4 > slots.count * 3 { grow() }
        let s = slot(for: key)
        var value = slots[s]?.value ?? initial
        if slots[s] == nil { stored += 1 }
        body(&value)
        slots[s] = (key, value)
    }

    /// Starts loading the slot where `key` is (or would go) into this core's cache: a look-up a few
    /// lines later then finds it there instead of waiting for memory. Both ends of the slot: one
    /// wider than 8 bytes may straddle two cache lines. Neither the storage's count nor its
    /// reference count is read (`slotMask`, `_baseAddressIfContiguous`): with thousands of tables (the
    /// walk's organisation sets), the storage's header was itself a cache miss the prefetch waited for.
    @inlinable
    public func prefetch(_ key: UInt64) {
        guard let base = slots._baseAddressIfContiguous else { return }
        let slot = base + prehashedHome(key, mask: slotMask)
        impact_prefetch(slot)
        impact_prefetch(UnsafeRawPointer(slot) + (MemoryLayout<(key: UInt64, value: Value)?>.size - 1))
    }

    /// Inlinable like the subscript: unspecialised, re-inserting every entry goes through generic
    /// metadata look-ups.
    @inlinable
    mutating func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        slotMask = slots.count - 1
        stored = 0
        for case let (key, value)? in old { self[key] = value }
    }
}

extension PrehashedMap {
    /// Every key and value, in slot order (not sorted).
    @inlinable
    public func forEach(_ body: (UInt64, Value) throws -> Void) rethrows {
        for case let (key, value)? in slots { try body(key, value) }
    }
}

extension PrehashedMap: Sendable where Value: Sendable {}

/// A set of 64-bit keys that are already well-mixed hashes: open addressing on the key itself, eight
/// bytes a slot (0 marks an empty slot; the key 0 is kept aside).
///
/// Organisations per cell were sorted arrays, an insertion (a binary search and a shift) per
/// attendance line: 3 % of the 1 GB run (docs/performance.md).
public struct PrehashedSet: Sendable {
    @usableFromInline var slots: [UInt64]
    /// `slots.count - 1`, kept beside the storage's reference: `prefetch` reads no more than that (-1: no storage yet).
    @usableFromInline var slotMask = -1
    @usableFromInline var stored = 0
    @usableFromInline var hasZero = false

    public init() { slots = [] }

    /// A set of `keys`.
    public init<S: Sequence>(_ keys: S) where S.Element == UInt64 {
        slots = []
        for key in keys { insert(key) }
    }

    /// Number of keys stored.
    @inlinable public var count: Int { stored + (hasZero ? 1 : 0) }

    /// Adds `key`; false when it was there already.
    @inlinable @discardableResult
    public mutating func insert(_ key: UInt64) -> Bool {
        if key == 0 {
            defer { hasZero = true }
            return !hasZero
        }
        if (stored + 1) * 4 > slots.count * 3 { grow() }
        let mask = slotMask
        var slot = prehashedHome(key, mask: mask)
        while true {
            let k = slots[slot]
            if k == key { return false }
            if k == 0 { break }
            slot = (slot + 1) & mask
        }
        slots[slot] = key
        stored += 1
        return true
    }

    /// Starts loading the slot where `key` is (or would go), reading nothing first (`PrehashedMap.prefetch`).
    @inlinable
    public func prefetch(_ key: UInt64) {
        guard slotMask > 0, let base = slots._baseAddressIfContiguous else { return }
        impact_prefetch(base + prehashedHome(key, mask: slotMask))
    }

    /// Whether `key` is in the set.
    @inlinable
    public func contains(_ key: UInt64) -> Bool {
        if key == 0 { return hasZero }
        guard slotMask > 0 else { return false }
        let mask = slotMask
        var slot = prehashedHome(key, mask: mask)
        while true {
            let k = slots[slot]
            if k == key { return true }
            if k == 0 { return false }
            slot = (slot + 1) & mask
        }
    }

    /// Adds every key of `other` (an empty set takes `other`'s storage as it is).
    public mutating func formUnion(_ other: PrehashedSet) {
        if count == 0 {
            self = other
            return
        }
        if other.hasZero { hasZero = true }
        for key in other.slots where key != 0 { insert(key) }
    }

    @inlinable
    mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: max(16, old.count * 2))
        slotMask = slots.count - 1
        stored = 0
        for key in old where key != 0 { insert(key) }
    }

    /// Every key, in slot order (not sorted).
    public var keys: [UInt64] {
        var result = slots.filter { $0 != 0 }
        if hasZero { result.append(0) }
        return result
    }
}
