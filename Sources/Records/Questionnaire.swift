/// The wave of a survey response.
public enum Wave: String, Sendable, CaseIterable {
    case pre
    case post
    /// "Post-then-pre": one questionnaire after the action holding "before" and "now".
    case retrospective
}

/// The questionnaire: items, their dimensions and reverse coding, and the answer scale.
public struct Questionnaire: Sendable {
    /// One Likert item.
    public struct Item: Sendable, Equatable {
        public let id: String
        public let label: String
        public let dimension: String
        /// Worded so that agreeing is negative ("les sites sont difficiles d'accès"): scored 6 − x.
        public let reverse: Bool

        public init(id: String, label: String, dimension: String, reverse: Bool) {
            self.id = id
            self.label = label
            self.dimension = dimension
            self.reverse = reverse
        }
    }

    public let items: [Item]
    /// Dimension id → label, in first-appearance order.
    public let dimensions: [(id: String, label: String)]
    /// Answer labels → score 1…5 (folded matching); numbers 1…5 are read as themselves.
    public let scale: Vocabulary
    /// Answers meaning "no answer" (NSP, ne sait pas…): missing, never zero.
    public let missing: Vocabulary
    /// Wave labels → pre / post.
    public let waves: Vocabulary
    /// English labels of items and dimensions (`label_en` in the pipeline file), by id.
    public var englishLabels: [String: String] = [:]
    /// Below this Cronbach's alpha a dimension's composite is flagged and the synthesis reads its
    /// statements one by one (`alpha_threshold`, default 0.6).
    public var alphaThreshold = 0.6

    public init(items: [Item], dimensions: [(id: String, label: String)], scale: Vocabulary, missing: Vocabulary, waves: Vocabulary) {
        self.items = items
        self.dimensions = dimensions
        self.scale = scale
        self.missing = missing
        self.waves = waves
    }

    public func index(ofItem id: String) -> Int? { items.firstIndex { $0.id == id } }

    public func dimensionLabel(_ id: String) -> String { dimensions.first { $0.id == id }?.label ?? id }

    /// Item indices of each dimension, in questionnaire order.
    public var itemsByDimension: [(dimension: String, items: [Int])] {
        dimensions.map { d in (d.id, items.indices.filter { items[$0].dimension == d.id }) }
    }

    /// The built-in French 5-point agreement scale and no-answer labels.
    public static let defaultScale: [Vocabulary.Entry] = [
        .init(id: "1", label: "Pas du tout d'accord", aliases: ["pas du tout d'accord", "tout à fait en désaccord", "pas du tout"]),
        .init(id: "2", label: "Plutôt pas d'accord", aliases: ["plutôt pas d'accord", "pas d'accord", "plutôt en désaccord"]),
        .init(id: "3", label: "Ni d'accord ni pas d'accord", aliases: ["ni d'accord ni pas d'accord", "neutre", "moyennement d'accord", "ni d'accord ni en désaccord"]),
        .init(id: "4", label: "Plutôt d'accord", aliases: ["plutôt d'accord", "d'accord"]),
        .init(id: "5", label: "Tout à fait d'accord", aliases: ["tout à fait d'accord", "entièrement d'accord"]),
    ]

    public static let defaultMissing: [Vocabulary.Entry] = [
        .init(id: "missing", label: "NSP", aliases: ["NSP", "ne sait pas", "je ne sais pas", "sans avis", "non concerné", "non concernée", "NR", "N/A", "NA", "-"]),
    ]

    public static let defaultWaves: [Vocabulary.Entry] = [
        .init(id: "pre", label: "Avant", aliases: ["pre", "pré", "avant", "T0", "entrée", "début", "initial"]),
        .init(id: "post", label: "Après", aliases: ["post", "après", "T1", "sortie", "fin", "final"]),
    ]

    /// An empty questionnaire (pipelines without responses sources).
    public static let none = Questionnaire(items: [], dimensions: [], scale: Vocabulary(name: "scale"),
                                           missing: Vocabulary(name: "missing"), waves: Vocabulary(name: "wave"))
}

/// One survey response, canonical: reverse coding already applied, 0 = no answer.
public struct SurveyResponse: Sendable {
    public let respondent: UInt64
    public let stakeholderType: String
    public let territory: String
    public let date: CalendarDate
    public let wave: Wave
    /// Scores 1…5 per questionnaire item (the "after" answers of a retrospective response); 0 = missing.
    public let answers: [UInt8]
    /// Retrospective responses: the "before" answers; empty otherwise.
    public let before: [UInt8]
    /// Free-text comment, for the theme counts (never written out unless quotes are on, then scrubbed).
    public let comment: String?
    public let location: RecordLocation

    public init(respondent: UInt64, stakeholderType: String, territory: String, date: CalendarDate, wave: Wave,
                answers: [UInt8], before: [UInt8], comment: String? = nil, location: RecordLocation) {
        self.comment = comment
        self.respondent = respondent
        self.stakeholderType = stakeholderType
        self.territory = territory
        self.date = date
        self.wave = wave
        self.answers = answers
        self.before = before
        self.location = location
    }
}
