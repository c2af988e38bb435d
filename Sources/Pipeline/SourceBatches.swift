import Ingest
import InputFiles
import IngestXML
import PipelineFile
import Records

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
        var encoding: String
        var delimiter = ""
        /// Records with fields that were not UTF-8 and were read as Windows-1252.
        var encodingFallbacks = 0
        /// SHA-256 and size, when computed while reading (a CSV or partner-XML file read to its end).
        var digest: ReadDigest?
        /// Why the batch could not be read (any records it gave before came first); the run goes on without it.
        var unreadable: SourceUnreadable?
    }

    /// Maps the records of `files` (one batch) to `emit`, in reading order.
    static func read(_ files: [String], with mapper: SourceMapper, emit: (MappedRecord) throws -> Void) throws -> Reading {
        guard let first = files.first else { return Reading(encoding: "") }
        do {
            if mapper.source.format == .odk {
                try mapper.mapInstances(files: files, emit: emit)
                return Reading(encoding: SourceMapper.declaredEncoding(first))
            }
            let reading = try mapper.map(file: first, emit: emit)
            return Reading(encoding: reading.encoding, delimiter: reading.delimiter, encodingFallbacks: reading.encodingFallbacks,
                           digest: reading.digest)
        } catch let error as SourceUnreadable {
            return Reading(encoding: "", unreadable: error)
        }
    }
}
