import Foundation
import StaticAssets
import Synchronization
import TestSupport
import Testing

@testable import CollectStatic

/// Releases: the published tree is never written into; a run stopped at any write or publishing
/// step leaves every name the manifest in force lists with the bytes it vouches for.
@Suite struct PublishingTests {
    static let css = String(repeating: ".rule { color: red; background: url(../img/a.png) }\n", count: 40)

    func release(_ version: Int) -> [String: String] {
        var files: [String: String] = [:]
        for index in 0..<4 {
            files["css/s\(index).css"] =
                "/* v\(version) */\n" + Self.css + "@import url(\"s\((index + 1) % 4).css\");\n"
            files["js/m\(index).js"] = "// v\(version)\n" + String(repeating: "var x\(index) = \(index);\n", count: 60)
        }
        files["img/a.png"] = "png-bytes-that-never-change"
        return files
    }

    func workspace(_ files: [String: String]) -> Workspace {
        let ws = Workspace(files)
        return ws
    }

    func compressing(_ configuration: inout Configuration) {
        configuration.compression = CompressionPolicy(brotliQuality: 5)
    }

    /// Stops the run at the `k`-th call of either seam.
    final class StopAt: Sendable {
        let target: Int
        let seen = Mutex(0)
        init(_ target: Int) { self.target = target }
        func tick(_ name: String) throws(CollectStaticError) {
            let count = seen.withLock { value -> Int in
                value += 1
                return value
            }
            if count == target { throw .output(path: name, reason: "stopped here by the test") }
        }
    }

    @Test(arguments: [false, true])
    func everyStopLeavesThePublishedTreeTrue(inPlace: Bool) async throws {
        let ws = workspace(release(1))
        try await ws.collect(CollectOptions(), compressing)
        let first = try ws.manifest()
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        for (name, text) in release(2) { ws.write(name, text) }
        var stops = 0
        for k in 1...400 {
            var hooks = CollectorHooks()
            let stop = StopAt(k)
            hooks.willWrite = { path throws(CollectStaticError) in try stop.tick(path) }
            hooks.willPublish = { name throws(CollectStaticError) in try stop.tick(name) }
            hooks.publishInPlace = inPlace
            do {
                try await ws.collect(CollectOptions(), hooks: hooks, compressing)
                break
            } catch {
                stops += 1
                #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [], "stopped at step \(k)")
                let paths = try ws.manifest().paths
                #expect(paths == first.paths || paths.values.allSatisfy { ws.output($0) != nil }, "step \(k)")
            }
        }
        #expect(stops > 20, "the run has at least 20 steps to stop at")
        let final = try ws.manifest()
        #expect(final.paths != first.paths)
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        // The previous release's hashed files are kept for its pages.
        #expect(final.previousReleases.first?.paths == first.paths)
        for name in first.paths.values { #expect(ws.output(name) != nil, "\(name) of the previous release") }
        // No partial tree is left behind.
        let work = ws.root.appendingPathComponent(".out.collectstatic")
        #expect(TestSupport.files(in: work).allSatisfy { $0 == "lock" || $0.hasPrefix("old-") })
    }

    @Test func unchangedRunSwitchesNothing() async throws {
        let ws = workspace(release(1))
        try await ws.collect(CollectOptions(), compressing)
        let inode = try FileManager.default.attributesOfItem(atPath: ws.staticRoot.path)[.systemFileNumber] as? Int
        let before = try Data(contentsOf: ws.staticRoot.appendingPathComponent("staticfiles.json"))
        let report = try await ws.collect(CollectOptions(), compressing)
        #expect(report.modified == 0 && report.postProcessed == 0)
        let after = try FileManager.default.attributesOfItem(atPath: ws.staticRoot.path)[.systemFileNumber] as? Int
        #expect(inode == after, "STATIC_ROOT was switched")
        #expect(try Data(contentsOf: ws.staticRoot.appendingPathComponent("staticfiles.json")) == before)
    }

    @Test func keepCountAndAgeDecideWhichReleasesStay() async throws {
        let ws = workspace(release(1))
        let clock = Mutex(Date(timeIntervalSince1970: 2_000_000_000))
        var releases: [Manifest] = []
        for version in 1...5 {
            for (name, text) in release(version) { ws.write(name, text) }
            var collector = Collector(
                configuration: ws.configuration { $0.retention = Retention(count: 2, maximumAge: 3600) })
            collector.now = { clock.withLock { $0 } }
            _ = try await collector.run()
            releases.append(try ws.manifest())
            clock.withLock { $0 += 7200 }  // each release is replaced two hours after the previous one
        }
        let current = try ws.manifest()
        #expect(current.previousReleases.map(\.id) == [releases[3], releases[2]].map { $0.release!.id })
        for name in releases[2].paths.values { #expect(ws.output(name) != nil) }
        for name in Set(releases[1].paths.values).subtracting(current.hashedNames) { #expect(ws.output(name) == nil) }
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        // Within the age, more than `count` releases stay.
        let young = workspace(release(1))
        for version in 1...4 {
            for (name, text) in release(version) { young.write(name, text) }
            try await young.collect { $0.retention = Retention(count: 1, maximumAge: 3600) }
        }
        #expect(try young.manifest().previousReleases.count == 3)
    }

    @Test func rollbackAndCleanAreAtomicSwitchesToo() async throws {
        let ws = workspace(release(1))
        try await ws.collect(CollectOptions(), compressing)
        let first = try ws.manifest()
        for (name, text) in release(2) { ws.write(name, text) }
        try await ws.collect(CollectOptions(), compressing)
        let second = try ws.manifest()
        let history = ReleaseHistory(configuration: ws.configuration(compressing))
        let back = try history.rollback()
        #expect(back.id == first.release?.id)
        let rolled = try ws.manifest()
        #expect(rolled.paths == first.paths)
        #expect(ws.output("css/s0.css")?.hasPrefix("/* v1 */") == true)
        #expect(rolled.previousReleases.first?.id == second.release?.id)
        for name in second.paths.values { #expect(ws.output(name) != nil, "the rolled-back release stays kept") }
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        var none = ws.configuration(compressing)
        none.retention = Retention(count: 0, maximumAge: 0)
        let removed = try ReleaseHistory(configuration: none).clean()
        #expect(!removed.isEmpty)
        for name in Set(second.paths.values).subtracting(first.paths.values) { #expect(ws.output(name) == nil) }
        #expect(try ws.manifest().previousReleases.isEmpty)
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        #expect(throws: CollectStaticError.self) { try ReleaseHistory(configuration: none).rollback() }
    }

    @Test func corruptCacheEntriesAreIgnoredAndReplacedNeverPublished() async throws {
        let cache = TestSupport.temporaryDirectory("cache")
        let first = workspace(release(1))
        try await first.collect(CollectOptions()) {
            compressing(&$0); $0.cacheDirectory = cache.path
        }
        // Same size, other bytes: a variant whose record no longer matches; and a truncated record.
        let variants = TestSupport.files(in: cache).filter { $0.hasPrefix("v2/variants/") && $0.hasSuffix(".br") }
        #expect(variants.count > 2)
        let victim = cache.appendingPathComponent(variants[0])
        var bytes = try Data(contentsOf: victim)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: victim)
        let record = cache.appendingPathComponent(String(variants[1].dropLast(3)) + ".json")
        try Data("{\"br\": {\"si".utf8).write(to: record)
        let fresh = workspace(release(1))
        let report = try await fresh.collect(CollectOptions()) {
            compressing(&$0); $0.cacheDirectory = cache.path
        }
        #expect(report.variantsWritten >= 2, "the bad entries were recompressed")
        #expect(PublishedTreeVerifier.problems(in: fresh.staticRoot) == [])
        #expect(Decoders.brotli(try Data(contentsOf: victim)) != nil, "the corrupt entry was replaced")
    }

    @Test func freshStaticRootGetsPreviousReleasesFromTheCacheFolder() async throws {
        let cache = TestSupport.temporaryDirectory("cache-gen")
        let build1 = workspace(release(1))
        try await build1.collect(CollectOptions()) {
            compressing(&$0); $0.cacheDirectory = cache.path;
            $0.staticRoot = "/tmp/collectstatic-docker-\(cache.lastPathComponent)/static"
        }
        let first = try Manifest(
            contentsOf: URL(
                fileURLWithPath: "/tmp/collectstatic-docker-\(cache.lastPathComponent)/static/staticfiles.json"))
        // A new image: the same STATIC_ROOT path, empty, with release 2's sources and the cache mount.
        try FileManager.default.removeItem(atPath: "/tmp/collectstatic-docker-\(cache.lastPathComponent)")
        let build2 = workspace(release(2))
        try await build2.collect(CollectOptions()) {
            compressing(&$0); $0.cacheDirectory = cache.path;
            $0.staticRoot = "/tmp/collectstatic-docker-\(cache.lastPathComponent)/static"
        }
        let root = URL(fileURLWithPath: "/tmp/collectstatic-docker-\(cache.lastPathComponent)/static")
        let second = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(second.previousReleases.first?.paths == first.paths)
        for name in first.paths.values {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path), "\(name)")
        }
        #expect(PublishedTreeVerifier.problems(in: root) == [])
    }

    @Test func ignoredBrokenSymlinkIsNotAnError() async throws {
        let ws = workspace(["css/app.css": "a{}"])
        try FileManager.default.createSymbolicLink(
            atPath: ws.sources.appendingPathComponent("css/.#app.css").path, withDestinationPath: "user@host.1234")
        try await ws.collect()
        #expect(ws.output("css/app.css") == "a{}")
    }

    @Test func dryRunWritesNothingAndCountsWhatARunWould() async throws {
        let ws = workspace(release(1))
        try await ws.collect(CollectOptions(), compressing)
        let before = TestSupport.files(in: ws.root)
        ws.write("css/s0.css", "/* changed */" + Self.css)
        let dry = try await ws.collect(CollectOptions(dryRun: true), compressing)
        #expect(
            TestSupport.files(in: ws.root).filter { !$0.hasPrefix("src/") } == before.filter { !$0.hasPrefix("src/") })
        let real = try await ws.collect(CollectOptions(), compressing)
        #expect(dry.dryRun && dry.modified == real.modified && dry.unmodified == real.unmodified)
        #expect(dry.postProcessed == real.postProcessed)
        #expect(dry.contentsToCompress > 0 && dry.variantsReused == real.variantsReused)
    }
}
