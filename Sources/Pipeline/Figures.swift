import Foundation
import Indicators
import PipelineFile
import Records
import Report

/// The indicator stage of a run: each aggregate of the ingestion turned into rows and released at
/// once (so that what follows reuses its memory), then small-cell protection and targets.
struct Figures {
    /// The published rows: protected, with targets, in key order (once `protect` has run).
    private(set) var rows: [IndicatorRow] = []
    /// Every figure before protection (never written; for tests against hand-computed values).
    let unprotected: [IndicatorRow]
    let countOnlyActions: Int
    let headCounted: [[String]: Bool]
    /// The organisations reached per period, protected and named as the report shows them.
    let organisationsReached: [String: OrganisationsReached]
    /// The programme's first action.
    let programmeStart: CalendarDate?
    /// The pathway data's end: the pipeline file's, else the latest pathway date.
    let dataEnd: CalendarDate?
    let perception: RunSummary.PerceptionFacts
    /// Up to three comments per theme, as written (masked when the summary is made).
    let quotes: [String: [String]]
    /// Keys of the unpaired differences one of whose groups is below k (hidden whatever their n).
    private let smallUnpaired: Set<[String]>

    /// Every figure, unprotected. The survey answers are paired (`PerceptionState.aggregate` splits
    /// the respondents) and the organisations named on other threads while this one makes the reach
    /// (its cells on every core), theme and hiring figures; the perception rows are then computed on
    /// every core. Each aggregate is released once read. `masks`: the report's, for the organisations' names.
    init(_ ingestion: inout Ingestion, config: PipelineConfig, masks: PersonalData.Labels) {
        let (answers, attendance) = (ingestion.perception, ingestion.respondentAttendance)
        let pairing = Background { answers.aggregate(attendance: attendance) }
        let (people, names, k) = (ingestion.reach.peoplePerOrganisation, ingestion.organisationNames, config.privacyK)
        let naming = Background { Self.organisations(people, names: names, masks: masks, k: k) }
        let themes = ThemeIndicators.compute(ingestion.perception.keptResponsesWithComments,
                                             themes: config.themes.themes.map { ($0.id, $0.kind, $0.keywords) }, scheme: config.periods)
        ingestion.releasePerception()
        quotes = themes.quotes

        let types = config.stakeholderTypes.ids
        var raw = ReachIndicators.compute(ingestion.reach, stakeholderTypes: types)
        countOnlyActions = ingestion.reach.countOnlyActions
        let listed = ReachIndicators.listedPersons(ingestion.reach)
        headCounted = ReachIndicators.headCounted(ingestion.reach, stakeholderTypes: types)
        programmeStart = ingestion.reach.entries.map(\.record.date).min()
        ingestion.releaseReach()

        let dataEnd = config.hiring.dataEnd ?? ingestion.hiring.latestDate
        self.dataEnd = dataEnd
        raw += HiringIndicators.compute(ingestion.hiring, links: ingestion.links, scheme: config.periods,
                                        settings: .init(durable: config.hiring.durable, windowDays: config.hiring.linkWindowDays,
                                                        dataEnd: dataEnd, programmeStart: programmeStart))
        ingestion.releaseHiring()
        organisationsReached = naming.wait()

        let aggregate = pairing.wait()
        ProcessMemory.returnFreedMemory()
        raw += PerceptionIndicators.compute(aggregate)
        raw += PerceptionIndicators.formatRows(aggregate) + PerceptionIndicators.responseRates(aggregate, listed: listed)
        smallUnpaired = PerceptionIndicators.unpairedBelow(config.privacyK, in: aggregate)
        perception = .init(questionnaire: config.questionnaire, reliability: PerceptionIndicators.reliability(aggregate, k: config.privacyK),
                           baselineGaps: PerceptionIndicators.baselineGaps(aggregate), linkage: aggregate.linkage)

        unprotected = raw + themes.rows
    }

    /// Small-cell protection, then the Holm-adjusted p-values and the targets of what is published.
    mutating func protect(k: Int, targets: [Target]) {
        let protected = SmallCellProtection.protect(unprotected, k: k, hide: smallUnpaired)
        let holm = PerceptionIndicators.holmRows(protected)
        rows = protected.addingSortedByKey(holm + TargetRows.compute(targets, rows: protected + holm))
    }

    /// Organisations are named as written, but an e-mail or phone typed into the column is masked
    /// (the store keeps their names so masked: the same names, whether read now or replayed); only
    /// those the report lists are masked and sorted.
    static func organisations(_ people: [String: PrehashedMap<UInt32>], names: [UInt64: String], masks: PersonalData.Labels,
                              k: Int) -> [String: OrganisationsReached] {
        people.mapValues {
            OrganisationsReached.protect($0, names: names, k: k, shown: ImpactReport.organisationsShown) {
                PersonalData.render(PersonalData.maskContacts($0), labels: masks, isName: nil)
            }
        }
    }

    /// The run's summary for the writers, in the report's language; `render` masks what is quoted from the inputs.
    func summary(of ingestion: Ingestion, pipeline: LoadedPipeline, english: Bool, labels: Labels, history: ReportHistory?,
                 render: (String) -> String) -> RunSummary {
        let config = pipeline.config
        let sources = ingestion.sources.map { source in
            var source = source
            source.unreadable = source.unreadable.map(render)
            return source
        }
        return RunSummary(
            title: english ? config.titleEN ?? config.title : config.title,
            programme: english ? config.programmeEN ?? config.programme : config.programme, periodScheme: config.periods,
            privacyK: config.privacyK, maxRejectRate: config.maxRejectRate, toolVersion: ImpactVersion.current,
            pipelinePath: (pipeline.path as NSString).lastPathComponent, pipelineSHA256: pipeline.sha256,
            inputs: ingestion.inputs, sources: sources, rejectSample: ingestion.rejects.sample,
            rejectCounts: ingestion.rejects.countsByReason, rows: rows,
            reach: .init(countOnlyActions: countOnlyActions, headCounted: headCounted, organisationsReached: organisationsReached),
            perception: perception,
            hiring: .init(dataEnd: dataEnd, dataEndSet: config.hiring.dataEnd != nil, programmeStart: programmeStart,
                          durableStrict: config.hiring.durable.strict, linkWindowDays: config.hiring.linkWindowDays),
            themes: .init(lexicon: config.themes.themes.map { ($0.id, $0.label, $0.kind) }, labelsEN: config.themes.englishLabels,
                          quotes: config.themes.quotes ? quotes.mapValues { $0.map(render) } : [:]),
            coverage: ingestion.dateRange, history: history)
    }
}
