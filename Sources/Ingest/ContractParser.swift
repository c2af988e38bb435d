import Records

/// Contracts as hiring logs write them: "CDI", "CDD 8 mois", "Intérim (6 mois)", "Contrat pro",
/// "CDD 1 an", "Création d'entreprise" — a type (through the contract vocabulary) and a length.
public enum ContractParser {
    /// The contract type id (nil when the remaining words match nothing) and the length in months, if written.
    public static func parse(_ text: String, vocabulary: Vocabulary) -> (type: String?, months: Double?) {
        let words = Fold.key(text).split(separator: " ").map(String.init)
        var months: Double?
        var rest: [String] = []
        var i = 0
        while i < words.count {
            if let n = Double(words[i]), i + 1 < words.count, let unit = unitMonths[words[i + 1]] {
                months = n * unit
                i += 2
                continue
            }
            // "8mois", "6m"
            if let split = words[i].firstIndex(where: { !$0.isNumber }), split != words[i].startIndex,
               let n = Double(words[i][..<split]), let unit = unitMonths[String(words[i][split...])] {
                months = n * unit
                i += 1
                continue
            }
            rest.append(words[i])
            i += 1
        }
        let type = vocabulary.resolve(rest.joined(separator: " "))
        return (type, months)
    }

    static let unitMonths: [String: Double] = [
        "mois": 1, "m": 1, "an": 12, "ans": 12, "annee": 12, "annees": 12,
        "semaine": 12.0 / 52, "semaines": 12.0 / 52, "sem": 12.0 / 52, "jour": 12.0 / 365, "jours": 12.0 / 365, "j": 12.0 / 365,
    ]
}
