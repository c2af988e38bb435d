import PipelineFile
import Records

/// Column headers partner tools use for each canonical field, in French and English (folded when matched).
enum FieldSynonyms {
    static let headers: [String: [String]] = [
        "action_id": ["N° action", "No action", "Numéro action", "Numéro d'action", "Code action", "Code de l'action", "ID action",
                      "Identifiant action", "Réf action", "Référence action", "Code séance", "N° séance", "ID séance", "Séance", "Session",
                      "Session ID", "Session code", "Action ID", "Action code", "Event ID", "Activity ID", "Action liée", "Action",
                      "Code", "Linked action", "Related action"],
        "date": ["Date", "Date de l'action", "Date action", "Date de la séance", "Jour", "Horodateur", "Horodatage", "Timestamp",
                 "Submitted at", "Submission date", "Date de réponse", "Date de saisie", "Date de l'événement", "Event date", "Session date",
                 "Date of the session", "Response date", "Start date", "Day"],
        "territory": ["Territoire", "Territory", "Ville", "Commune", "Zone", "Bassin", "Bassin d'emploi", "Site", "Area", "Région",
                      "Département", "Agence", "Lieu", "City", "Location", "Town", "Secteur", "Secteur géographique", "District", "Place"],
        "action_type": ["Type d'action", "Type action", "Type", "Format", "Type de séance", "Format de l'action", "Nature de l'action",
                        "Catégorie d'action", "Dispositif", "Action type", "Activity type", "Event type", "Session type", "Kind"],
        "organiser": ["Organisateur", "Organisatrice", "Organisé par", "Porteur", "Structure organisatrice", "Pilote", "Animateur",
                      "Organiser", "Organizer", "Host", "Hosted by", "Run by"],
        "duration_hours": ["Durée", "Durée (h)", "Durée h", "Durée en heures", "Durée (heures)", "Nb heures", "Nombre d'heures", "Heures",
                           "Duration", "Duration (h)", "Hours", "Length (hours)"],
        "title": ["Intitulé", "Titre", "Libellé", "Nom de l'action", "Title", "Action name", "Session name", "Event name"],
        "person": ["E-mail", "Email", "Mail", "Courriel", "Adresse e-mail", "Adresse mail", "Adresse électronique", "Email address",
                   "E-mail address", "ID participant", "Identifiant participant", "Code participant", "Participant ID", "Person ID",
                   "Pseudonyme", "Pseudonym"],
        "stakeholder_type": ["Profil", "Type de participant", "Type participant", "Catégorie", "Catégorie de participant", "Statut",
                             "Public", "Type de public", "Rôle", "Type d'acteur", "Qualité", "Participant type", "Profile", "Role",
                             "Stakeholder type", "Audience"],
        "organisation": ["Structure", "Organisme", "Organisation", "Entreprise", "Employeur", "Société", "Établissement",
                         "Structure d'appartenance", "Organization", "Company", "Employer", "Affiliation"],
        "last_name": ["Nom", "Nom de famille", "Nom d'usage", "Last name", "Surname", "Family name"],
        "first_name": ["Prénom", "First name", "Given name", "Forename"],
        "respondent": ["Identifiant", "ID", "Code répondant", "ID répondant", "Identifiant répondant", "Répondant", "Code anonyme",
                       "Code personnel", "Pseudonyme", "Respondent", "Respondent ID", "Response ID", "Participant code", "Code"],
        "wave": ["Vague", "Temps", "Moment", "Passation", "Phase", "Wave", "Time point", "Timepoint", "Round", "Stage of survey"],
        "comment": ["Commentaire", "Commentaires", "Remarque", "Remarques", "Observations", "Verbatim", "Précisions", "Suggestions",
                    "Comment", "Comments", "Remarks", "Notes", "Free text"],
        "candidate": ["ID candidat", "Candidat", "Identifiant candidat", "Code candidat", "N° candidat", "ID bénéficiaire",
                      "Bénéficiaire", "Candidate", "Candidate ID", "Jobseeker ID", "Job seeker ID"],
        "event": ["Étape", "Événement", "Étape du parcours", "Type d'événement", "Jalon", "Statut", "Step", "Event", "Milestone",
                  "Status", "Stage", "Outcome"],
        "employer": ["Entreprise", "Employeur", "Entreprise d'accueil", "Structure d'accueil", "Établissement", "Employer",
                     "Company", "Host company"],
        "referrer": ["Structure orientatrice", "Prescripteur", "Orienté par", "Orienteur", "Structure prescriptrice",
                     "Structure d'origine", "Referrer", "Referred by", "Referring organisation", "Referring organization"],
        "referrer_type": ["Type de structure", "Type de prescripteur", "Type prescripteur", "Catégorie de prescripteur", "Réseau",
                          "Referrer type", "Type of referrer", "Referrer category"],
        "contract": ["Contrat", "Type de contrat", "Nature du contrat", "Contract", "Contract type", "Type of contract"],
        "contract_start": ["Début contrat", "Début du contrat", "Date de début", "Date début contrat", "Date d'embauche",
                           "Contract start", "Start of contract", "Hire date"],
        "contract_end": ["Fin contrat", "Fin du contrat", "Date de fin", "Date fin contrat", "Contract end", "End of contract", "End date"],
        "contract_months": ["Durée contrat", "Durée du contrat", "Durée du contrat (mois)", "Durée contrat (mois)", "Contract length",
                            "Contract months", "Contract length (months)"],
    ]

    /// Folded synonyms, by field.
    static let folded: [String: [[String]]] = headers.mapValues { $0.map { Words.of($0) } }

    /// How well a header names `field`: 1 as a synonym, less when it holds one among other words, 0 otherwise.
    static func score(_ header: String, field: String) -> Double {
        let words = Words.of(header)
        guard !words.isEmpty, let synonyms = folded[field] else { return 0 }
        var best = 0.0
        for synonym in synonyms where !synonym.isEmpty {
            if words == synonym { return 1 }
            // A synonym among a few other words ("Date de la visite", "Code action Déclic"): questions are not headers.
            if words.count <= 6, Words.contains(words, synonym) {
                best = max(best, 0.55 + 0.35 * Double(synonym.count) / Double(words.count))
            }
        }
        return best
    }

    /// Head-count columns: "Nb industriels", "Nombre de prescripteurs", "Number of candidates".
    static func countType(_ header: String, types: VocabularyMatcher) -> String? {
        let words = Words.of(header)
        let prefixes: [[String]] = [["nb"], ["nbre"], ["nombre", "de"], ["nombre", "d"], ["nombre"], ["number", "of"], ["no", "of"], ["count", "of"]]
        for prefix in prefixes where words.count > prefix.count && Array(words.prefix(prefix.count)) == prefix {
            let rest = words.dropFirst(prefix.count).joined(separator: " ")
            switch types.match(rest) {
            case .known(let id, _), .proposed(let id, _): return id
            default: continue
            }
        }
        return nil
    }
}

/// The words of a label, folded and put in the singular, for comparing headers and labels.
enum Words {
    static func of(_ text: String) -> [String] {
        Fold.key(text).split(separator: " ").map { singular(String($0)) }
    }

    /// French and English plurals: a trailing s or x dropped from words of more than three letters.
    static func singular(_ word: String) -> String {
        guard word.count > 3, let last = word.last, last == "s" || last == "x", !word.hasSuffix("ss") else { return word }
        return String(word.dropLast())
    }

    /// Whether `words` holds `part` as consecutive words.
    static func contains(_ words: [String], _ part: [String]) -> Bool {
        guard !part.isEmpty, part.count <= words.count else { return false }
        for start in 0...(words.count - part.count) where Array(words[start..<(start + part.count)]) == part { return true }
        return false
    }
}

/// Labels the draft knows beyond the pipeline's built-in vocabularies (mostly English): found in an
/// export, they are written into the draft as aliases, so the pipeline file says how it reads them.
enum DraftSynonyms {
    static let stakeholderTypes: [Vocabulary.Entry] = [
        .init(id: "industriel", label: "", aliases: ["Employer", "Industry", "Industrial company", "Company staff", "Manufacturer",
                                                    "Chef d'entreprise", "Dirigeant", "Responsable RH", "Recruteur", "Recruiter",
                                                    "Collaborateur", "Collaboratrice", "Salarié", "Salariée"]),
        .init(id: "prescripteur", label: "", aliases: ["Adviser", "Advisor", "Employment adviser", "Employment advisor", "Job coach",
                                                      "Counsellor", "Counselor", "Career adviser", "Caseworker", "Prescriptrice",
                                                      "Chargé d'insertion", "Chargée d'insertion", "CIP", "Référent", "Référente"]),
        .init(id: "candidat", label: "", aliases: ["Candidate", "Jobseeker", "Job seeker", "Stagiaire", "Apprenant", "Trainee", "Learner"]),
    ]
    static let actionTypes: [Vocabulary.Entry] = [
        .init(id: "zi_tour", label: "", aliases: ["Factory tour", "Industrial tour", "Site tour", "Visite d'entreprise", "Visite d'usine",
                                                 "Visite de site", "Company visit", "Plant visit"]),
        .init(id: "vis_ma_vie", label: "", aliases: ["Job shadowing", "Shadowing", "Journée découverte"]),
        .init(id: "visite_siae", label: "", aliases: ["SIAE visit"]),
        .init(id: "ambassadeur", label: "", aliases: ["Ambassador", "Témoignage", "Testimony"]),
        .init(id: "video", label: "", aliases: ["Video", "Screening", "Film", "Projection"]),
    ]
    static let eventKinds: [Vocabulary.Entry] = [
        .init(id: "referral", label: "", aliases: ["Referral", "Referred", "Orienté", "Orientée", "Proposition de candidature", "Application"]),
        .init(id: "interview", label: "", aliases: ["Interview", "Job interview", "Rencontre employeur"]),
        .init(id: "immersion", label: "", aliases: ["Work trial", "Work placement", "Internship", "Placement"]),
        .init(id: "hire", label: "", aliases: ["Hire", "Hired", "Hiring", "Job start", "Embauché", "Embauchée", "Recruté", "Recrutée",
                                              "Prise de poste"]),
        .init(id: "retained_6m", label: "", aliases: ["Still employed at 6 months", "Retained at 6 months", "Retained 6 months",
                                                     "In post at 6 months", "6-month follow-up"]),
    ]
    static let referrerTypes: [Vocabulary.Entry] = [
        .init(id: "france_travail", label: "", aliases: ["Public employment service", "Employment service"]),
        .init(id: "mission_locale", label: "", aliases: ["Youth service", "Youth employment service"]),
        .init(id: "siae", label: "", aliases: ["ACI", "ETTI", "Insertion"]),
        .init(id: "organisme_formation", label: "", aliases: ["Training provider", "Training centre", "Training center", "CFA", "École"]),
        .init(id: "cap_emploi", label: "", aliases: ["Disability employment service"]),
        .init(id: "entreprise", label: "", aliases: ["Company", "Employer", "Spontaneous application"]),
    ]
    static let contractTypes: [Vocabulary.Entry] = [
        .init(id: "cdi", label: "", aliases: ["Permanent", "Permanent contract", "Open-ended contract"]),
        .init(id: "cdd", label: "", aliases: ["Fixed-term", "Fixed-term contract", "Fixed term"]),
        .init(id: "interim", label: "", aliases: ["Temp", "Temporary work", "Agency work", "Temping"]),
        .init(id: "alternance", label: "", aliases: ["Apprenticeship", "Work-study", "Work-study contract"]),
        .init(id: "creation", label: "", aliases: ["Self-employed", "Business creation", "Own business"]),
    ]
    static let waves: [Vocabulary.Entry] = [
        .init(id: "pre", label: "", aliases: ["Before", "Baseline", "Entry", "Start", "Pre-test", "Pretest", "J0", "M0"]),
        .init(id: "post", label: "", aliases: ["After", "Follow-up", "Exit", "End", "Post-test", "Posttest"]),
    ]
}
