import Indicators
import Records

/// One input file as read: for the manifest and the provenance section.
public struct InputFileInfo: Codable, Sendable, Equatable {
    public let source: String
    /// Path relative to the pipeline file's folder (stable whatever the working directory).
    public let path: String
    public let size: Int
    public let sha256: String
    public let encoding: String
    public let delimiter: String

    public init(source: String, path: String, size: Int, sha256: String, encoding: String, delimiter: String) {
        self.source = source
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.encoding = encoding
        self.delimiter = delimiter
    }
}

/// What happened to one source.
public struct SourceSummary: Sendable {
    public let name: String
    public let kind: SourceKind
    public let files: Int
    public var tally: SourceTally
    /// Messages of files that could not be read at all.
    public var unreadable: [String]
    /// Rows of rejects.csv by reason (one per rejected record or faulty field).
    public var rejectReasons: [RejectReason: Int] = [:]
    /// Remarks on how the source's files were found (folders a glob matched, skipped).
    public var notes: [String] = []

    public init(name: String, kind: SourceKind, files: Int, tally: SourceTally = SourceTally(), unreadable: [String] = []) {
        self.name = name
        self.kind = kind
        self.files = files
        self.tally = tally
        self.unreadable = unreadable
    }
}

/// Everything a run hands to the writers: figures, data quality and provenance.
public struct RunSummary: Sendable {
    public let title: String
    public let programme: String
    /// Plain-words description of how dates fall into periods.
    public let periodScheme: PeriodScheme
    public let privacyK: Int
    public let maxRejectRate: Double
    public let toolVersion: String
    public let pipelinePath: String
    public let pipelineSHA256: String
    public let inputs: [InputFileInfo]
    public let sources: [SourceSummary]
    /// The first rejects, in reading order (all of them are in rejects.csv).
    public let rejectSample: [Reject]
    public let rejectCounts: [RejectReason: Int]
    /// Protected rows (small cells already suppressed).
    public let rows: [IndicatorRow]
    public let countOnlyActions: Int
    /// The questionnaire (items and dimensions), for the perception section.
    public var questionnaire: Questionnaire = .none
    /// Cronbach's alpha per stakeholder type, design and dimension (on the "before" answers).
    public var reliability: [Reliability] = []
    /// Paired respondents' baseline against those who answered only before.
    public var baselineGaps: [BaselineGap] = []
    /// Respondents found on the attendance sheets, per period and stakeholder type.
    public var linkage: [PerceptionAggregate.RateKey: PerceptionAggregate.Linkage] = [:]
    /// Participants figures that add declared head counts, per [period, territory, type] (true: head counts only).
    public var headCounted: [[String]: Bool] = [:]
    /// The pathway data's end (six-month retention is observed up to it), and whether the pipeline file set it.
    public var dataEnd: CalendarDate?
    public var dataEndSet = false
    /// The programme's first action (hires before it are counted apart).
    public var programmeStart: CalendarDate?
    /// The theme lexicon (id, label, obstacle/lever) and the scrubbed quotes per theme (empty unless turned on).
    public var themes: [(id: String, label: String, kind: String)] = []
    /// English theme labels (`label_en`), by id.
    public var themeLabelsEN: [String: String] = [:]
    public var quotes: [String: [String]] = [:]
    /// First and last dates the records cover.
    public var firstDate: CalendarDate?
    public var lastDate: CalendarDate?
    /// Hiring settings, for the hiring section's wording.
    public var durableStrict = false
    /// Earlier snapshots (`impact refresh` only): the report then shows each key figure's change.
    public var history: ReportHistory?
    public var linkWindowDays = 365
    /// Organisations reached per period, already protected (named only from `privacyK` people on).
    public var organisationsReached: [String: OrganisationsReached] = [:]

    public init(title: String, programme: String, periodScheme: PeriodScheme, privacyK: Int, maxRejectRate: Double,
                toolVersion: String, pipelinePath: String, pipelineSHA256: String, inputs: [InputFileInfo],
                sources: [SourceSummary], rejectSample: [Reject], rejectCounts: [RejectReason: Int], rows: [IndicatorRow], countOnlyActions: Int) {
        self.title = title
        self.programme = programme
        self.periodScheme = periodScheme
        self.privacyK = privacyK
        self.maxRejectRate = maxRejectRate
        self.toolVersion = toolVersion
        self.pipelinePath = pipelinePath
        self.pipelineSHA256 = pipelineSHA256
        self.inputs = inputs
        self.sources = sources
        self.rejectSample = rejectSample
        self.rejectCounts = rejectCounts
        self.rows = rows
        self.countOnlyActions = countOnlyActions
        self.index = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var shifts: [[String]: Set<String>] = [:]
        for r in rows where r.indicator.hasSuffix("perception_shift") {
            shifts[[r.period], default: []].insert(r.stakeholderType)
            if r.dimension == "dimension" { shifts[[r.indicator, r.period, r.stakeholderType], default: []].insert(r.category) }
        }
        self.shifts = shifts
    }

    private let index: [[String]: IndicatorRow]
    /// [period] → stakeholder types with a perception shift; [indicator, period, type] → its dimensions
    /// (the report asks for them per group and design: a scan of every row each time cost 4 % of a national run).
    private let shifts: [[String]: Set<String>]

    /// Stakeholder types with perception figures in `period`.
    public func perceptionTypes(_ period: String) -> Set<String> { shifts[[period]] ?? [] }

    /// Dimensions with a `shiftIndicator` row (any territory) for a period and stakeholder type.
    public func shiftDimensions(_ shiftIndicator: String, _ period: String, _ type: String) -> Set<String> {
        shifts[[shiftIndicator, period, type]] ?? []
    }

    /// Sources whose reject rate is above the pipeline file's threshold.
    public var sourcesAboveRejectThreshold: [SourceSummary] { sources.filter { $0.tally.rejectRate > maxRejectRate } }

    /// Whether the run ends with data problems (exit code 1).
    public var hasDataProblems: Bool { !sourcesAboveRejectThreshold.isEmpty || sources.contains { !$0.unreadable.isEmpty } }

    /// Periods present in the figures, in order.
    public var periods: [String] { Set(rows.map(\.period)).sorted() }

    /// The figure for a key, or nil when absent.
    public func row(_ indicator: String, _ period: String, _ territory: String = rollUp, _ type: String = rollUp,
                    dimension: String = "", category: String = "") -> IndicatorRow? {
        index[[indicator, period, territory, type, dimension, category]]
    }
}

/// What the refresh store remembers for the report.
public struct ReportHistory: Sendable {
    /// When the previous snapshot was taken (ISO 8601), nil on the first refresh.
    public let previousTakenAt: String?
    /// The previous snapshot's figures.
    public let previousRows: [IndicatorRow]
    /// Figures of earlier periods from older snapshots (their exports may no longer be in the inputs).
    public let archivedRows: [IndicatorRow]

    public init(previousTakenAt: String?, previousRows: [IndicatorRow], archivedRows: [IndicatorRow]) {
        self.previousTakenAt = previousTakenAt
        self.previousRows = previousRows
        self.archivedRows = archivedRows
    }
}
