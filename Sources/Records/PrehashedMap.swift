/// A map from 64-bit keys that are already well-mixed hashes (FNV of raw bytes) to values.
///
/// Open addressing on the key itself: Swift's `Dictionary` re-hashes every key with SipHash,
/// which took 6 % of the mapping time for look-ups that almost always hit. Inlinable so that
/// other modules get it specialised (unspecialised, generic metadata look-ups cost as much).
public struct PrehashedMap<Value> {
    @usableFromInline var keys: [UInt64]
    @usableFromInline var values: [Value?]
    @usableFromInline var used: [Bool]
    @usableFromInline var stored = 0

    /// Number of keys stored.
    @inlinable public var count: Int { stored }

    @inlinable
    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: nil, count: size)
        used = Array(repeating: false, count: size)
    }

    @inlinable
    func slot(for key: UInt64) -> Int {
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: (key ^ (key >> 31)) & UInt64(mask))
        while used[slot] && keys[slot] != key { slot = (slot + 1) & mask }
        return slot
    }

    /// The value stored under `key`; setting nil is ignored (the caches using this never remove).
    @inlinable
    public subscript(_ key: UInt64) -> Value? {
        get {
            let s = slot(for: key)
            return used[s] ? values[s] : nil
        }
        set {
            guard let newValue else { return }
            if (stored + 1) * 4 > keys.count * 3 { grow() }
            let s = slot(for: key)
            if !used[s] {
                used[s] = true
                keys[s] = key
                stored += 1
            }
            values[s] = newValue
        }
    }

    @usableFromInline
    mutating func grow() {
        let (oldKeys, oldValues, oldUsed) = (keys, values, used)
        let size = keys.count * 2
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: nil, count: size)
        used = Array(repeating: false, count: size)
        stored = 0
        for i in oldKeys.indices where oldUsed[i] { self[oldKeys[i]] = oldValues[i] }
    }
}

extension PrehashedMap: Sendable where Value: Sendable {}
