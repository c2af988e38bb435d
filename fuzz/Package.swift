// swift-tools-version: 6.1
// Coverage-guided fuzz targets (libFuzzer) for the readers of untrusted input. Built and run by
// run.sh, which passes -sanitize=fuzzer,address (libFuzzer provides `main`) and -enable-testing
// (the targets reach the readers' internals through @testable imports).
import PackageDescription

let targets = ["CSV", "Dialect", "PartnerXML", "SpreadsheetML", "ODK", "PipelineFile"]

let package = Package(
    name: "impact-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "impact", path: "..")],
    targets: [
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport"),
    ] + targets.map { name in
        .executableTarget(name: "Fuzz\(name)", dependencies: ["FuzzSupport", .product(name: "Ingest", package: "impact")],
                          path: "Sources/Fuzz\(name)")
    },
    swiftLanguageModes: [.v6]
)
