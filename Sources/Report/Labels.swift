import Foundation
import Indicators
import Records

/// Every piece of text the outputs show, per language, in one table.
public enum LabelKey: String, CaseIterable, Sendable {
    // Report headings
    case period, programme, territories, synthesis, reach, quality, method, provenance
    case reachByTerritory, participantsByType, actionsByType
    // Key-figure sentences
    case keyActions, keyPeople, keyOrganisations, keyData, keyNoAction
    // Table columns
    case colTerritory, colActions, colParticipations, colParticipants, colOrganisations, colTotal, colActionType
    case colSource, colKind, colFiles, colRead, colAccepted, colRejected, colDuplicates, colRejectRate
    case colReason, colCount, colFile, colSize, colEncoding, colDelimiter, colSHA
    case colIndicator, colLabel, colPeriod, colStakeholder, colDimension, colCategory, colValue, colCILow, colCIHigh, colStatus
    // Notes
    case suppressedMark, suppressedNote, countOnlyNote, suppressedCells, noRejects, encodingFallback, unreadableSource
    case reconciliation, rejectRateAbove, rejectsFile
    // Method
    case methodReach, methodPrivacy, methodQuality, methodPeriods
    // Provenance
    case toolVersion, pipelineFile
    // Roll-ups, statuses, kinds
    case allTerritories, allStakeholders, statusOK, statusSuppressed, statusInsufficient
    case kindActions, kindAttendance, kindResponses, kindPathway
    // Print, warning banner, glossary
    case organisationsTitle, colOrganisation, organisationsUnnamed, organisationsMore
    case page, pageOf, bannerTitle, bannerUnreadable, bannerEmpty, bannerRejects, bannerFooter
    case consequenceActions, consequenceAttendance, consequenceResponses, consequencePathway
    case glossary, glossCDI, glossCDIText, glossDurable, glossDurableText, glossCI, glossCIText, glossPMSMP, glossPMSMPText
    case glossPrescripteur, glossPrescripteurText, glossSecret, glossSecretText, glossSIAE, glossSIAEText, glossZI, glossZIText
    // Indicators
    case indActions, indParticipations, indParticipants, indOrganisations
    // Chart
    case chartReachTitle, chartReachDesc, chartPersons
    // Perception
    case perception, perceptionProspective, perceptionRetrospective, perceptionProspectiveLead, perceptionRetrospectiveLead
    case colDimension2, colItem, colBeforeAfter, colShift, colImproved, colN, perceptionByItem
    case shiftUp, shiftDown, significantSentence, noSignificant, unpairedLead, colPreOnly, colPostOnly
    case chartShiftTitle, chartShiftDesc, chartShiftAxis
    case methodPerception, reliabilityLead, colAlpha, colItems, alphaNegative
    case indPreMean, indPostMean, indShift, indImproved, indWorsened, indWilcoxon, indEffect, indUnpaired, retroPrefix
    // Hiring
    case hiring, hiringLead, colStep, colContract, colReferrer, conversionSentence, delaySentence, durableSentence,
         durableRuleAtLeast, durableRuleMore, unknownLengthSentence, afterActionSentence, hiringByContract, hiringByReferrer,
         chartFunnelTitle, chartFunnelDesc, chartCandidates, unknownCategory, keyHires
    case indReferrals, indInterviews, indImmersions, indHires, indRetained, indSustainable, indSustainableShare,
         indUnknownLength, indAfterAction, indConversion, indDaysToHire
    // Targets
    case targets, targetsLead, colTarget, colActual, colAttainment, keyTargets, fewerThan, unknownLengthHidden
    // Themes, scrubbing, comparison, dates
    case themesTitle, themesLead, colTheme, colKind2, obstacle, lever, quotesLead, scrubEmail, scrubPhone, scrubName, scrubHidden
    case comparison, comparisonLead, colPrevious, colCurrent, colChange, coveredDates, reverseFootnote
    // History of refreshes (`impact refresh`) and corrections
    case historyTitle, historyLead, colNow, colPreviousRefresh, colLastYear, replacedRecords
    case methodCalendar, methodProgrammeYear, methodHiring
    // Honest figures: balanced synthesis, response and attrition, formats, censoring, verdicts, limits
    case synthesisPerceptionTitle, keyGroup, keyClauseUp, keyClauseDown, keyClauseNone, keyClauseLow, designProspectiveShort, designRetrospectiveShort, colGroup, colWorsened, colReading, readingUp, readingDown, readingNone, readingLow, oneItemSuffix, itemIndent, synthesisNote, keyRetention, keyRetentionHidden, keyPeopleHeadCounts, headCountsOnly, headCountsMixed, headCountNote, lowAlphaMark, lowAlphaNote, reversedDimension, agreementFell, agreementRose, formatsTitle
    case formatsLead, colFormat, oneAction, twoActions, threeActions, baselineSentence, baselineHigher, baselineLower, baselineSame, retentionSentence, retentionCensored, linkBreakdown, beforeProgramme, beforeProgrammeHidden, colVerdict, verdictMet, verdictNotMet, verdictUncertain, colAnswers, answersPre, answersRetro, alphaLow, limits, limitsLead, limitNoComparison, limitSelfReport, limitResponse, limitResponseUnlinked, limitNotFound, limitNotFoundHidden
    case limitAttribution, limitHeadCounts, limitCensoring, limitCensoringHidden, dataEndLatest, dataEndSet, limitTooEarly, limitLowAlpha, indRetainedShare, indResponseRate, indHolm, indByActionType, indByActionsAttended, stepRetained
    case clauseSeparator, listAnd, limitWithoutHire, answeredProspective, answeredRetrospective
    // Punctuation: "label : value" (narrow no-break space in French), quotation marks
    case colon, quoteOpen, quoteClose, intervalSeparator
}

/// Labels for one language, with the programme's vocabularies for canonical values.
public struct Labels: Sendable {
    public let language: String
    let table: [LabelKey: String]
    let territories: Vocabulary
    let stakeholders: Vocabulary
    let actionTypes: Vocabulary
    let questionnaire: Questionnaire

    public init(language: String, territories: Vocabulary, stakeholders: Vocabulary, actionTypes: Vocabulary,
                questionnaire: Questionnaire = .none) {
        self.questionnaire = questionnaire
        self.language = language
        self.table = language == "en" ? LabelTables.english : LabelTables.french
        self.territories = territories
        self.stakeholders = stakeholders
        self.actionTypes = actionTypes
    }

    public subscript(_ key: LabelKey) -> String { table[key] ?? key.rawValue }

    /// The label with `{1}`, `{2}`… replaced by `args` and its plural forms chosen (`{1|action|actions}`).
    public func format(_ key: LabelKey, _ args: String...) -> String {
        var text = Self.plurals(self[key], args, language: language)
        for (i, arg) in args.enumerated() { text = text.replacing("{\(i + 1)}", with: arg) }
        return text
    }

    public func territory(_ id: String) -> String {
        if id == rollUp { return self[.allTerritories] }
        if language == "en", let english = territories.englishLabels[id] { return english }
        return territories.label(of: id)
    }

    /// A questionnaire dimension's label (its `label_en` in English when given).
    public func dimension(_ id: String) -> String {
        if language == "en", let english = questionnaire.englishLabels["dimension:\(id)"] { return english }
        return questionnaire.dimensionLabel(id)
    }

    /// A questionnaire item's label (its `label_en` in English when given).
    public func item(_ id: String) -> String {
        if language == "en", let english = questionnaire.englishLabels["item:\(id)"] { return english }
        return questionnaire.items.first { $0.id == id }?.label ?? id
    }

    public func stakeholder(_ id: String) -> String {
        if id == rollUp { return self[.allStakeholders] }
        if language == "en", let english = stakeholders.englishLabels[id] ?? LabelTables.englishVocabulary[id] { return english }
        return stakeholders.label(of: id)
    }

    public func actionType(_ id: String) -> String {
        if language == "en", let english = actionTypes.englishLabels[id] ?? LabelTables.englishVocabulary[id] { return english }
        return actionTypes.label(of: id)
    }

    public func category(_ dimension: String, _ category: String) -> String {
        switch dimension {
        case "action_type": return actionType(category)
        case "attendance": return category == "head_counts" ? self[.headCountsOnly] : category
        case "item": return item(category)
        case "dimension": return self.dimension(category)
        case "contract_type", "referrer_type":
            if category == "unknown" { return self[.unknownCategory] }
            if language == "en", let english = LabelTables.englishVocabulary[category] { return english }
            let vocabulary = dimension == "contract_type" ? BuiltinVocabularies.contractTypes : BuiltinVocabularies.referrerTypes
            return vocabulary.first { $0.id == category }?.label ?? category
        // The shift by action type: a perception dimension, broken down by the action types attended.
        default: return actionTypes.ids.contains(category) ? actionType(category) : category
        }
    }

    public func indicator(_ indicator: Indicator) -> String {
        switch indicator {
        case .actions: return self[.indActions]
        case .participations: return self[.indParticipations]
        case .participants: return self[.indParticipants]
        case .organisations: return self[.indOrganisations]
        case .perceptionShiftUnpaired: return self[.indUnpaired]
        case .responseRate: return self[.indResponseRate]
        case .referrals: return self[.indReferrals]
        case .interviews: return self[.indInterviews]
        case .immersions: return self[.indImmersions]
        case .hires: return self[.indHires]
        case .retained6m: return self[.indRetained]
        case .hiresSustainable: return self[.indSustainable]
        case .hiresSustainableShare: return self[.indSustainableShare]
        case .hiresAfterAction: return self[.indAfterAction]
        case .conversionReferralToHire: return self[.indConversion]
        case .hiresUnknownLength: return self[.indUnknownLength]
        case .retained6mShare: return self[.indRetainedShare]
        case .daysToHireMedian: return self[.indDaysToHire]
        // Its rows are labelled by their category, the theme.
        case .themeMentions: return indicator.id
        default:
            guard let (measure, design) = indicator.perception else { return indicator.id }
            let name = self[Self.labelKey(measure)]
            return design == .retrospective ? "\(name) (\(self[.retroPrefix]))" : name
        }
    }

    private static func labelKey(_ measure: PerceptionMeasure) -> LabelKey {
        switch measure {
        case .preMean: return .indPreMean
        case .postMean: return .indPostMean
        case .shift: return .indShift
        case .improvedShare: return .indImproved
        case .worsenedShare: return .indWorsened
        case .wilcoxonP: return .indWilcoxon
        case .wilcoxonPHolm: return .indHolm
        case .effectSize: return .indEffect
        case .shiftByActionType: return .indByActionType
        case .shiftByActionsAttended: return .indByActionsAttended
        }
    }

    public func status(_ status: IndicatorStatus) -> String {
        switch status {
        case .ok: return self[.statusOK]
        case .suppressed: return self[.statusSuppressed]
        case .insufficient: return self[.statusInsufficient]
        }
    }

    /// The masks of personal data (`PersonalData`) in this language.
    public var masks: PersonalData.Labels {
        PersonalData.Labels(email: self[.scrubEmail], phone: self[.scrubPhone], name: self[.scrubName], hidden: self[.scrubHidden])
    }

    public func reason(_ reason: RejectReason) -> String {
        (language == "en" ? LabelTables.englishReasons : LabelTables.frenchReasons)[reason] ?? reason.rawValue
    }

    public func number(_ value: Double, decimals: Int = 0) -> String { NumberText.prose(value, decimals: decimals, language: language) }
    public func number(_ value: Int) -> String { NumberText.prose(Double(value), language: language) }
    public func percent(_ share: Double) -> String { NumberText.percent(share, language: language) }

    /// A day in words: "3 mai 2025" / "3 May 2025".
    public func date(_ d: CalendarDate) -> String {
        let months = language == "en" ? LabelTables.englishMonths : LabelTables.frenchMonths
        let day = language == "fr" && d.day == 1 ? "1er" : String(d.day)
        return "\(day) \(months[d.month - 1]) \(d.year)"
    }

    /// A month's name.
    public func month(_ m: Int) -> String { (language == "en" ? LabelTables.englishMonths : LabelTables.frenchMonths)[max(0, min(11, m - 1))] }
    /// A signed number: `+0,55` / `−0,12`.
    public func signed(_ value: Double, decimals: Int = 2) -> String {
        let text = NumberText.prose(value, decimals: decimals, language: language)
        return text.hasPrefix("−") || text.allSatisfy({ $0 == "0" || $0 == "," || $0 == "." }) ? text : "+" + text
    }
    /// An interval bound: one that rounds to zero keeps its sign with as many decimals as it takes
    /// (up to 6: `−0,0003`), so an interval that includes 0 never reads `[0,00 ; …]`.
    public func bound(_ value: Double, decimals: Int = 2) -> String {
        var d = decimals
        while d < 6, value != 0, (abs(value) * pow(10, Double(d))).rounded() == 0 { d += 1 }
        return signed(value, decimals: d)
    }
    /// A confidence interval after its estimate: ` [+0,41 ; +0,86]`, with no-break spaces so it never wraps.
    public func interval(_ low: Double, _ high: Double) -> String {
        "\u{00A0}[\(bound(low))\(self[.intervalSeparator])\(bound(high))]"
    }
    /// A p-value as prose: `< 0,001` or `= 0,012`.
    public func pValue(_ p: Double) -> String {
        p < 0.001 ? "< " + NumberText.prose(0.001, decimals: 3, language: language) : "= " + NumberText.prose(p, decimals: 3, language: language)
    }
}
