/// Where a record came from: the source's name and the physical line (CSV) or element path (XML).
public struct RecordLocation: Hashable, Sendable, CustomStringConvertible {
    public let source: String
    /// 1-based line where the record starts (CSV), or the element index (XML).
    public let line: Int
    /// Where the record is for XML sources (its element path); nil for CSV.
    public let path: String?
    /// With `path`: the record's 1-based position among the elements at that path.
    public let index: Int?

    public init(source: String, line: Int, path: String? = nil, index: Int? = nil) {
        self.source = source
        self.line = line
        self.path = path
        self.index = index
    }

    /// The `record` column of rejects.csv: `line 12`, `/Export/Seance/Participant[3] (line 12)`, for
    /// SpreadsheetML (path `Worksheet "Name"`, index the row number) `Worksheet "Name" row 4 (line 12)`,
    /// or for a workbook (path `sheet "Name"`, line the sheet's row number) `sheet "Name", row 12`.
    public var recordLabel: String {
        guard let path else { return "line \(line)" }
        if path.hasPrefix("sheet \""), index == nil { return "\(path), row \(line)" }
        let row = path.hasPrefix("Worksheet \"") ? index.map { "\(path) row \($0)" } : nil
        let element = row ?? index.map { "\(path)[\($0)]" } ?? path
        return line > 0 ? "\(element) (line \(line))" : element
    }

    public var description: String { path == nil ? "\(source):\(line)" : "\(source) \(recordLabel)" }
}

/// One mediation event (ZI Tour, Vis ma vie…), canonical.
public struct ActionRecord: Hashable, Sendable {
    public let id: String
    public let date: CalendarDate
    public let territory: String
    public let actionType: String
    public let organiser: String?
    public let durationHours: Double?
    /// Declared participant counts per stakeholder type, when the export carries counts.
    public let declaredCounts: [String: Int]
    public let location: RecordLocation

    public init(id: String, date: CalendarDate, territory: String, actionType: String,
                organiser: String?, durationHours: Double?, declaredCounts: [String: Int],
                location: RecordLocation) {
        self.id = id
        self.date = date
        self.territory = territory
        self.actionType = actionType
        self.organiser = organiser
        self.durationHours = durationHours
        self.declaredCounts = declaredCounts
        self.location = location
    }

    /// True when two exports of the same action say the same thing (location aside).
    public func sameContent(as other: ActionRecord) -> Bool {
        id == other.id && date == other.date && territory == other.territory
            && actionType == other.actionType && organiser == other.organiser
            && durationHours == other.durationHours && declaredCounts == other.declaredCounts
    }
}

/// One person present at one action (an attendance-sheet line), canonical.
public struct AttendanceRecord: Hashable, Sendable {
    public let actionID: String
    /// `StableHash.fnv1a(actionID)`, computed where the line is mapped (a mapping worker), not where
    /// its action is looked up (the aggregating thread).
    public let actionHash: UInt64
    /// Stable hash of the folded person key (pseudonym or e-mail): the person itself is never kept.
    public let person: UInt64
    public let stakeholderType: String
    /// Stable hash of the folded organisation name, when given.
    public let organisation: UInt64?
    public let location: RecordLocation

    public init(actionID: String, person: UInt64, stakeholderType: String, organisation: UInt64?,
                location: RecordLocation) {
        self.actionID = actionID
        actionHash = StableHash.fnv1a(actionID)
        self.person = person
        self.stakeholderType = stakeholderType
        self.organisation = organisation
        self.location = location
    }
}
