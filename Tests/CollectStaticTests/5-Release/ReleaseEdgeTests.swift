import Foundation
import StaticAssets
import Synchronization
import TestSupport
import Testing

@testable import CollectStatic

/// Publishing at the edges: the same release built twice with a cache folder.
@Suite struct ReleaseEdgeTests {
    static let css = String(repeating: ".rule { color: red; background: url(../img/a.png) }\n", count: 40)

    /// A release whose stylesheets carry `version` and whose scripts carry `scripts`.
    func release(_ version: Int, scripts: Int? = nil) -> [String: String] {
        var files: [String: String] = [:]
        for index in 0..<4 {
            files["css/s\(index).css"] =
                "/* v\(version) */\n" + Self.css + "@import url(\"s\((index + 1) % 4).css\");\n"
            files["js/m\(index).js"] =
                "// v\(scripts ?? version)\n" + String(repeating: "var x\(index) = \(index);\n", count: 60)
        }
        files["img/a.png"] = "png-bytes-that-never-change"
        return files
    }

    func compressing(_ configuration: inout Configuration) {
        configuration.compression = CompressionPolicy(brotliQuality: 5)
    }

    // MARK: the same release built twice with a cache folder

    /// Release 1, then release 2 (every stylesheet changed) in place, then release 2 again into a
    /// fresh STATIC_ROOT (a CI retry, a second image from one commit) with the same cache folder:
    /// every hashed file of release 1 is still carried, and release 2 keeps its identity.
    @Test func sameReleaseBuiltTwiceStillCarriesTheReleaseBefore() async throws {
        let cache = TestSupport.temporaryDirectory("cache-twice")
        let image = TestSupport.temporaryDirectory("image")
        let root = image.appendingPathComponent("static")
        let settings = { (configuration: inout Configuration) in
            compressing(&configuration)
            configuration.cacheDirectory = cache.path
            configuration.staticRoot = root.path
            // The most recent previous release is kept, whatever its age.
            configuration.retention = Retention(count: 1, maximumAge: 0)
        }
        let build = Workspace(release(1))
        try await build.collect(CollectOptions(), settings)
        let first = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        for (name, text) in release(2, scripts: 1) { build.write(name, text) }
        try await build.collect(CollectOptions(), settings)
        let second = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(second.previousGenerations.map(\.id) == [first.generation?.id].compactMap { $0 })
        #expect(Set(first.paths.values).subtracting(second.paths.values).count == 4, "every stylesheet changed")

        // A new image: the same STATIC_ROOT path, empty; the same sources and cache mount.
        try FileManager.default.removeItem(at: image)
        try await build.collect(CollectOptions(), settings)
        let again = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(again.paths == second.paths)
        #expect(again.generation?.id == second.generation?.id, "the same release keeps its id")
        #expect(again.previousGenerations.map(\.id) == second.previousGenerations.map(\.id))
        let carried = first.paths.values.filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) && again.files[$0] != nil
        }
        #expect(carried.count == first.paths.count, "\(carried.count) of release 1's \(first.paths.count)")
        #expect(PublishedTreeVerifier.problems(in: root) == [])

        // A third image from the same commit: still the same.
        try FileManager.default.removeItem(at: image)
        try await build.collect(CollectOptions(), settings)
        let third = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(third.generation?.id == second.generation?.id)
        #expect(third.previousGenerations.map(\.id) == second.previousGenerations.map(\.id))
        #expect(PublishedTreeVerifier.problems(in: root) == [])
    }
}
