import Foundation
import StaticAssets
import TestSupport

@testable import CollectStatic

/// A source tree written into a temporary folder, and a STATIC_ROOT next to it.
struct Workspace {
    let root: URL
    var sources: URL { root.appendingPathComponent("src") }
    var staticRoot: URL { root.appendingPathComponent("out") }

    init(_ files: [String: String] = [:]) {
        root = TestSupport.temporaryDirectory("ws")
        try! FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        for (path, text) in files { write(path, text) }
    }

    func write(_ path: String, _ text: String) {
        TestSupport.write(text, to: sources.appendingPathComponent(path))
    }

    func write(_ path: String, bytes: [UInt8]) {
        TestSupport.write(Data(bytes), to: sources.appendingPathComponent(path))
    }

    func configuration(_ change: (inout Configuration) -> Void = { _ in }) -> Configuration {
        var configuration = Configuration(
            sourceRoots: [SourceRoot(path: sources.path)], staticRoot: staticRoot.path, jobs: 2)
        change(&configuration)
        return configuration
    }

    @discardableResult
    func collect(
        _ options: CollectOptions = CollectOptions(), hooks: CollectorHooks = CollectorHooks(),
        _ change: (inout Configuration) -> Void = { _ in }
    ) async throws(CollectStaticError) -> CollectionReport {
        var collector = Collector(configuration: configuration(change), options: options)
        collector.hooks = hooks
        return try await collector.run()
    }

    func output(_ path: String) -> String? {
        (try? Data(contentsOf: staticRoot.appendingPathComponent(path))).map { String(decoding: $0, as: UTF8.self) }
    }

    func manifest() throws -> Manifest {
        try Manifest(contentsOf: staticRoot.appendingPathComponent("staticfiles.json"))
    }

    var outputFiles: [String] { TestSupport.files(in: staticRoot) }
}

extension Manifest {
    /// The manifest without its release records (ids and times differ from run to run).
    var withoutReleases: Manifest {
        var copy = self
        copy.release = nil
        copy.previousReleases = []
        return copy
    }
}

extension FileManager {
    func destinationOfSymbolicLinkOrNil(_ path: String) -> String? {
        try? destinationOfSymbolicLink(atPath: path)
    }
}
