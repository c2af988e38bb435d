// ODK instances streamed from one file (several instances under one root, groups, repeats),
// with a small instance limit: faults are reported, never thrown past the reader.
import FuzzSupport
@testable import IngestXML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzODK(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let path = Scratch.write(UnsafeBufferPointer(start: data, count: size))
    let paths = ["meta/instanceID", "meta/deprecatedID", "identite/code", "reponses/q1", "q"]
    do {
        try ODKInstances(paths: paths, maxInstanceBytes: 2_048).read(files: [path], emit: { record in
            if record.values.count != paths.count { finding("\(record.values.count) values for \(paths.count) paths") }
        }, duplicate: { _ in }, broken: { fault in
            if fault.message.isEmpty { finding("a fault without a message") }
        })
    } catch {
        finding("ODK read threw: \(error)")
    }
    return 0
}

@_cdecl("FuzzODK_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzzODK)
}
