import Foundation
import Testing
import TestSupport
@testable import PipelineFile
@testable import Pipeline
@testable import Ingest
@testable import Records

/// Qualtrics exports: three header rows (column ids, labels, import ids), then the responses.
@Suite("Survey-tool exports")
struct QualtricsTests {
    @Test(.needsCorpora) func qualtricsExportReadsItsOneResponse() throws {
        let folder = Paths.scratch("qualtrics")
        try """
        outputs: {folder: out}
        privacy: {k: 3}
        vocabularies:
          territory: {en_ligne: [anonymous]}
        questionnaire:
          items:
            q1: {label: "This is a multiple choice question.", dimension: d}
        sources:
          - name: qualtrics
            kind: responses
            path: \(Paths.corpus("qualtrics-csv-qualtRics/sample.csv"))
            csv: {skip_after_header: 2}
            stakeholder_type: candidat
            wave: post
            columns: {respondent: ResponseId, territory: DistributionChannel, date: RecordedDate, comment: Q2}
            items: {q1: Q1}
        """.write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(write: false))
        let tally = try #require(result.summary.sources.first?.tally)
        #expect(tally.read == 1 && tally.accepted == 1)
        // Upstream's expectation: one response, R_2YPOQ602ER1jkf1, Q1 = 2, Q2 = "Hello World!".
        let config = try PipelineLoader.load(path: "\(folder)/p.yml")
        var responses: [SurveyResponse] = []
        let key = PseudonymKey.random()
        try SourceMapper(source: config.sources[0], config: config, key: key).map(file: config.sources[0].files[0]) { record in
            if case .response(let r) = record { responses.append(r) }
        }
        #expect(responses.count == 1)
        #expect(responses.first?.answers == [2])
        #expect(responses.first?.comment == "Hello World!")
        #expect(responses.first?.respondent == key.hash(Fold.key("R_2YPOQ602ER1jkf1")))
    }
}
