/// A controlled list of canonical values (territories, stakeholder types…) with their aliases.
public struct Vocabulary: Sendable, Equatable {
    /// One canonical value: its stable id (`saint_etienne`) and its display label (`Saint-Étienne`).
    public struct Entry: Sendable, Equatable {
        public let id: String
        public let label: String
        public let aliases: [String]

        public init(id: String, label: String, aliases: [String]) {
            self.id = id
            self.label = label
            self.aliases = aliases
        }
    }

    public let name: String
    public private(set) var entries: [Entry] = []
    private var index: [String: String] = [:]
    /// Label by id: reports look labels up per indicator row, too often for a linear scan.
    private var labels: [String: String] = [:]
    /// English labels given in the pipeline file (`label_en`), by id.
    public var englishLabels: [String: String] = [:]

    public init(name: String) { self.name = name }

    /// Adds or extends an entry. Returns the canonical id an alias already points to, on a clash.
    @discardableResult
    public mutating func add(_ entry: Entry) -> (alias: String, existing: String)? {
        if let i = entries.firstIndex(where: { $0.id == entry.id }) {
            let old = entries[i]
            entries[i] = Entry(id: old.id, label: entry.label, aliases: old.aliases + entry.aliases)
        } else {
            entries.append(entry)
        }
        labels[entry.id] = entry.label
        for alias in [entry.id, entry.label] + entry.aliases {
            let key = Fold.key(alias)
            guard !key.isEmpty else { continue }
            if let existing = index[key], existing != entry.id { return (alias, existing) }
            index[key] = entry.id
        }
        return nil
    }

    /// The canonical id a raw value stands for, matching without regard to case, accents,
    /// punctuation and spacing; nil when unknown.
    public func resolve(_ raw: String) -> String? { index[Fold.key(raw)] }

    /// The display label of a canonical id (the id itself when unknown, e.g. `ALL`).
    public func label(of id: String) -> String { labels[id] ?? id }

    public var ids: [String] { entries.map(\.id) }
}

/// The built-in vocabularies from the programme's glossary; a pipeline file extends them.
public enum BuiltinVocabularies {
    /// Stakeholder types: the three kinds of people a programme brings together.
    public static let stakeholderTypes: [Vocabulary.Entry] = [
        .init(id: "industriel", label: "Industriels",
              aliases: ["industriel", "industrielle", "entreprise industrielle", "entreprise",
                        "collaborateur industriel", "collaboratrice industrielle", "salarié industriel"]),
        .init(id: "prescripteur", label: "Prescripteurs",
              aliases: ["conseiller", "conseillère", "accompagnateur", "accompagnatrice",
                        "France Travail", "Pôle emploi", "Mission Locale", "SIAE",
                        "organisme de formation", "conseiller emploi", "conseillère emploi"]),
        .init(id: "candidat", label: "Candidats",
              aliases: ["candidate", "personne en reconversion", "demandeur d'emploi",
                        "demandeuse d'emploi", "bénéficiaire"]),
    ]

    /// Pathway event kinds.
    public static let eventKinds: [Vocabulary.Entry] = [
        .init(id: "referral", label: "Mises en relation", aliases: ["mise en relation", "orientation", "positionnement", "candidature transmise"]),
        .init(id: "interview", label: "Entretiens", aliases: ["entretien", "entretien d'embauche", "entretien de recrutement"]),
        .init(id: "immersion", label: "Immersions", aliases: ["immersion", "PMSMP", "stage", "période d'immersion", "immersion professionnelle"]),
        .init(id: "hire", label: "Embauches", aliases: ["embauche", "recrutement", "signature du contrat", "retour à l'emploi"]),
        .init(id: "retained_6m", label: "En poste à 6 mois", aliases: ["maintien à 6 mois", "en poste à 6 mois", "toujours en poste à 6 mois", "maintien dans l'emploi à 6 mois"]),
    ]

    /// Contract types.
    public static let contractTypes: [Vocabulary.Entry] = [
        .init(id: "cdi", label: "CDI", aliases: ["CDI", "contrat à durée indéterminée", "CDI intérimaire"]),
        .init(id: "cdd", label: "CDD", aliases: ["CDD", "contrat à durée déterminée", "CDDI"]),
        .init(id: "interim", label: "Intérim", aliases: ["intérim", "interim", "mission d'intérim", "travail temporaire", "CTT"]),
        .init(id: "alternance", label: "Alternance", aliases: ["alternance", "apprentissage", "contrat d'apprentissage", "contrat pro",
                                                                 "contrat de professionnalisation", "professionnalisation"]),
        .init(id: "creation", label: "Création d'entreprise", aliases: ["création d'entreprise", "création", "auto-entrepreneur", "micro-entreprise"]),
    ]

    /// Referring organisations' categories.
    public static let referrerTypes: [Vocabulary.Entry] = [
        .init(id: "france_travail", label: "France Travail", aliases: ["France Travail", "Pôle emploi", "Pole emploi"]),
        .init(id: "mission_locale", label: "Mission Locale", aliases: ["Mission Locale", "ML"]),
        .init(id: "siae", label: "SIAE", aliases: ["SIAE", "structure d'insertion", "IAE", "chantier d'insertion", "entreprise d'insertion"]),
        .init(id: "organisme_formation", label: "Organisme de formation", aliases: ["organisme de formation", "OF", "AFPA", "GRETA"]),
        .init(id: "cap_emploi", label: "Cap Emploi", aliases: ["Cap Emploi"]),
        .init(id: "entreprise", label: "Entreprise", aliases: ["entreprise", "employeur", "candidature spontanée"]),
    ]

    /// Action types: the mediation formats the programme runs.
    public static let actionTypes: [Vocabulary.Entry] = [
        .init(id: "zi_tour", label: "ZI Tour", aliases: ["ZI Tour", "visite de zone industrielle", "bus tour"]),
        .init(id: "vis_ma_vie", label: "Vis ma vie", aliases: ["Vis ma vie", "immersion conseiller", "journée d'immersion"]),
        .init(id: "visite_siae", label: "Visite SIAE", aliases: ["visite SIAE", "visite de SIAE"]),
        .init(id: "ambassadeur", label: "Ambassadeurs", aliases: ["ambassadeur", "ambassadrice", "intervention ambassadeur"]),
        .init(id: "video", label: "Vidéo marque employeur", aliases: ["vidéo", "vidéo marque employeur", "projection vidéo"]),
    ]
}
