import Foundation
@testable import PipelineFile
import Testing
import TestSupport

/// The builder the tests make pipeline files with: what it changes is what the loader reads, and
/// nothing else moves.
@Suite("Test pipeline builder")
struct TestPipelineTests {
    @Test func settingsReachTheLoaderAndLinesStay() throws {
        let folder = Paths.scratch("builder")
        let sample = try TestPipeline.sample()
        let built = try sample.inputs("\(Paths.root)/inputs").output("\(folder)/out").setting("privacy.k", "20")
            .setting("sources[emargements].columns.person", "Courriel")
        #expect(built.lines.count == sample.lines.count)
        #expect(built.lines.first { $0.hasPrefix("  k: 20") }?.hasSuffix("# figures resting on fewer than 5 people are not published (never below 3)") == true)
        let config = try PipelineLoader.load(path: try built.write(to: "\(folder)/p.yml"))
        #expect(config.privacyK == 20 && config.outputFolder == "\(folder)/out")
        let emargements = try #require(config.sources.first { $0.name == "emargements" })
        #expect(emargements.columns["person"]?.description == "Courriel")
        #expect(emargements.files == ["\(Paths.root)/inputs/emargements_declic_2024-2025.csv"])
    }

    @Test func addedRemovedAndRenamedKeys() throws {
        let folder = Paths.scratch("builder")
        let base = try TestPipeline.sample().inputs("\(Paths.root)/inputs").output("\(folder)/out")
        let added = try base.setting("hiring.data_end", "2025-08-31")
        #expect(try PipelineLoader.load(path: added.write(to: "\(folder)/a.yml")).hiring.dataEnd?.description == "2025-08-31")
        let removed = try base.removing("sources[emargements].columns.last_name").removing("sources[emargements].columns.first_name")
        #expect(removed.lines.count == base.lines.count - 2)
        let config = try PipelineLoader.load(path: removed.write(to: "\(folder)/r.yml"))
        #expect(config.sources.first { $0.name == "emargements" }?.columns["last_name"] == nil)
        let typo = try base.renaming("sources[actions].columns", to: "colums")
        let line = try #require(typo.line(of: "sources[actions].colums"))
        #expect(throws: PipelineFileError.self) { try PipelineLoader.load(path: typo.write(to: "\(folder)/t.yml")) }
        do {
            _ = try PipelineLoader.load(path: "\(folder)/t.yml")
        } catch let error as PipelineFileError {
            #expect(error.line == line + 1)
        }
        #expect(throws: TestPipeline.Missing.self) { try base.setting("sources[absent].kind", "actions") }
    }
}
