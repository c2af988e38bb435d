import Indicators
import Records

/// The warning banner of the synthesis, and the closing sections: data quality, method,
/// provenance, glossary.
struct ClosingSections {
    let summary: RunSummary
    let labels: Labels

    /// What a source's missing records leave incomplete, in plain words.
    func consequence(_ kind: SourceKind) -> String {
        switch kind {
        case .actions: return labels[.consequenceActions]
        case .attendance: return labels[.consequenceAttendance]
        case .responses: return labels[.consequenceResponses]
        case .pathway: return labels[.consequencePathway]
        }
    }

    func kind(_ kind: SourceKind) -> String {
        switch kind {
        case .actions: return labels[.kindActions]
        case .attendance: return labels[.kindAttendance]
        case .responses: return labels[.kindResponses]
        case .pathway: return labels[.kindPathway]
        }
    }

    /// One line per source that could not be read, read nothing, or rejected more than the threshold.
    func banner() -> Block? {
        var items: [Rich] = []
        for source in summary.sources {
            let name = Inline.code(source.name)
            if !source.unreadable.isEmpty {
                items.append(labels.rich(.bannerUnreadable, name, labels.number(source.unreadable.count), labels.number(source.files),
                                         consequence(source.kind)))
            } else if source.tally.read == 0 {
                items.append(labels.rich(.bannerEmpty, name, consequence(source.kind)))
            } else if source.tally.rejectRate > summary.maxRejectRate {
                items.append(labels.rich(.bannerRejects, name, labels.percent(source.tally.rejectRate), labels.percent(summary.maxRejectRate),
                                         consequence(source.kind)))
            }
        }
        guard !items.isEmpty else { return nil }
        return .banner(title: labels[.bannerTitle], items: items, footer: labels.rich(.bannerFooter))
    }

    func quality() -> [Block] {
        var blocks: [Block] = [.heading(2, [.text(labels[.quality])])]
        let numbers: [String] = [labels[.colFiles], labels[.colRead], labels[.colAccepted], labels[.colRejected], labels[.colDuplicates], labels[.colRejectRate]]
        blocks.append(.table(Table(columns: [Column(labels[.colSource], .identifier), Column(labels[.colKind])] + numbers.map { Column($0, .numeric) },
                                   rows: summary.sources.map { s in
                                       [[.code(s.name)], [.text(kind(s.kind))]] + [labels.number(s.files), labels.number(s.tally.read),
                                        labels.number(s.tally.accepted), labels.number(s.tally.rejected), labels.number(s.tally.duplicates),
                                        labels.percent(s.tally.rejectRate)].map { [.text($0)] }
                                   })))
        blocks.append(.paragraph(labels.rich(.reconciliation)))
        var items: [Rich] = []
        for source in summary.sources {
            for message in source.unreadable { items.append(labels.rich(.unreadableSource, Inline.code(source.name), message)) }
            if source.tally.encodingFallbacks > 0 {
                items.append(labels.rich(.encodingFallback, Inline.code(source.name), labels.number(source.tally.encodingFallbacks)))
            }
        }
        for source in summary.sources where source.tally.replaced > 0 {
            items.append(labels.rich(.replacedRecords, labels.number(source.tally.replaced), Inline.code(source.name)))
        }
        for source in summary.sourcesAboveRejectThreshold {
            items.append(labels.rich(.rejectRateAbove, Inline.code(source.name), labels.percent(source.tally.rejectRate),
                                     labels.percent(summary.maxRejectRate)))
        }
        if !items.isEmpty { blocks.append(.list(items)) }
        let byReason = summary.rejectCounts
        if byReason.isEmpty {
            blocks += [.paragraph([.strong([.text(labels[.rejectsFile])])]), .paragraph(labels.rich(.noRejects))]
        } else {
            blocks.append(.table(Table(title: labels[.rejectsFile],
                                       columns: [Column(labels[.colReason]), Column("Code", .short), Column(labels[.colCount], .numeric)],
                                       rows: byReason.keys.sorted().map { reason in
                                           [[.text(labels.reason(reason))], [.code(reason.rawValue)], [.text(labels.number(byReason[reason] ?? 0))]]
                                       })))
        }
        let suppressed = summary.rows.filter { $0.status == .suppressed }.count
        blocks.append(.paragraph(labels.rich(.suppressedCells, labels.number(suppressed), String(summary.privacyK))))
        return blocks
    }

    func method() -> [Block] {
        let periods: String
        switch summary.periodScheme {
        case .calendarYear: periods = labels[.methodCalendar]
        case .programmeYear(let start): periods = labels.format(.methodProgrammeYear, labels.month(start))
        }
        var blocks: [Block] = [.heading(2, [.text(labels[.method])]), .paragraph(labels.rich(.methodReach))]
        if !summary.perception.reliability.isEmpty || summary.rows.contains(where: { $0.indicator.perception != nil || $0.indicator == .perceptionShiftUnpaired }) {
            blocks.append(.paragraph(labels.rich(.methodPerception)))
            blocks += PerceptionSection(summary: summary, labels: labels, charts: [:]).reliability()
        }
        if summary.rows.contains(where: { $0.stakeholderType == HiringIndicators.stakeholderType }) {
            blocks.append(.paragraph(labels.rich(.methodHiring, labels[summary.hiring.durableStrict ? .durableRuleMore : .durableRuleAtLeast],
                                                 String(summary.hiring.linkWindowDays), String(summary.privacyK))))
        }
        return blocks + [.paragraph(labels.rich(.methodPrivacy, String(summary.privacyK))), .paragraph(labels.rich(.methodQuality)),
                         .paragraph(labels.rich(.methodPeriods, periods))]
    }

    func provenance() -> [Block] {
        let tool: Rich = [.text(labels[.toolVersion] + labels[.colon]), .code("impact"), .text(" \(summary.toolVersion)")]
        let file: Rich = [.text(labels[.pipelineFile] + labels[.colon]), .code(summary.pipelinePath), .text(" (SHA-256 "),
                          .code(String(summary.pipelineSHA256.prefix(16))), .text(")")]
        let columns = [Column(labels[.colFile], .identifier), Column(labels[.colSource], .identifier), Column(labels[.colSize], .numeric),
                       Column(labels[.colEncoding], .short), Column(labels[.colDelimiter], .short), Column(labels[.colSHA], .short)]
        return [.heading(2, [.text(labels[.provenance])]), .list([tool, file]),
                .table(Table(columns: columns, rows: summary.inputs.map {
                    // XML has no delimiter: a dash, not an empty code span.
                    [[.code($0.path)], [.code($0.source)], [.text(labels.number($0.size))], [.text($0.encoding.isEmpty ? "—" : $0.encoding)],
                     $0.delimiter.isEmpty ? [.text("—")] : [.code($0.delimiter)], [.code(String($0.sha256.prefix(16)))]]
                }))]
    }

    /// The words a committee member may not know.
    func glossary() -> [Block] {
        let terms: [(LabelKey, LabelKey)] = [(.glossCDI, .glossCDIText), (.glossDurable, .glossDurableText), (.glossCI, .glossCIText),
                                             (.glossPMSMP, .glossPMSMPText), (.glossPrescripteur, .glossPrescripteurText),
                                             (.glossSecret, .glossSecretText), (.glossSIAE, .glossSIAEText), (.glossZI, .glossZIText)]
        let rule = labels[summary.hiring.durableStrict ? .durableRuleMore : .durableRuleAtLeast]
        let entries = terms.map { Term(term: labels[$0.0], definition: labels.rich($0.1, rule, String(summary.privacyK))) }
        return [.heading(2, [.text(labels[.glossary])]), .definitions(entries.sorted { Fold.key($0.term) < Fold.key($1.term) })]
    }
}
