import DequeModule
import Foundation
import Records

/// CSV rows mapped on several cores (`ParallelBatches.run(workers:…)`): each worker maps with its own
/// `RowMapper` (caches included) and only notes the names it met first; the consumer keeps them in
/// the file's order, so the names and organisations kept are the one-thread ones.
extension SourceMapper {
    /// Threads mapping rows: one on one core; else the cores the process may run on but two (the
    /// splitting thread and the aggregating one keep them busy), at least 2 and at most 8. On 2 cores
    /// one worker alone was the read's longest thread, and the others waited for it (docs/performance.md).
    /// `IMPACT_MAPPING_WORKERS` overrides it, for benchmarks.
    static var defaultMappingWorkers: Int {
        if let text = ProcessInfo.processInfo.environment["IMPACT_MAPPING_WORKERS"], let n = Int(text), n > 0 { return min(n, 64) }
        return mappingWorkers(cores: Cores.available)
    }

    /// The default worker count for `cores` cores.
    static func mappingWorkers(cores: Int) -> Int { cores < 2 ? 1 : max(2, min(cores - 2, 8)) }

    /// A batch of rows mapped by a worker, with the names it met first (for the consumer to keep in
    /// the file's order) and how many rows had a field read as Windows-1252.
    struct MappedBatch: Sendable {
        /// Taken by the consumer one at a time, moved out (`emitLookingAhead`); hand the batch over with `consume`.
        var records: Deque<MappedRecord>
        var names: [(key: UInt64, name: String)]
        var organisations: [(key: UInt64, name: String)]
        var fallbacks: Int
    }

    /// A worker's row mapper: this source's checks and mapper, its names noted, not kept.
    func makeWorker() -> RowMapper {
        RowMapper(source: source, config: config, key: rows.context.key, organisationNames: OrganisationNames(recording: true), recording: true)
    }

    /// Consumer: keeps the names a worker met first, in their order, then emits its records.
    func keep(_ batch: consuming MappedBatch, emit: (MappedRecord) throws -> Void) throws {
        for (hash, name) in batch.names { _ = rows.names.offer(hash, { (name, false) }, fallsBack: { false }) }
        for (key, name) in batch.organisations { organisationNames.offer(key) { name } }
        var records = Deque<MappedRecord>()
        swap(&records, &batch.records)
        try emitLookingAhead(consume records, emit: emit)
    }

    /// Emits `records` in order, each given to `lookAhead` (when set) `lookAheadDistance` records
    /// before. Each record is moved out of the queue: iterating an array copied each one (retaining
    /// its texts), then the copy and the array each released them, on the aggregating thread.
    /// The queue must reach here unshared (no other reference left on the way from the worker: hence
    /// the `consume`s): a shared one is copied whole by its first `popFirst`.
    func emitLookingAhead(_ records: consuming Deque<MappedRecord>, emit: (MappedRecord) throws -> Void) throws {
        guard let lookAhead else {
            while let record = records.popFirst() { try emit(record) }
            return
        }
        let distance = Self.lookAheadDistance
        for i in 0..<min(distance, records.count) {
            if let key = records[i].lookAheadKey { lookAhead(key) }
        }
        // The record `distance` places after the first, seen before the first is emitted.
        while !records.isEmpty {
            if distance < records.count, let key = records[distance].lookAheadKey { lookAhead(key) }
            try emit(records.removeFirst())
        }
    }

    /// How many records ahead `lookAhead` sees: enough for a load from memory to arrive before its
    /// record is emitted, few enough that what it loaded is still in the cache then.
    static let lookAheadDistance = 8
}

extension RowMapper {
    /// Worker: `records`, just mapped, with the names met first since the last batch.
    func finish(_ records: consuming Deque<MappedRecord>, fallbacks: Int) -> SourceMapper.MappedBatch {
        SourceMapper.MappedBatch(records: consume records, names: names.takeCandidates(), organisations: organisationNames?.takeCandidates() ?? [],
                                 fallbacks: fallbacks)
    }
}
