// swift-tools-version: 6.1
// The impact pipeline: sources → records → aggregates → indicators → report.
import PackageDescription

let package = Package(
    name: "impact",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "impact", targets: ["impact"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        // The readers alone (fuzz/ builds its targets on them, without the store and the report).
        .library(name: "Ingest", targets: ["Ingest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // libxml2 through pkg-config; only IngestXML imports it (README "Layout": the ICU clash and its shim).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // Canonical records and the rules between them (RecordRules), vocabularies' folding, rejects: what every stage speaks.
        .target(name: "Records", dependencies: ["CSystem"]),
        // What the C library and the compiler have and Swift does not show (sched_getaffinity needs _GNU_SOURCE; SSE2 masks, prefetch).
        .target(name: "CSystem"),
        // Inputs opened safely (regular files only) and files hashed (SHA-256 as read, or in one pass).
        .target(name: "InputFiles", dependencies: ["Records", .product(name: "Crypto", package: "swift-crypto")]),
        // The pipeline file (YAML) with file:line:key errors.
        .target(name: "PipelineFile", dependencies: ["Records", "InputFiles", .product(name: "Yams", package: "Yams")]),
        // Reading exports: byte-level CSV, encodings, dialects, field parsers, mapping to records.
        .target(name: "Ingest", dependencies: ["CSystem", "Records", "InputFiles", "PipelineFile", "IngestXML", "IngestWorkbook",
                                              .product(name: "DequeModule", package: "swift-collections")]),
        // XML through libxml2 (streaming reader, hardened options).
        .target(name: "IngestXML", dependencies: ["CLibXML2", "CXMLArena", "CXMLParts", "Records", "InputFiles"]),
        // libxml2's allocator with per-thread arenas, for the parts of a split partner-XML file (C: malloc's stand-in).
        .target(name: "CXMLArena"),
        // Records through libxml2's SAX2 callbacks, no tree built: a part of a split partner-XML file, a SpreadsheetML sheet's rows (C: a callback per element and text).
        .target(name: "CXMLParts", dependencies: ["CLibXML2"]),
        // Workbooks (.xlsx, .xlsm, .ods): the ZIP package (the only ZIPFoundation user), its parts read by IngestXML.
        .target(name: "IngestWorkbook", dependencies: ["Records", "InputFiles", "IngestXML", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Exact statistics (t, Welch, Wilson, Wilcoxon signed-rank, Cronbach), checked against scipy.
        .target(name: "Statistics"),
        // Aggregates and indicators, small-cell protection.
        .target(name: "Indicators", dependencies: ["CSystem", "Records", "Statistics"]),
        // Outputs: contract CSVs, rejects, manifest, Markdown report.
        .target(name: "Report", dependencies: ["Records", "Indicators"]),
        // The SQLite store of scheduled refreshes (ingested files, canonical records, snapshots); only GRDB user.
        .target(name: "Store", dependencies: ["Records", "Indicators", .product(name: "GRDB", package: "GRDB.swift")]),
        // `impact init`: exports profiled column by column, their kind and mapping guessed, a pipeline file drafted.
        .target(name: "Drafting", dependencies: ["Records", "InputFiles", "PipelineFile", "Ingest", "IngestXML", "IngestWorkbook"]),
        // Orchestration of run / validate / preview / refresh.
        .target(name: "Pipeline", dependencies: [
            "Records", "InputFiles", "PipelineFile", "Ingest", "IngestXML", "IngestWorkbook", "Indicators", "Report", "Store", "Drafting",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "impact", dependencies: [
            "Pipeline", "PipelineFile", "Records", "Drafting", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Tests: one target per module where its tests need nothing above it, then the pipeline's
        // end-to-end tests; TestSupport holds what they share (paths, the sample's copies, the
        // pipeline-file builder, running the executable).
        .target(name: "TestSupport", dependencies: ["Ingest"], path: "Tests/TestSupport"),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PipelineFileTests", dependencies: ["PipelineFile", "Records", "InputFiles", "TestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["CSystem", "Ingest", "Records", "TestSupport"]),
        .testTarget(name: "IngestXMLTests", dependencies: ["IngestXML", "TestSupport"]),
        .testTarget(name: "IngestWorkbookTests", dependencies: ["IngestWorkbook", "IngestXML", "TestSupport"]),
        .testTarget(name: "IndicatorsTests", dependencies: ["Indicators", "Records", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Indicators", "Records", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ImpactTests", dependencies: [
            "Records", "InputFiles", "PipelineFile", "Ingest", "IngestXML", "IngestWorkbook", "Statistics", "Indicators", "Report", "Store", "Pipeline", "Drafting",
            "TestSupport", .product(name: "DequeModule", package: "swift-collections"),
        ], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
