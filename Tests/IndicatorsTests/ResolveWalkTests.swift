import Foundation
import Testing
import TestSupport
@testable import Indicators
@testable import Records

/// The merge of sorted runs and the walk over them, against naive computations on generated lines.
@Suite("Resolving attendance lines")
struct ResolveWalkTests {
    /// Lines with few actions and types and, for half of them, few persons, so a person comes back to
    /// an action (duplicates, conflicts) and lines tie on person and action.
    static func lines(_ count: Int, seed: UInt64) -> [(action: Int, person: UInt64, type: String, organisation: UInt64?)] {
        var random = SeededGenerator(seed: seed)
        let types = ["industriel", "prescripteur", "candidat"]
        return (0..<count).map { _ in
            // Half from a few persons (who come back to actions), half from many (counts that do not saturate).
            let person = Bool.random(using: &random) ? UInt64.random(in: 0..<40, using: &random) : UInt64.random(in: 40..<4_000, using: &random)
            // Hashes at both ends of the range too: the parts' bounds and the merge's end mark sit there.
            let hash = person == 0 ? 0 : person == 1 ? UInt64.max : StableHash.fnv1a("p\(person)")
            let organisation = Int.random(in: 0..<5, using: &random) == 0 ? nil : UInt64.random(in: 0..<40, using: &random)
            return (Int.random(in: 0..<25, using: &random), hash, types[Int.random(in: 0..<types.count, using: &random)], organisation)
        }
    }

    static func state(_ lines: [(action: Int, person: UInt64, type: String, organisation: UInt64?)], bufferLimit: Int) throws -> ReachState {
        let state = ReachState(scheme: .calendarYear, bufferLimit: bufferLimit)
        for a in 0..<25 {
            let date = CalendarDate(year: 2024 + a % 2, month: 1 + a % 12, day: 1)!
            state.add(ActionRecord(id: "A\(a)", date: date, territory: ["lyon", "stetienne", "roanne"][a % 3], actionType: "zi_tour",
                                   organiser: nil, durationHours: nil, declaredCounts: [:], location: RecordLocation(source: "t", line: 1)))
        }
        for (i, line) in lines.enumerated() {
            let record = AttendanceRecord(actionID: "A\(line.action)", person: line.person, stakeholderType: line.type,
                                          organisation: line.organisation, location: RecordLocation(source: "t", line: i + 2))
            try state.add(record, at: try #require(state.entryIndex(forID: record.actionID)), source: i % 3)
        }
        return state
    }

    /// Every line comes out of the merged runs once, in the resolution order (person, action, reading
    /// order), whatever the number of runs (1 to 125, on disk and in memory) and of parts.
    @Test(arguments: [16, 37, 64, 5_000]) func mergedRunsGiveEveryLineInOrder(bufferLimit: Int) throws {
        var random = SeededGenerator(seed: UInt64(bufferLimit))
        let lines = (0..<2_000).map { seq in
            Participation(person: [0, .max, 3, 4, 5][Int.random(in: 0..<5, using: &random)] &* UInt64.random(in: 1...3, using: &random),
                          seq: UInt64(seq), organisation: 0, entry: UInt32.random(in: 0..<4, using: &random), line: 0, index: 0, place: 0,
                          type: 0, hasOrganisation: false)
        }
        let expected = lines.sorted(by: Participation.precedes).map(\.seq)
        for parts in [1, 2, 3] {
            let runs = ParticipationRuns(bufferLimit: bufferLimit)
            for line in lines { try runs.append(line) }
            var merged: [UInt64] = []
            for cursor in try runs.sorted(parts: parts) {
                while let line = try cursor.next() { merged.append(line.seq) }
                #expect(try cursor.next() == nil)  // and stays at its end
            }
            #expect(merged == expected, "buffer \(bufferLimit), parts \(parts)")
        }
    }

    /// Buffers written out are kept for the next runs (two at most, emptied, of the runs' size),
    /// dropped when a source ends and until the next run needs one; runs written from reused
    /// buffers hold their own lines only, a source ending between them or not.
    @Test func spareBuffersAreReusedAndReleased() throws {
        let pool = LineBufferPool(capacity: 8)
        let a = pool.take(), b = pool.take()
        a.append(.zero)
        b.append(.zero)
        pool.give(a)
        pool.give(b)
        pool.give(a)  // given twice: kept once
        pool.give(LineBuffer(capacity: 8))  // a third: unmapped
        #expect(pool.kept == 2)
        let again = pool.take()
        #expect(again === a || again === b)
        #expect(again.count == 0)
        pool.drain()
        #expect(pool.kept == 0)
        pool.give(again)  // the writer finishing after the source ended
        #expect(pool.kept == 0)
        _ = pool.take()
        pool.give(again)
        pool.give(LineBuffer(capacity: 9))  // another size
        #expect(pool.kept == 1)

        var random = SeededGenerator(seed: 5)
        let lines = (0..<2_000).map { seq in
            Participation(person: UInt64.random(in: 0..<300, using: &random), seq: UInt64(seq), organisation: 0,
                          entry: UInt32.random(in: 0..<4, using: &random), line: 0, index: 0, place: 0, type: 0, hasOrganisation: false)
        }
        let expected = lines.sorted(by: Participation.precedes).map(\.seq)
        for sourceEnds in [0, 7, 300] {
            let runs = ParticipationRuns(bufferLimit: 16)
            for (i, line) in lines.enumerated() {
                try runs.append(line)
                if sourceEnds > 0 && i % sourceEnds == 0 { runs.releaseSpareBuffers() }
            }
            #expect(runs.runCount == 124)
            var merged: [UInt64] = []
            for cursor in try runs.sorted(parts: 2) {
                while let line = try cursor.next() { merged.append(line.seq) }
            }
            #expect(merged == expected, "a source ending every \(sourceEnds) lines")
        }
        // A source ending while its last run is written: nothing kept once the writer is done.
        let runs = ParticipationRuns(bufferLimit: 16)
        for line in lines.prefix(50) { try runs.append(line) }
        runs.releaseSpareBuffers()
        try runs.waitForWriter()
        #expect(runs.spareBuffersKept == 0)
        for line in lines.dropFirst(50).prefix(50) { try runs.append(line) }
        try runs.waitForWriter()
        #expect(runs.spareBuffersKept == 2)  // the next source's runs keep them again: the last run's lines and its sorted copy
    }

    /// A run shorter than when it was cut (changed under the run) ends the merge with an error
    /// naming the file, after the lines it did hold.
    @Test func shortRunIsAReadError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("impact-short-run-\(getpid())").path
        defer { unlink(path) }
        var lines = (0..<3).map {
            Participation(person: UInt64($0), seq: UInt64($0), organisation: 0, entry: 0, line: 0, index: 0, place: 0, type: 0, hasOrganisation: false)
        }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes: &lines, count: 3 * MemoryLayout<Participation>.stride)))
        let cursor = ParticipationCursor(readers: [try RunReader(path: path, lines: 0..<5, blockBytes: 80)])
        var seen: [UInt64] = []
        let error = #expect(throws: SpillError.self) { while let line = try cursor.next() { seen.append(line.seq) } }
        #expect(seen == [0, 1, 2])
        #expect(error?.description.contains("could not read \(path)") == true)
        #expect(error?.reason == "it ends before the lines written to it (was it truncated?)")
    }

    /// An empty set of runs merges to nothing.
    @Test func noRunsMergeToNothing() throws {
        let cursors = try ParticipationRuns(bufferLimit: 4).sorted(parts: 2)
        for cursor in cursors { #expect(try cursor.next() == nil) }
    }

    /// The walk's counts — participations per action and type, distinct persons per cell and per
    /// period (each type and any), organisations per cell and type, distinct persons per
    /// organisation and period, what became of each source's lines — equal those of a naive pass over
    /// the lines in reading order, with and without runs on disk, in one part or several.
    @Test(arguments: [(97, 1), (97, 3), (100_000, 1), (100_000, 2)]) func walkEqualsNaiveCounts(bufferLimit: Int, parts: Int) throws {
        let lines = Self.lines(6_000, seed: 23)
        let state = try Self.state(lines, bufferLimit: bufferLimit)
        var none: RespondentAttendance?
        let counts = try state.resolve(conflict: { _ in }, added: nil, attendance: &none, parts: parts)

        // The naive pass: the first line of a person at an action is a participation, later ones
        // duplicates (same type) or conflicts.
        var first: [String: String] = [:]  // "action person" → type
        var expectedCounts: [Int: ReachState.SourceCounts] = [:]
        var listed: [String: Int] = [:]  // "action type"
        var persons: [String: Set<UInt64>] = [:]  // "cell type" or "period type", type "*" for any
        var organisations: [String: Set<UInt64>] = [:]  // "cell type"
        var perOrganisation: [String: [UInt64: Set<UInt64>]] = [:]
        for (i, line) in lines.enumerated() {
            let key = "\(line.action) \(line.person)"
            if let type = first[key] {
                if type == line.type { expectedCounts[i % 3, default: .init()].duplicates += 1 } else { expectedCounts[i % 3, default: .init()].conflicts += 1 }
                continue
            }
            first[key] = line.type
            expectedCounts[i % 3, default: .init()].added += 1
            listed["\(line.action) \(line.type)", default: 0] += 1
            let entry = state.entries[line.action]
            let cell = "\(entry.period) \(entry.record.territory)"
            for scope in [cell, entry.period] {
                persons["\(scope) \(line.type)", default: []].insert(line.person)
                persons["\(scope) *", default: []].insert(line.person)
            }
            if let organisation = line.organisation {
                organisations["\(cell) \(line.type)", default: []].insert(organisation)
                perOrganisation[entry.period, default: [:]][organisation, default: []].insert(line.person)
            }
        }
        #expect(counts == expectedCounts)
        #expect(expectedCounts.count == 3 && expectedCounts.values.allSatisfy { $0.duplicates > 0 && $0.conflicts > 0 })
        for (e, entry) in state.entries.enumerated() {
            for (t, type) in state.types.enumerated() { #expect(entry.listed(t) == listed["\(e) \(type)"] ?? 0, "A\(e) \(type)") }
        }
        var compared = 0
        for (c, cell) in state.cells.enumerated() {
            for (t, type) in state.types.enumerated() {
                #expect(state.distinctPersons(cell: c, type: t) == persons["\(cell.period) \(cell.territory) \(type)"]?.count ?? 0)
                #expect(Set(state.organisations(cell: c, type: t).keys) == organisations["\(cell.period) \(cell.territory) \(type)"] ?? [])
                #expect(state.distinctPersons(period: cell.period, type: t) == persons["\(cell.period) \(type)"]?.count ?? 0)
                compared += 1
            }
            #expect(state.distinctPersons(cell: c, type: nil) == persons["\(cell.period) \(cell.territory) *"]?.count ?? 0)
            #expect(state.distinctPersons(period: cell.period, type: nil) == persons["\(cell.period) *"]?.count ?? 0)
        }
        #expect(compared == 2 * 3 * 3)  // two years × three territories × three types
        var walked: [String: [UInt64: Int]] = [:]
        for (period, map) in state.peoplePerOrganisation { map.forEach { walked[period, default: [:]][$0] = Int($1) } }
        #expect(walked == perOrganisation.mapValues { $0.mapValues(\.count) })
    }

    /// The walk reads `Ahead.size` (16) lines ahead of its turn: around that window (fewer lines than
    /// it holds, as many, one more), every line is walked once, as a participation, a duplicate or a
    /// conflict, and the counts per source are those of the first-listing rule applied in reading order.
    @Test(arguments: [0, 1, 15, 16, 17, 33, 250]) func everyLineWalkedOnceAroundTheLookAhead(count: Int) throws {
        let lines = Self.lines(count, seed: UInt64(count) + 7)
        let counts = try Self.state(lines, bufferLimit: 8).resolve(conflict: { _ in }, parts: 1)
        var first: [String: String] = [:]
        var expected: [Int: ReachState.SourceCounts] = [:]
        for (i, line) in lines.enumerated() {
            let key = "\(line.action) \(line.person)"
            if let type = first[key] {
                if type == line.type { expected[i % 3, default: .init()].duplicates += 1 } else { expected[i % 3, default: .init()].conflicts += 1 }
            } else {
                first[key] = line.type
                expected[i % 3, default: .init()].added += 1
            }
        }
        #expect(counts.filter { $0.value != .init() } == expected)
        #expect(counts.values.reduce(0) { $0 + $1.added + $1.duplicates + $1.conflicts } == count)
    }

    /// A line naming an action, type or place the run does not have (a temporary file changed
    /// under the run) stops the walk with an error, not a crash.
    @Test func foreignLineInARunIsAnError() throws {
        let runs = ParticipationRuns(bufferLimit: 8)
        try runs.append(Participation(person: 1, seq: 0, organisation: 0, entry: 99, line: 1, index: 0, place: 0, type: 0, hasOrganisation: false))
        let state = try Self.state([], bufferLimit: 8)
        var walk = ResolveWalk(entries: state.entries, periods: [0, 0, 0, 1, 1, 1], periodCount: 2, types: ["industriel"], places: 1, attended: nil)
        #expect(throws: RunCorrupted.self) { try walk.walk(try runs.sorted(), conflict: { _, _ in }, added: nil) }
    }
}
