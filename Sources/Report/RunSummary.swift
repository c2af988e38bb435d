import Indicators
import Records

/// One input file as read: for the manifest and the provenance section.
public struct InputFileInfo: Codable, Sendable, Equatable {
    public let source: String
    /// Path relative to the pipeline file's folder (stable whatever the working directory).
    public let path: String
    public let size: Int
    public let sha256: String
    /// What it was read as: csv, xml, spreadsheetml, odk, xlsx or ods.
    public let format: String
    /// The text encoding it was decoded from; empty for a workbook (a ZIP package) and for the files of
    /// an ODK folder after the first.
    public let encoding: String
    public let delimiter: String

    public init(source: String, path: String, size: Int, sha256: String, format: String, encoding: String, delimiter: String) {
        self.source = source
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.format = format
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
    public let reach: ReachFacts
    public let perception: PerceptionFacts
    public let hiring: HiringFacts
    public let themes: ThemeFacts
    /// First and last dates the records cover.
    public let coverage: (first: CalendarDate?, last: CalendarDate?)
    /// Earlier snapshots (`impact refresh` only): the report then shows each key figure's change.
    public let history: ReportHistory?

    /// What the reach section says besides the rows.
    public struct ReachFacts: Sendable {
        /// Actions known only by declared head counts (no attendance sheet).
        public let countOnlyActions: Int
        /// Participants figures that add declared head counts, per [period, territory, type] (true: head counts only).
        public let headCounted: [[String]: Bool]
        /// Organisations reached per period, already protected (named only from `privacyK` people on).
        public let organisationsReached: [String: OrganisationsReached]

        public init(countOnlyActions: Int = 0, headCounted: [[String]: Bool] = [:], organisationsReached: [String: OrganisationsReached] = [:]) {
            self.countOnlyActions = countOnlyActions
            self.headCounted = headCounted
            self.organisationsReached = organisationsReached
        }
    }

    /// What the perception section says besides the rows.
    public struct PerceptionFacts: Sendable {
        /// The questionnaire (items and dimensions).
        public let questionnaire: Questionnaire
        /// Cronbach's alpha per stakeholder type, design and dimension (on the "before" answers).
        public let reliability: [Reliability]
        /// Paired respondents' baseline against those who answered only before.
        public let baselineGaps: [BaselineGap]
        /// Respondents found on the attendance sheets, per period and stakeholder type.
        public let linkage: [PerceptionAggregate.RateKey: PerceptionAggregate.Linkage]

        public init(questionnaire: Questionnaire = .none, reliability: [Reliability] = [], baselineGaps: [BaselineGap] = [],
                    linkage: [PerceptionAggregate.RateKey: PerceptionAggregate.Linkage] = [:]) {
            self.questionnaire = questionnaire
            self.reliability = reliability
            self.baselineGaps = baselineGaps
            self.linkage = linkage
        }
    }

    /// The hiring settings and dates the hiring section's wording needs.
    public struct HiringFacts: Sendable {
        /// The pathway data's end (six-month retention is observed up to it), and whether the pipeline file set it.
        public let dataEnd: CalendarDate?
        public let dataEndSet: Bool
        /// The programme's first action (hires before it are counted apart).
        public let programmeStart: CalendarDate?
        public let durableStrict: Bool
        public let linkWindowDays: Int

        public init(dataEnd: CalendarDate? = nil, dataEndSet: Bool = false, programmeStart: CalendarDate? = nil, durableStrict: Bool = false,
                    linkWindowDays: Int = 365) {
            self.dataEnd = dataEnd
            self.dataEndSet = dataEndSet
            self.programmeStart = programmeStart
            self.durableStrict = durableStrict
            self.linkWindowDays = linkWindowDays
        }
    }

    /// The theme lexicon and the scrubbed quotes per theme (empty unless turned on).
    public struct ThemeFacts: Sendable {
        public let lexicon: [(id: String, label: String, kind: ThemeKind)]
        /// English theme labels (`label_en`), by id.
        public let labelsEN: [String: String]
        public let quotes: [String: [String]]

        public init(lexicon: [(id: String, label: String, kind: ThemeKind)] = [], labelsEN: [String: String] = [:], quotes: [String: [String]] = [:]) {
            self.lexicon = lexicon
            self.labelsEN = labelsEN
            self.quotes = quotes
        }
    }

    public init(title: String, programme: String, periodScheme: PeriodScheme, privacyK: Int, maxRejectRate: Double,
                toolVersion: String, pipelinePath: String, pipelineSHA256: String, inputs: [InputFileInfo],
                sources: [SourceSummary], rejectSample: [Reject], rejectCounts: [RejectReason: Int], rows: [IndicatorRow],
                reach: ReachFacts = .init(), perception: PerceptionFacts = .init(), hiring: HiringFacts = .init(), themes: ThemeFacts = .init(),
                coverage: (first: CalendarDate?, last: CalendarDate?) = (nil, nil), history: ReportHistory? = nil) {
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
        self.reach = reach
        self.perception = perception
        self.hiring = hiring
        self.themes = themes
        self.coverage = coverage
        self.history = history
        self.index = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        periods = Set(rows.map(\.period)).sorted()
        var shifts: [[String]: Set<String>] = [:]
        for r in rows where r.indicator.perception?.measure == .shift {
            shifts[[r.period], default: []].insert(r.stakeholderType)
            if r.dimension == "dimension" { shifts[[r.indicator.id, r.period, r.stakeholderType], default: []].insert(r.category) }
        }
        self.shifts = shifts
    }

    private let index: [[String]: IndicatorRow]
    /// [period] → stakeholder types with a perception shift; [indicator, period, type] → its dimensions
    /// (the report asks for them per group and design, too often to scan every row each time).
    private let shifts: [[String]: Set<String>]

    /// Stakeholder types with perception figures in `period`.
    public func perceptionTypes(_ period: String) -> Set<String> { shifts[[period]] ?? [] }

    /// Dimensions with a shift row of `design` (any territory) for a period and stakeholder type.
    public func shiftDimensions(_ design: SurveyDesign, _ period: String, _ type: String) -> Set<String> {
        shifts[[Indicator.perception(.shift, design).id, period, type]] ?? []
    }

    /// Sources whose reject rate is above the pipeline file's threshold.
    public var sourcesAboveRejectThreshold: [SourceSummary] { sources.filter { $0.tally.rejectRate > maxRejectRate } }

    /// Whether the run ends with data problems (exit code 1).
    public var hasDataProblems: Bool { !sourcesAboveRejectThreshold.isEmpty || sources.contains { !$0.unreadable.isEmpty } }

    /// Periods present in the figures, in order (once: the writers ask for them per section and chart).
    public let periods: [String]

    /// The figure for a key, or nil when absent.
    public func row(_ indicator: Indicator, _ period: String, _ territory: String = rollUp, _ type: String = rollUp,
                    dimension: String = "", category: String = "") -> IndicatorRow? {
        index[[indicator.id, period, territory, type, dimension, category]]
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
