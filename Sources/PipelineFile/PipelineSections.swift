import Foundation
import Records

/// The top-level sections of a pipeline file as they are read, before the targets and sources that
/// refer to them (territories, stakeholder types, the questionnaire) are checked.
struct PipelineSections {
    let base: String
    var title = "Rapport d'impact"
    var programme = ""
    var titleEN: String?, programmeEN: String?
    var periods = PeriodScheme.calendarYear
    var k = 5
    var maxRejectRate = 0.05
    var outputFolder: String?
    var storePath: String?
    var keyFile: String?, keyEnv: String?, keyLine = 0
    var language = "fr"
    var territories = Vocabulary(name: "territory")
    var stakeholders = Vocabulary(name: "stakeholder_type")
    var actionTypes = Vocabulary(name: "action_type")
    var eventKinds = Vocabulary(name: "event_kind")
    var contractTypes = Vocabulary(name: "contract_type")
    var referrerTypes = Vocabulary(name: "referrer_type")
    var questionnaire = Questionnaire.none
    var hiring = HiringSettings()
    var themes = ThemeLexicon()
    var targetNodes: [YAMLNode] = []
    var sourceNodes: [YAMLNode]?

    static let keys = ["version", "title", "title_en", "programme", "programme_en", "periods", "privacy", "quality", "outputs",
                       "vocabularies", "questionnaire", "hiring", "targets", "themes", "sources"]

    /// `base` anchors relative paths; the built-in vocabularies are there before the file adds to them.
    init(base: String) {
        self.base = base
        BuiltinVocabularies.stakeholderTypes.forEach { stakeholders.add($0) }
        BuiltinVocabularies.actionTypes.forEach { actionTypes.add($0) }
        BuiltinVocabularies.eventKinds.forEach { eventKinds.add($0) }
        BuiltinVocabularies.contractTypes.forEach { contractTypes.add($0) }
        BuiltinVocabularies.referrerTypes.forEach { referrerTypes.add($0) }
    }

    /// Reads one top-level key.
    mutating func read(_ key: String, _ value: YAMLNode) throws {
        switch key {
        case "version": _ = try value.int(in: 1...1)
        case "title": title = try value.nonEmptyString()
        case "programme": programme = try value.nonEmptyString()
        case "title_en": titleEN = try value.nonEmptyString()
        case "programme_en": programmeEN = try value.nonEmptyString()
        case "periods": periods = try PipelineLoader.parsePeriods(value)
        case "privacy": try readPrivacy(value)
        case "quality":
            for (qk, _, qv) in try value.mapping(allowed: ["max_reject_rate"]) where qk == "max_reject_rate" {
                maxRejectRate = try qv.double(in: 0...1)
            }
        case "outputs":
            for (ok, _, ov) in try value.mapping(allowed: ["folder", "lang", "store"]) {
                if ok == "folder" { outputFolder = PipelineLoader.resolve(try ov.nonEmptyString(), base: base) }
                if ok == "store" { storePath = PipelineLoader.resolve(try ov.nonEmptyString(), base: base) }
                if ok == "lang" { language = try ov.oneOf(["fr", "en"]) }
            }
        case "vocabularies": try readVocabularies(value)
        case "hiring": try readHiring(value)
        case "targets": targetNodes = try value.sequence()
        case "themes": try readThemes(value)
        case "questionnaire": questionnaire = try QuestionnaireLoader.parse(value)
        case "sources": sourceNodes = try value.sequence()
        default: break
        }
    }

    mutating func readPrivacy(_ value: YAMLNode) throws {
        for (pk, _, pv) in try value.mapping(allowed: ["k", "key_file", "key_env"]) {
            switch pk {
            case "k": k = try pv.int(in: 3...1_000)
            case "key_file": keyFile = PipelineLoader.resolve(try pv.nonEmptyString(), base: base); keyLine = pv.line
            default: keyEnv = try pv.nonEmptyString(); keyLine = pv.line
            }
        }
        if keyFile != nil && keyEnv != nil { throw value.error("give either key_file or key_env, not both") }
    }

    mutating func readVocabularies(_ value: YAMLNode) throws {
        for (vk, _, vv) in try value.mapping(allowed: ["territory", "stakeholder_type", "action_type", "event_kind",
                                                        "contract_type", "referrer_type"]) {
            switch vk {
            case "territory": try PipelineLoader.addEntries(vv, to: &territories)
            case "stakeholder_type": try PipelineLoader.addEntries(vv, to: &stakeholders)
            case "event_kind":
                _ = try vv.mapping(allowed: EventKind.allCases.map(\.rawValue))  // only the built-in kinds take aliases
                try PipelineLoader.addEntries(vv, to: &eventKinds)
            case "contract_type": try PipelineLoader.addEntries(vv, to: &contractTypes)
            case "referrer_type": try PipelineLoader.addEntries(vv, to: &referrerTypes)
            default: try PipelineLoader.addEntries(vv, to: &actionTypes)
            }
        }
    }

    mutating func readHiring(_ value: YAMLNode) throws {
        for (hk, _, hv) in try value.mapping(allowed: ["durable", "link_window_days", "data_end"]) {
            if hk == "durable" {
                hiring.durable = DurableRule(strict: try hv.oneOf(["at_least_6_months", "more_than_6_months"]) == "more_than_6_months")
            } else if hk == "data_end" {
                hiring.dataEnd = try hv.isoDate()
            } else {
                hiring.linkWindowDays = try hv.int(in: 1...3650)
            }
        }
    }

    /// `themes:`: whether comments are quoted, then obstacles and levers, each `id: [keywords]` or
    /// `id: {label, label_en, keywords}`.
    mutating func readThemes(_ value: YAMLNode) throws {
        for (tk, _, tv) in try value.mapping(allowed: ["quotes", "obstacles", "levers"]) {
            if tk == "quotes" {
                themes.quotes = try tv.oneOf(["true", "false", "yes", "no"]).hasPrefix("t") || (try tv.string()) == "yes"
                continue
            }
            for (id, _, entry) in try tv.mapping(allowed: nil) {
                var label = id, words: [String] = []
                if case .mapping = entry.node {
                    for (k, _, v) in try entry.mapping(allowed: ["label", "label_en", "keywords"]) {
                        switch k {
                        case "label": label = try v.nonEmptyString()
                        case "label_en": themes.englishLabels[id] = try v.nonEmptyString()
                        default: words = try v.list().map { try $0.nonEmptyString() }
                        }
                    }
                } else {
                    words = try entry.list().map { try $0.nonEmptyString() }
                }
                guard !words.isEmpty else { throw entry.error("a theme needs keywords") }
                themes.themes.append(.init(id: id, label: label, kind: tk == "obstacles" ? .obstacle : .lever,
                                           keywords: words.map(ThemeText.words)))
            }
        }
    }

    /// The configuration, once the sections every run needs are known to be there.
    func config(file: String, targets: [Target], sources: [SourceConfig], outputFolder: String) -> PipelineConfig {
        var config = PipelineConfig(file: file, baseDirectory: base, title: title, programme: programme, periods: periods, privacyK: k,
                                    maxRejectRate: maxRejectRate, outputFolder: outputFolder, language: language,
                                    territories: territories, stakeholderTypes: stakeholders, actionTypes: actionTypes,
                                    questionnaire: questionnaire, eventKinds: eventKinds, contractTypes: contractTypes,
                                    referrerTypes: referrerTypes, hiring: hiring, targets: targets, themes: themes, sources: sources)
        config.storePath = storePath
        (config.keyFile, config.keyEnv, config.keyLine) = (keyFile, keyEnv, keyLine)
        config.titleEN = titleEN ?? (title == "Rapport d'impact" ? "Impact report" : nil)
        config.programmeEN = programmeEN
        return config
    }
}
