import Foundation
@testable import Pipeline
import PipelineFile
import Records
import Testing
import TestSupport

/// The indicator catalogue against the output contract: the ids the committed sample publishes,
/// the naming rule of the perception family, targets' defaults.
@Suite("Indicator catalogue")
struct IndicatorCatalogTests {
    /// The sample publishes every indicator there is, so its indicators.csv lists the catalogue.
    @Test func theCatalogueIsWhatTheSamplePublishes() throws {
        let csv = try String(contentsOfFile: "\(EndToEndTests.committed)/indicators.csv", encoding: .utf8)
        let published = Set(csv.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) })
        #expect(published == Set(Indicator.allCases.map(\.id)))
        #expect(Indicator.allCases.count == 39)
    }

    /// `retro_` + `perception_` + the measure, as docs/design.md §5 names them.
    @Test func perceptionIdsFollowTheNamingRule() {
        for design in SurveyDesign.allCases {
            for measure in PerceptionMeasure.allCases {
                let indicator = Indicator.perception(measure, design)
                #expect(indicator.id == (design == .retrospective ? "retro_" : "") + "perception_" + measure.rawValue)
                #expect(indicator.perception?.measure == measure && indicator.perception?.design == design)
            }
        }
        #expect(Indicator.perceptionShiftUnpaired.perception == nil && Indicator.hires.perception == nil)
    }

    /// Only `actions` is a count of actions; every other figure rests on persons and is protected.
    @Test func onlyActionsEscapeProtection() {
        #expect(Indicator.allCases.filter { !$0.isPersonBased } == [.actions])
        #expect(Indicator.allCases.filter { $0.stakeholderType == "candidat" }.count == 12)
    }

    /// A hiring target is about candidates, a reach target about every type, unless the file says.
    @Test func targetsDefaultToTheirIndicatorsStakeholderType() throws {
        let config = try PipelineLoader.load(path: EndToEndTests.pipeline)
        let types = Dictionary(config.targets.map { ("\($0.indicator)/\($0.territory)", $0.stakeholderType) }, uniquingKeysWith: { a, _ in a })
        #expect(types["actions/lyon"] == "ALL")
        #expect(types["hires/ALL"] == "candidat" && types["hires_sustainable_share/ALL"] == "candidat")
        #expect(config.targets.filter { $0.indicator == .participants }.map(\.stakeholderType).sorted() == ["industriel", "prescripteur"])
    }

    /// `impact history --indicator` with a typo names the nearest id.
    @Test func historyNamesTheNearestIndicator() {
        let error = Pipeline.History.UnknownIndicator(name: "hirez")
        #expect(error.description == "--indicator 'hirez' is not an indicator; did you mean 'hires'?")
        #expect(error.exitCode == 2)
    }
}
