/// The roll-up marker in the territory and stakeholder_type columns.
public let rollUp = "ALL"

/// How a questionnaire measures a change of perception.
public enum SurveyDesign: String, CaseIterable, Sendable, Comparable {
    /// Answered before and after an action, paired by respondent.
    case prospective
    /// "Before" and "now" answered together after the action (perceived change).
    case retrospective

    public static func < (a: SurveyDesign, b: SurveyDesign) -> Bool { a.rawValue < b.rawValue }
}

/// What a perception figure measures, in either design.
public enum PerceptionMeasure: String, CaseIterable, Sendable {
    case preMean = "pre_mean"
    case postMean = "post_mean"
    case shift
    case improvedShare = "improved_share"
    case worsenedShare = "worsened_share"
    case wilcoxonP = "wilcoxon_p"
    case wilcoxonPHolm = "wilcoxon_p_holm"
    case effectSize = "effect_size"
    /// The mean shift among respondents found on the sheets, by the type of action attended.
    case shiftByActionType = "shift_by_action_type"
    /// The same by the number of actions attended (`1`, `2`, `3+`).
    case shiftByActionsAttended = "shift_by_actions_attended"
}

/// Whether a theme of the lexicon is an obstacle or a lever.
public enum ThemeKind: String, CaseIterable, Sendable {
    case obstacle
    case lever
}

/// The indicators of indicators.csv: each id (the `indicator` column, the output contract) is
/// spelled here and nowhere else, with what the stages need to know of it.
public enum Indicator: String, CaseIterable, Sendable, CustomStringConvertible {
    // Reach
    case actions, participations, participants, organisations
    // Perception: before/after questionnaires (pairs), then retrospective ones
    case perceptionPreMean = "perception_pre_mean"
    case perceptionPostMean = "perception_post_mean"
    case perceptionShift = "perception_shift"
    case perceptionImprovedShare = "perception_improved_share"
    case perceptionWorsenedShare = "perception_worsened_share"
    case perceptionWilcoxonP = "perception_wilcoxon_p"
    case perceptionWilcoxonPHolm = "perception_wilcoxon_p_holm"
    case perceptionEffectSize = "perception_effect_size"
    case perceptionShiftByActionType = "perception_shift_by_action_type"
    case perceptionShiftByActionsAttended = "perception_shift_by_actions_attended"
    case retroPerceptionPreMean = "retro_perception_pre_mean"
    case retroPerceptionPostMean = "retro_perception_post_mean"
    case retroPerceptionShift = "retro_perception_shift"
    case retroPerceptionImprovedShare = "retro_perception_improved_share"
    case retroPerceptionWorsenedShare = "retro_perception_worsened_share"
    case retroPerceptionWilcoxonP = "retro_perception_wilcoxon_p"
    case retroPerceptionWilcoxonPHolm = "retro_perception_wilcoxon_p_holm"
    case retroPerceptionEffectSize = "retro_perception_effect_size"
    case retroPerceptionShiftByActionType = "retro_perception_shift_by_action_type"
    case retroPerceptionShiftByActionsAttended = "retro_perception_shift_by_actions_attended"
    /// Welch's difference between those who answered only before and only after.
    case perceptionShiftUnpaired = "perception_shift_unpaired"
    /// Persons listed on the sheets who answered, by design.
    case responseRate = "response_rate"
    // Hiring (candidates)
    case referrals, interviews, immersions, hires
    case retained6m = "retained_6m"
    case hiresSustainable = "hires_sustainable"
    case hiresSustainableShare = "hires_sustainable_share"
    case hiresAfterAction = "hires_after_action"
    case conversionReferralToHire = "conversion_referral_to_hire"
    case hiresUnknownLength = "hires_unknown_length"
    case retained6mShare = "retained_6m_share"
    case daysToHireMedian = "days_to_hire_median"
    // Free-text themes
    case themeMentions = "theme_mentions"

    /// The id written in indicators.csv.
    public var id: String { rawValue }
    public var description: String { rawValue }

    /// What a figure's value is.
    public enum Unit: Sendable {
        /// A count of actions.
        case actions
        /// A count of persons (or of their participations).
        case persons
        /// A share of persons, 0–1.
        case share
        /// A mean on the answer scale, or a difference of means.
        case score
        /// A p-value.
        case probability
        /// A rank-biserial correlation, −1–1.
        case effectSize
        case days
    }

    public var unit: Unit {
        switch self {
        case .actions: return .actions
        case .perceptionImprovedShare, .perceptionWorsenedShare, .retroPerceptionImprovedShare, .retroPerceptionWorsenedShare,
             .responseRate, .hiresSustainableShare, .retained6mShare, .conversionReferralToHire: return .share
        case .perceptionWilcoxonP, .perceptionWilcoxonPHolm, .retroPerceptionWilcoxonP, .retroPerceptionWilcoxonPHolm: return .probability
        case .perceptionEffectSize, .retroPerceptionEffectSize: return .effectSize
        case .daysToHireMedian: return .days
        default: return perception != nil || self == .perceptionShiftUnpaired ? .score : .persons
        }
    }

    /// The design and measure of a perception figure (nil for the others, and for the unpaired difference).
    public var perception: (measure: PerceptionMeasure, design: SurveyDesign)? { Self.perceptionParts[self] }

    /// The perception figure measuring `measure` in `design`.
    public static func perception(_ measure: PerceptionMeasure, _ design: SurveyDesign) -> Indicator {
        switch (design, measure) {
        case (.prospective, .preMean): return .perceptionPreMean
        case (.prospective, .postMean): return .perceptionPostMean
        case (.prospective, .shift): return .perceptionShift
        case (.prospective, .improvedShare): return .perceptionImprovedShare
        case (.prospective, .worsenedShare): return .perceptionWorsenedShare
        case (.prospective, .wilcoxonP): return .perceptionWilcoxonP
        case (.prospective, .wilcoxonPHolm): return .perceptionWilcoxonPHolm
        case (.prospective, .effectSize): return .perceptionEffectSize
        case (.prospective, .shiftByActionType): return .perceptionShiftByActionType
        case (.prospective, .shiftByActionsAttended): return .perceptionShiftByActionsAttended
        case (.retrospective, .preMean): return .retroPerceptionPreMean
        case (.retrospective, .postMean): return .retroPerceptionPostMean
        case (.retrospective, .shift): return .retroPerceptionShift
        case (.retrospective, .improvedShare): return .retroPerceptionImprovedShare
        case (.retrospective, .worsenedShare): return .retroPerceptionWorsenedShare
        case (.retrospective, .wilcoxonP): return .retroPerceptionWilcoxonP
        case (.retrospective, .wilcoxonPHolm): return .retroPerceptionWilcoxonPHolm
        case (.retrospective, .effectSize): return .retroPerceptionEffectSize
        case (.retrospective, .shiftByActionType): return .retroPerceptionShiftByActionType
        case (.retrospective, .shiftByActionsAttended): return .retroPerceptionShiftByActionsAttended
        }
    }

    private static let perceptionParts: [Indicator: (measure: PerceptionMeasure, design: SurveyDesign)] = {
        var parts: [Indicator: (measure: PerceptionMeasure, design: SurveyDesign)] = [:]
        for design in SurveyDesign.allCases {
            for measure in PerceptionMeasure.allCases { parts[perception(measure, design)] = (measure, design) }
        }
        return parts
    }()

    /// Whether the figure rests on persons, and so falls under small-cell protection.
    public var isPersonBased: Bool { self != .actions }

    /// Whether a figure is about candidates' pathways.
    public var isHiring: Bool {
        switch self {
        case .referrals, .interviews, .immersions, .hires, .retained6m, .hiresSustainable, .hiresUnknownLength, .hiresAfterAction,
             .hiresSustainableShare, .retained6mShare, .conversionReferralToHire, .daysToHireMedian: return true
        default: return false
        }
    }

    /// The stakeholder type whose figures these are, when only one: the candidates for hiring.
    public var stakeholderType: String? { isHiring ? Indicator.candidates : nil }

    /// The stakeholder type of the hiring figures.
    public static let candidates = "candidat"

    /// Whether the pipeline file may set a target for it (counts and shares whose attainment reads naturally).
    public var isTargetable: Bool {
        switch self {
        case .actions, .participations, .participants, .organisations, .referrals, .interviews, .immersions, .hires, .retained6m,
             .hiresSustainable, .hiresSustainableShare, .hiresAfterAction, .conversionReferralToHire: return true
        default: return false
        }
    }

    /// A target's stakeholder type when the pipeline file gives none: the candidates for hiring
    /// figures, every type (`ALL`) for reach.
    public var defaultTargetStakeholderType: String { stakeholderType ?? rollUp }
}
