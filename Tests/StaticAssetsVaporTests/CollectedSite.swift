import CollectStatic
import Foundation
import StaticAssets
import TestSupport

/// Fixtures/site collected into a temporary STATIC_ROOT by the engine (brotli quality 5 to be quick).
enum CollectedSite {
    static let shared = Task { try await collect() }

    static var site: URL { TestSupport.fixtures.appendingPathComponent("site") }
    static var assets: String { site.appendingPathComponent("assets").path }
    static var vendor: String { site.appendingPathComponent("vendor").path }

    static func collect() async throws -> URL {
        let root = TestSupport.temporaryDirectory("vapor-site").appendingPathComponent("static")
        let configuration = Configuration(
            sourceRoots: [SourceRoot(path: assets), SourceRoot(prefix: "vendor", path: vendor)],
            staticRoot: root.path, jsModules: true, compression: CompressionPolicy(brotliQuality: 5))
        _ = try await Collector(configuration: configuration).run()
        return root
    }

    static func manifest(_ root: URL) throws -> Manifest {
        try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
    }
}
