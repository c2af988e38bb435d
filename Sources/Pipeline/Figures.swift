import Foundation
import Indicators
import PipelineFile
import Records
import Report

/// The indicator stage of a run: each aggregate of the ingestion turned into rows and released at
/// once (so that what follows reuses its memory), then small-cell protection and targets.
struct Figures {
    /// The published rows: protected, with targets, in key order.
    let rows: [IndicatorRow]
    /// Every figure before protection (never written; for tests against hand-computed values).
    let unprotected: [IndicatorRow]
    let countOnlyActions: Int
    let headCounted: [[String]: Bool]
    /// Distinct persons per organisation (folded-name key), per period.
    let peoplePerOrganisation: [String: PrehashedMap<UInt32>]
    /// The programme's first action.
    let programmeStart: CalendarDate?
    /// The pathway data's end: the pipeline file's, else the latest pathway date.
    let dataEnd: CalendarDate?
    let perception: RunSummary.PerceptionFacts
    /// Up to three comments per theme, as written (masked when the summary is made).
    let quotes: [String: [String]]

    init(_ ingestion: inout Ingestion, config: PipelineConfig) {
        let types = config.stakeholderTypes.ids
        var raw = ReachIndicators.compute(ingestion.reach, stakeholderTypes: types)
        countOnlyActions = ingestion.reach.countOnlyActions
        peoplePerOrganisation = ingestion.reach.peoplePerOrganisation
        let listed = ReachIndicators.listedPersons(ingestion.reach)
        headCounted = ReachIndicators.headCounted(ingestion.reach, stakeholderTypes: types)
        programmeStart = ingestion.reach.entries.map(\.record.date).min()
        ingestion.releaseReach()

        let aggregate = ingestion.perception.aggregate(attendance: ingestion.respondentAttendance)
        let themes = ThemeIndicators.compute(ingestion.perception.keptResponsesWithComments,
                                             themes: config.themes.themes.map { ($0.id, $0.kind, $0.keywords) }, scheme: config.periods)
        ingestion.releasePerception()
        raw += PerceptionIndicators.compute(aggregate)
        raw += PerceptionIndicators.formatRows(aggregate) + PerceptionIndicators.responseRates(aggregate, listed: listed)
        let smallUnpaired = PerceptionIndicators.unpairedBelow(config.privacyK, in: aggregate)
        perception = .init(questionnaire: config.questionnaire, reliability: PerceptionIndicators.reliability(aggregate, k: config.privacyK),
                           baselineGaps: PerceptionIndicators.baselineGaps(aggregate), linkage: aggregate.linkage)
        quotes = themes.quotes

        let dataEnd = config.hiring.dataEnd ?? ingestion.hiring.latestDate
        self.dataEnd = dataEnd
        raw += HiringIndicators.compute(ingestion.hiring, links: ingestion.links, scheme: config.periods,
                                        settings: .init(durable: config.hiring.durable, windowDays: config.hiring.linkWindowDays,
                                                        dataEnd: dataEnd, programmeStart: programmeStart))
        ingestion.releaseHiring()
        ProcessMemory.returnFreedMemory()

        unprotected = raw + themes.rows
        var protected = SmallCellProtection.protect(unprotected, k: config.privacyK, hide: smallUnpaired)
        protected += PerceptionIndicators.holmRows(protected)
        rows = (protected + TargetRows.compute(config.targets, rows: protected)).sortedByKey()
    }

    /// The run's summary for the writers, in the report's language; `render` masks what is quoted from the inputs.
    func summary(of ingestion: Ingestion, pipeline: LoadedPipeline, english: Bool, labels: Labels, history: ReportHistory?,
                 render: (String) -> String) -> RunSummary {
        let config = pipeline.config
        // Organisations are named as written, but an e-mail or phone typed into the column is masked
        // (the store keeps their names so masked: the same names, whether read now or replayed).
        let masks = labels.masks  // once: four label look-ups, not four per organisation
        let organisationNames = ingestion.organisationNames.mapValues {
            PersonalData.render(PersonalData.maskContacts($0), labels: masks, isName: nil)
        }
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
            reach: .init(countOnlyActions: countOnlyActions, headCounted: headCounted, organisationsReached: peoplePerOrganisation.mapValues {
                OrganisationsReached.protect($0, names: organisationNames, k: config.privacyK)
            }),
            perception: perception,
            hiring: .init(dataEnd: dataEnd, dataEndSet: config.hiring.dataEnd != nil, programmeStart: programmeStart,
                          durableStrict: config.hiring.durable.strict, linkWindowDays: config.hiring.linkWindowDays),
            themes: .init(lexicon: config.themes.themes.map { ($0.id, $0.label, $0.kind) }, labelsEN: config.themes.englishLabels,
                          quotes: config.themes.quotes ? quotes.mapValues { $0.map(render) } : [:]),
            coverage: ingestion.dateRange, history: history)
    }
}
