import Records

/// The `questionnaire:` section: items, dimensions, answer scale, no-answer labels, wave labels.
enum QuestionnaireLoader {
    static func parse(_ node: YAMLNode) throws -> Questionnaire {
        var scale = Vocabulary(name: "scale")
        var missing = Vocabulary(name: "missing")
        var waves = Vocabulary(name: "wave")
        Questionnaire.defaultScale.forEach { scale.add($0) }
        Questionnaire.defaultMissing.forEach { missing.add($0) }
        Questionnaire.defaultWaves.forEach { waves.add($0) }
        var items: [Questionnaire.Item] = []
        var dimensionLabels: [String: String] = [:]
        var english: [String: String] = [:]
        var itemsNode: YAMLNode?
        var alphaThreshold = 0.6
        for (key, _, value) in try node.mapping(allowed: ["items", "dimensions", "scale", "missing", "waves", "alpha_threshold"]) {
            switch key {
            case "alpha_threshold":
                alphaThreshold = try value.double(in: 0...1)
            case "scale":
                for (score, _, aliases) in try value.mapping(allowed: ["1", "2", "3", "4", "5"]) {
                    let extra = try aliases.list().map { try $0.nonEmptyString() }
                    if let clash = scale.add(.init(id: score, label: scale.label(of: score), aliases: extra)) {
                        throw aliases.error("'\(clash.alias)' already stands for \(clash.existing) on the scale")
                    }
                }
            case "missing":
                let extra = try value.list().map { try $0.nonEmptyString() }
                missing.add(.init(id: "missing", label: "NSP", aliases: extra))
            case "waves":
                for (wave, _, aliases) in try value.mapping(allowed: ["pre", "post"]) {
                    waves.add(.init(id: wave, label: waves.label(of: wave), aliases: try aliases.list().map { try $0.nonEmptyString() }))
                }
            case "dimensions":
                // `id: label` or `id: {label: …, label_en: …}`.
                for (id, _, label) in try value.mapping(allowed: nil) {
                    if case .mapping = label.node {
                        for (k, _, v) in try label.mapping(allowed: ["label", "label_en"]) {
                            if k == "label" { dimensionLabels[id] = try v.nonEmptyString() } else { english["dimension:\(id)"] = try v.nonEmptyString() }
                        }
                    } else {
                        dimensionLabels[id] = try label.nonEmptyString()
                    }
                }
            default:
                itemsNode = value
            }
        }
        guard let itemsNode else { throw node.error("missing key 'items' (item id: {label, dimension, reverse})") }
        for (id, _, value) in try itemsNode.mapping(allowed: nil) {
            guard id.range(of: "^[a-z0-9_]+$", options: .regularExpression) != nil else {
                throw value.error("item ids are lower-case letters, digits and '_'; found '\(id)'")
            }
            var label: String?, dimension: String?, reverse = false
            for (k, _, v) in try value.mapping(allowed: ["label", "label_en", "dimension", "reverse"]) {
                switch k {
                case "label": label = try v.nonEmptyString()
                case "label_en": english["item:\(id)"] = try v.nonEmptyString()
                case "dimension":
                    dimension = try v.nonEmptyString()
                    if dimension?.range(of: "^[a-z0-9_]+$", options: .regularExpression) == nil {
                        throw v.error("dimension ids are lower-case letters, digits and '_'")
                    }
                default: reverse = try v.oneOf(["true", "false", "yes", "no"]).hasPrefix("t") || (try v.string()) == "yes"
                }
            }
            guard let label, let dimension else { throw value.error("an item needs 'label' and 'dimension'") }
            items.append(.init(id: id, label: label, dimension: dimension, reverse: reverse))
        }
        var dimensions: [(id: String, label: String)] = []
        for item in items where !dimensions.contains(where: { $0.id == item.dimension }) {
            dimensions.append((item.dimension, dimensionLabels[item.dimension] ?? item.dimension))
        }
        var questionnaire = Questionnaire(items: items, dimensions: dimensions, scale: scale, missing: missing, waves: waves)
        questionnaire.englishLabels = english
        questionnaire.alphaThreshold = alphaThreshold
        return questionnaire
    }
}
