import Ingest
import InputFiles
import IngestXML
import PipelineFile
import Records
import Store

/// A source's files in the batches they are read in — one file, or an ODK folder in one pass (so
/// resubmissions across files are recognised) — and the reading of one batch through the source's
/// mapper: what `impact run` and `impact refresh` share.
enum SourceBatches {
    /// `files` grouped as they are read.
    static func of<File>(_ files: [File], format: SourceFormat) -> [[File]] {
        guard format == .odk else { return files.map { [$0] } }
        return files.isEmpty ? [] : [files]
    }

    /// The progress line of a batch (paths as shown).
    static func reading(_ paths: [String], source: String) -> String {
        "reading \(paths.first ?? "")\(paths.count > 1 ? " and \(paths.count - 1) more" : "") (\(source))"
    }

    /// What reading a batch gave.
    struct Reading {
        /// What it was read as, decided where it was read (`SourceMapper.FileReading`); the source's
        /// format when it could not be read.
        var format: SourceFormat
        /// The first file's text encoding; empty for a workbook.
        var encoding: String
        var delimiter = ""
        /// Records with fields that were not UTF-8 and were read as Windows-1252.
        var encodingFallbacks = 0
        /// SHA-256 and size, when computed while reading (a CSV or partner-XML file read to its end).
        var digest: ReadDigest?
        /// Why the batch could not be read (any records it gave before came first); the run goes on without it.
        var unreadable: SourceUnreadable?
        /// How it was read, for the run log (`SourceMapper.FileReading.note`).
        var note: String?

        /// How the batch's file at `index` was read, as the manifest and the store say it: the files read
        /// with the first (an ODK folder's) in the same format, their own encodings not looked at.
        func file(_ index: Int) -> (format: String, encoding: String, delimiter: String) {
            index == 0 ? (format.rawValue, encoding, delimiter) : (format.rawValue, "", "")
        }
    }

    /// Maps the records of `files` (one batch) to `emit`, in reading order.
    static func read(_ files: [String], with mapper: SourceMapper, emit: (MappedRecord) throws -> Void) throws -> Reading {
        guard let first = files.first else { return Reading(format: mapper.source.format, encoding: "") }
        do {
            let reading = mapper.source.format == .odk ? try mapper.mapInstances(files: files, emit: emit)
                : try mapper.map(file: first, emit: emit)
            return Reading(format: reading.format, encoding: reading.encoding, delimiter: reading.delimiter,
                           encodingFallbacks: reading.encodingFallbacks, digest: reading.digest, note: reading.note)
        } catch let error as SourceUnreadable {
            return Reading(format: mapper.source.format, encoding: "", unreadable: error)
        }
    }
}

extension StoreTransaction {
    /// Records what reading `batch` gave (`impact refresh`, `impact run --emit-state`): its records'
    /// counts, names and organisations under its first file, and how each of its files was read.
    func finish(_ batch: StoreBatch, reading: SourceBatches.Reading, counts: FileCounts, names: Set<UInt64>,
                organisations: [UInt64: String], keepReplaced: Bool) throws {
        let first = reading.file(0)
        try finishFile(batch.fileID, unreadable: nil, format: first.format, encoding: first.encoding, delimiter: first.delimiter,
                       fallbacks: reading.encodingFallbacks, counts: counts, names: names, organisations: organisations, keepReplaced: keepReplaced)
        for (i, id) in batch.others.enumerated() {
            let file = reading.file(i + 1)
            try finishFile(id, unreadable: nil, format: file.format, encoding: file.encoding, delimiter: file.delimiter, fallbacks: 0,
                           counts: FileCounts(), names: [], keepReplaced: false)
        }
    }
}
