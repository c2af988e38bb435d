import Records

/// Compact binary form of canonical records for the store: content, location and natural key apart,
/// so a re-sent record is recognised by its key and compared by its content whatever line it is on.
/// (Hand-written: JSONEncoder costs microseconds per record, the store holds millions.)
public enum RecordCodec {
    enum Tag: UInt8 { case action = 1, attendance, response, pathway, rejected, rejectedAction }

    /// The record's identity (`RecordRules.Identity`) as bytes, action ids with contacts masked as in
    /// the content; nil for rejected and dropped records, which are never matched.
    public static func naturalKey(_ record: MappedRecord, period: (CalendarDate) -> String) -> [UInt8]? {
        guard let identity = RecordRules.identity(of: record, period: period, actionID: PersonalData.maskContacts) else { return nil }
        var w = ByteWriter()
        switch identity {
        case .action(let key):
            w.byte(Tag.action.rawValue); w.string(key)
        case .attendance(let action, let person):
            w.byte(Tag.attendance.rawValue); w.string(action); w.u64(person)
        case .response(let respondent, let type, let territory, let wave, let period):
            w.byte(Tag.response.rawValue); w.u64(respondent); w.string(type); w.string(territory); w.string(wave.rawValue); w.string(period)
        case .pathway(let candidate, let day, let kind, let employer):
            w.byte(Tag.pathway.rawValue); w.u64(candidate); w.int(day); w.string(kind.rawValue); w.optionalU64(employer)
        }
        return w.bytes
    }

    /// Everything but the location; nil for `.duplicate` (never stored). Free text and codes typed by
    /// hand (organiser, action ids, comments) are kept with e-mails and phone numbers masked.
    public static func content(_ record: MappedRecord) -> [UInt8]? {
        var w = ByteWriter()
        let masked = PersonalData.maskContacts
        switch record {
        case .action(let a):
            w.byte(Tag.action.rawValue); w.string(masked(a.id)); w.date(a.date); w.string(a.territory); w.string(a.actionType)
            w.optionalString(a.organiser.map(masked)); w.optionalDouble(a.durationHours)
            w.int(a.declaredCounts.count)
            for (type, count) in a.declaredCounts.sorted(by: { $0.key < $1.key }) { w.string(type); w.int(count) }
        case .attendance(let l):
            w.byte(Tag.attendance.rawValue); w.string(masked(l.actionID)); w.u64(l.person); w.string(l.stakeholderType)
            w.optionalU64(l.organisation)
        case .response(let r):
            w.byte(Tag.response.rawValue); w.u64(r.respondent); w.string(r.stakeholderType); w.string(r.territory)
            w.date(r.date); w.string(r.wave.rawValue); w.scores(r.answers); w.scores(r.before); w.optionalString(r.comment.map(masked))
        case .pathway(let e):
            w.byte(Tag.pathway.rawValue); w.u64(e.candidate); w.string(e.kind.rawValue); w.date(e.date); w.string(e.territory)
            w.optionalU64(e.employer); w.optionalU64(e.referrer); w.optionalString(e.referrerType)
            w.optionalString(e.contractType); w.optionalDouble(e.contractMonths); w.optionalString(e.actionID.map(masked))
        case .rejected(let faults, let actionID):
            if let actionID {
                w.byte(Tag.rejectedAction.rawValue); w.string(masked(actionID))
            } else {
                w.byte(Tag.rejected.rawValue)
            }
            w.int(faults.count)
            for f in faults {
                w.location(f.location); w.string(f.field); w.string(f.value); w.string(f.reason.rawValue); w.string(f.message)
            }
        case .duplicate:
            return nil
        }
        return w.bytes
    }

    /// The record's location (rejected records carry theirs inside the content).
    public static func location(_ record: MappedRecord) -> [UInt8] {
        var w = ByteWriter()
        if let location = record.location { w.location(location) }
        return w.bytes
    }

    /// Rebuilds a record from its stored content and location.
    public static func decode(content: [UInt8], location: [UInt8]) throws(StoreError) -> MappedRecord {
        var r = ByteReader(content)
        var lr = ByteReader(location)
        guard let tag = Tag(rawValue: try r.byte()) else { throw StoreError.corrupt("unknown record tag") }
        switch tag {
        case .action:
            let id = try r.string(), date = try r.date(), territory = try r.string(), type = try r.string()
            let organiser = try r.optionalString(), duration = try r.optionalDouble()
            var counts: [String: Int] = [:]
            for _ in 0..<(try r.int()) { let k = try r.string(); counts[k] = try r.int() }
            return .action(ActionRecord(id: id, date: date, territory: territory, actionType: type, organiser: organiser,
                                        durationHours: duration, declaredCounts: counts, location: try lr.location()))
        case .attendance:
            let id = try r.string(), person = try r.u64(), type = try r.string(), organisation = try r.optionalU64()
            return .attendance(AttendanceRecord(actionID: id, person: person, stakeholderType: type, organisation: organisation,
                                                location: try lr.location()))
        case .response:
            let respondent = try r.u64(), type = try r.string(), territory = try r.string(), date = try r.date()
            guard let wave = Wave(rawValue: try r.string()) else { throw StoreError.corrupt("unknown wave") }
            let answers = try r.scores(), before = try r.scores(), comment = try r.optionalString()
            return .response(SurveyResponse(respondent: respondent, stakeholderType: type, territory: territory, date: date, wave: wave,
                                            answers: answers, before: before, comment: comment, location: try lr.location()))
        case .pathway:
            let candidate = try r.u64()
            guard let kind = EventKind(rawValue: try r.string()) else { throw StoreError.corrupt("unknown event kind") }
            let date = try r.date(), territory = try r.string(), employer = try r.optionalU64(), referrer = try r.optionalU64()
            let referrerType = try r.optionalString(), contract = try r.optionalString(), months = try r.optionalDouble()
            let action = try r.optionalString()
            return .pathway(PathwayEvent(candidate: candidate, kind: kind, date: date, territory: territory, employer: employer,
                                         referrer: referrer, referrerType: referrerType, contractType: contract,
                                         contractMonths: months, actionID: action, location: try lr.location()))
        case .rejected, .rejectedAction:
            let actionID = tag == .rejectedAction ? try r.string() : nil
            var faults: [Reject] = []
            for _ in 0..<(try r.int()) {
                let location = try r.location(), field = try r.string(), value = try r.string()
                guard let reason = RejectReason(rawValue: try r.string()) else { throw StoreError.corrupt("unknown reject reason") }
                faults.append(Reject(location: location, field: field, value: value, reason: reason, message: try r.string()))
            }
            return .rejected(faults, actionID: actionID)
        }
    }
}

/// Appends little-endian integers and length-prefixed UTF-8 strings.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ b: UInt8) { bytes.append(b) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func string(_ s: String) { int(s.utf8.count); bytes.append(contentsOf: s.utf8) }
    mutating func date(_ d: CalendarDate) { int(d.year); byte(UInt8(d.month)); byte(UInt8(d.day)) }
    mutating func scores(_ s: [UInt8]) { int(s.count); bytes.append(contentsOf: s) }
    mutating func optionalString(_ s: String?) { if let s { byte(1); string(s) } else { byte(0) } }
    mutating func optionalU64(_ v: UInt64?) { if let v { byte(1); u64(v) } else { byte(0) } }
    mutating func optionalDouble(_ v: Double?) { if let v { byte(1); u64(v.bitPattern) } else { byte(0) } }
    mutating func location(_ l: RecordLocation) {
        string(l.source); int(l.line); optionalString(l.path); optionalU64(l.index.map { UInt64(bitPattern: Int64($0)) })
    }
}

/// Reads what `ByteWriter` wrote; a short or malformed blob is a corrupt store, never a crash.
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func byte() throws(StoreError) -> UInt8 {
        guard offset < bytes.count else { throw StoreError.corrupt("record blob too short") }
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func u64() throws(StoreError) -> UInt64 {
        guard offset + 8 <= bytes.count else { throw StoreError.corrupt("record blob too short") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }
    mutating func int() throws(StoreError) -> Int { Int(Int64(bitPattern: try u64())) }
    mutating func count() throws(StoreError) -> Int {
        let n = try int()
        guard n >= 0, offset + n <= bytes.count else { throw StoreError.corrupt("bad length \(n)") }
        return n
    }
    mutating func string() throws(StoreError) -> String {
        let n = try count()
        defer { offset += n }
        return String(decoding: bytes[offset..<offset + n], as: UTF8.self)
    }
    mutating func date() throws(StoreError) -> CalendarDate {
        let y = try int(), m = try byte(), d = try byte()
        guard let date = CalendarDate(year: y, month: Int(m), day: Int(d)) else { throw StoreError.corrupt("bad date") }
        return date
    }
    mutating func scores() throws(StoreError) -> [UInt8] {
        let n = try count()
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }
    mutating func optionalString() throws(StoreError) -> String? { try byte() == 0 ? nil : try string() }
    mutating func optionalU64() throws(StoreError) -> UInt64? { try byte() == 0 ? nil : try u64() }
    mutating func optionalDouble() throws(StoreError) -> Double? { try byte() == 0 ? nil : Double(bitPattern: try u64()) }
    mutating func location() throws(StoreError) -> RecordLocation {
        let source = try string(), line = try int(), path = try optionalString()
        let index = try optionalU64().map { Int(Int64(bitPattern: $0)) }
        return RecordLocation(source: source, line: line, path: path, index: index)
    }
}
