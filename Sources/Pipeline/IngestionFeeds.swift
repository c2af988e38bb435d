import Foundation
import Ingest
import InputFiles
import PipelineFile
import Records
import Report
import Store

/// Where the records of a run come from.
enum RecordFeed {
    /// The input files (`impact run`); `state`, when given, also receives every file and record as read
    /// (`impact run --emit-state`).
    case files(state: StateSink?)
    /// Stores replayed (`impact refresh`: one store; `impact merge`: the partitions' states), each store's
    /// files in the order given.
    case stores([(StoreTransaction, [StoredFile])])
}

extension Ingestion {
    /// One source read and summed up (the same for a source read here or beside).
    mutating func readSource(_ source: SourceConfig, index: Int, feed: RecordFeed,
                             progress: (String) -> Void) throws -> (SourceSummary, [InputFileInfo]) {
        var (summary, files) = switch feed {
        case .files(let state): try read(source, index: index, state: state, progress: progress)
        case .stores(let stores): try replay(source, index: index, from: stores, progress: progress)
        }
        let folders = source.skippedFolders.map(displayPath)
        summary.notes = folders.count <= 3 ? folders.map { "skipped \($0) (a folder, not a file)" }
            : ["skipped \(folders.count) folders the glob matched (\(folders.prefix(3).joined(separator: ", ")), …)"]
        return (summary, files)
    }

    /// Reads one source's files, batch by batch; returns its summary and what the manifest says of its files.
    mutating func read(_ source: SourceConfig, index: Int, state: StateSink?,
                       progress: (String) -> Void) throws -> (SourceSummary, [InputFileInfo]) {
        var summary = SourceSummary(name: source.name, kind: source.kind, files: source.files.count)
        var infos: [InputFileInfo] = []
        let clock = ContinuousClock.now, readBefore = tallies[index].read
        var notes: [String] = []
        defer {
            var timing = StageTiming(stage: "read", source: source.name, seconds: (ContinuousClock.now - clock).seconds,
                                     bytes: infos.reduce(0) { $0 + $1.size }, records: tallies[index].read - readBefore,
                                     format: source.format.rawValue)
            timing.note = notes.isEmpty ? nil : notes.joined(separator: "; ")
            timings.append(timing)
        }
        var mapper = SourceMapper(source: source, config: config, key: key)
        if source.kind == .attendance {
            let reach = self.reach
            mapper.lookAhead = { reach.prefetch(actionHash: $0) }
        }
        // For the progress line only: a file whose size cannot be read shows no percentage.
        ReadProgress.shared.begin(source: source.name, totalBytes: source.files.reduce(0) { $0 + (InputFile.size($1) ?? 0) })
        defer {
            ReadProgress.shared.add(records: unreported)
            unreported = 0
            ReadProgress.shared.end(source: source.name)
        }
        for batch in SourceBatches.of(source.files, format: source.format) {
            progress(SourceBatches.reading(batch.map(displayPath), source: source.name))
            // CSV and partner-XML files are hashed as they are read; other files (and state, which
            // records the digest first) take a separate pass.
            let hashedWhileRead = state == nil && (source.format == .csv || source.format == .xml)
            var digests = hashedWhileRead ? [] : batch.map(FileDigest.sha256OrEmpty)
            let stateBatch = try state?.begin(source: source.name, files: batch.map(displayPath), digests: digests)
            var seq = 0
            let reading = try SourceBatches.read(batch, with: mapper) { mapped in
                if let state, let stateBatch {
                    seq += 1
                    try state.add(mapped, source: source.name, file: stateBatch.fileID, seq: seq)
                }
                try count(mapped, source: index)
            }
            tallies[index].encodingFallbacks += reading.encodingFallbacks
            if let note = reading.note, !notes.contains(note) { notes.append(note) }
            if let digest = reading.digest, batch.count == 1 { digests = [(digest.hex, digest.size)] }
            if digests.count != batch.count { digests = batch.map(FileDigest.sha256OrEmpty) }
            infos += zip(batch, digests).enumerated().map { index, entry in
                let (file, digest) = entry, read = reading.file(index)
                return InputFileInfo(source: source.name, path: displayPath(file), size: digest.size, sha256: digest.hex,
                                     format: read.format, encoding: read.encoding, delimiter: read.delimiter)
            }
            try state?.finish(stateBatch, reading: reading, names: mapper.names.words, organisations: mapper.organisationNames.byKey)
            if let error = reading.unreadable {
                try state?.unreadable(source: source.name, path: displayPath(error.file), message: error.message)
                noteUnreadable(path: displayPath(error.file), message: error.message, source: source.name, summary: &summary)
            }
        }
        names.formUnion(mapper.names.words)
        OrganisationNames.merge(&organisationNames, mapper.organisationNames.byKey)
        return (summary, infos)
    }

    /// Replays one source's stored files through the same stages as a read; returns its summary and files.
    mutating func replay(_ source: SourceConfig, index: Int, from stores: [(StoreTransaction, [StoredFile])],
                         progress: (String) -> Void) throws -> (SourceSummary, [InputFileInfo]) {
        let mine = stores.map { store, files in (store, files.filter { $0.source == source.name }) }
        var summary = SourceSummary(name: source.name, kind: source.kind, files: mine.reduce(0) { $0 + $1.1.count })
        var infos: [InputFileInfo] = []
        progress("replaying \(source.name) from the store")
        for (store, files) in mine {
            for file in files {
                // A store from before formats were kept knows only its workbooks' and ODK folders' (migration v6-input-format).
                infos.append(InputFileInfo(source: source.name, path: file.path, size: file.size, sha256: file.sha256,
                                           format: file.format.isEmpty ? source.format.rawValue : file.format,
                                           encoding: file.encoding, delimiter: file.delimiter))
                tallies[index].read += file.physical
                tallies[index].encodingFallbacks += file.encodingFallbacks
                tallies[index].replaced += file.replaced
                try store.replay(fileID: file.id) { try accept($0, source: index) }
                // Reading stopped where the file turned out unreadable: after the records it gave.
                if let message = file.unreadable { noteUnreadable(path: file.path, message: message, source: source.name, summary: &summary) }
            }
            names.formUnion(try store.names(fileIDs: files.map(\.id)))
            for (key, name) in try store.organisationNames(fileIDs: files.map(\.id)) {
                OrganisationNames.merge(&organisationNames, [key: name])
            }
        }
        return (summary, infos)
    }
}
