import Foundation
import StaticAssets
import Synchronization
import TestSupport
import Testing

@testable import CollectStatic

/// Publishing at the edges: a STATIC_ROOT that is a symlink, a corrupt manifest, and the same
/// release built twice with a cache folder.
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

    // MARK: STATIC_ROOT is a symlink

    /// `out -> releases/42`: the release lands in `releases/42`, `out` stays the same link.
    func linkedWorkspace(_ files: [String: String]) throws -> (Workspace, URL) {
        let ws = Workspace(files)
        let target = ws.root.appendingPathComponent("releases/42")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        TestSupport.write("kept by the deploy tool", to: target.appendingPathComponent("REVISION"))
        try FileManager.default.createSymbolicLink(atPath: ws.staticRoot.path, withDestinationPath: "releases/42")
        return (ws, target)
    }

    func expectStillALink(_ ws: Workspace, sourceLocation: SourceLocation = #_sourceLocation) {
        let status = FileSystem.status(ws.staticRoot.path, followLinks: false)
        #expect(status?.isSymlink == true, "STATIC_ROOT is no longer a symlink", sourceLocation: sourceLocation)
        #expect(
            FileManager.default.destinationOfSymbolicLinkOrNil(ws.staticRoot.path) == "releases/42",
            sourceLocation: sourceLocation)
    }

    @Test(arguments: [false, true])
    func symlinkedStaticRootStaysALinkAndItsTargetHoldsTheRelease(inPlace: Bool) async throws {
        let (ws, target) = try linkedWorkspace(release(1))
        var hooks = CollectorHooks()
        hooks.publishInPlace = inPlace
        try await ws.collect(CollectOptions(), hooks: hooks, compressing)
        expectStillALink(ws)
        let first = try Manifest(contentsOf: target.appendingPathComponent("staticfiles.json"))
        #expect(PublishedTreeVerifier.problems(in: target) == [])
        #expect(first.paths.count == 9 && first.files.count == 18)
        #expect(ws.output("REVISION") == "kept by the deploy tool")

        // A second run (every file changed) publishes through the link again, keeping release 1.
        for (name, text) in release(2) { ws.write(name, text) }
        try await ws.collect(CollectOptions(), hooks: hooks, compressing)
        expectStillALink(ws)
        let second = try Manifest(contentsOf: target.appendingPathComponent("staticfiles.json"))
        #expect(second.paths != first.paths)
        #expect(second.previousReleases.first?.paths == first.paths)
        #expect(PublishedTreeVerifier.problems(in: target) == [])
        for name in first.paths.values {
            #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent(name).path), "\(name)")
        }
        #expect(ws.output("REVISION") == "kept by the deploy tool")
        // Nothing was published beside the link.
        let beside = try FileManager.default.contentsOfDirectory(atPath: ws.root.path).sorted()
        #expect(beside == ["out", "releases", "src"])
        if !inPlace {
            // The work folder is beside the folder published, and keeps release 1's tree for rollback.
            let work = ws.root.appendingPathComponent("releases/.42.collectstatic")
            #expect(
                (try? FileManager.default.contentsOfDirectory(atPath: work.path))?.contains {
                    $0 == "old-" + (first.release?.id ?? "")
                } == true)
            let back = try ReleaseHistory(configuration: ws.configuration(compressing)).rollback()
            #expect(back.id == first.release?.id)
            expectStillALink(ws)
            #expect(try Manifest(contentsOf: target.appendingPathComponent("staticfiles.json")).paths == first.paths)
            #expect(PublishedTreeVerifier.problems(in: target) == [])
        }
    }

    /// A run through the link stopped before each of its publishing steps leaves the link a link
    /// and the tree it points to true, name by name.
    @Test(arguments: [false, true])
    func everyStopThroughALinkLeavesItsTreeTrue(inPlace: Bool) async throws {
        let (ws, target) = try linkedWorkspace(release(1))
        try await ws.collect(CollectOptions(), compressing)
        let first = try ws.manifest()
        for (name, text) in release(2) { ws.write(name, text) }
        var stops = 0
        for k in 1...200 {
            var hooks = CollectorHooks()
            let seen = Mutex(0)
            hooks.willPublish = { name throws(CollectStaticError) in
                if seen.withLock({
                    $0 += 1; return $0
                }) == k {
                    throw .output(path: name, reason: "stopped here")
                }
            }
            hooks.publishInPlace = inPlace
            do {
                try await ws.collect(CollectOptions(), hooks: hooks, compressing)
                break
            } catch {
                stops += 1
                expectStillALink(ws)
                #expect(PublishedTreeVerifier.problems(in: target) == [], "stopped at step \(k)")
            }
        }
        #expect(stops >= 1)
        expectStillALink(ws)
        let final = try ws.manifest()
        #expect(final.paths != first.paths && final.previousReleases.first?.paths == first.paths)
        #expect(PublishedTreeVerifier.problems(in: target) == [])
    }

    /// A link whose folder does not exist yet (a new release folder): the release is made there.
    @Test func danglingLinkGetsItsFolderMade() async throws {
        let ws = Workspace(release(1))
        try FileManager.default.createDirectory(
            at: ws.root.appendingPathComponent("releases"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: ws.staticRoot.path, withDestinationPath: "releases/42")
        try await ws.collect(CollectOptions(), compressing)
        expectStillALink(ws)
        #expect(PublishedTreeVerifier.problems(in: ws.root.appendingPathComponent("releases/42")) == [])
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
        #expect(second.previousReleases.map(\.id) == [first.release?.id].compactMap { $0 })
        #expect(Set(first.paths.values).subtracting(second.paths.values).count == 4, "every stylesheet changed")

        // A new image: the same STATIC_ROOT path, empty; the same sources and cache mount.
        try FileManager.default.removeItem(at: image)
        try await build.collect(CollectOptions(), settings)
        let again = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(again.paths == second.paths)
        #expect(again.release?.id == second.release?.id, "the same release keeps its id")
        #expect(again.previousReleases.map(\.id) == second.previousReleases.map(\.id))
        let carried = first.paths.values.filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) && again.files[$0] != nil
        }
        #expect(carried.count == first.paths.count, "\(carried.count) of release 1's \(first.paths.count)")
        #expect(PublishedTreeVerifier.problems(in: root) == [])

        // A third image from the same commit: still the same.
        try FileManager.default.removeItem(at: image)
        try await build.collect(CollectOptions(), settings)
        let third = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(third.release?.id == second.release?.id)
        #expect(third.previousReleases.map(\.id) == second.previousReleases.map(\.id))
        #expect(PublishedTreeVerifier.problems(in: root) == [])
    }

    // MARK: a corrupt manifest

    /// Truncates STATIC_ROOT's manifest halfway, as a full disk or a killed copy would.
    func corruptManifest(_ root: URL) throws {
        let url = root.appendingPathComponent("staticfiles.json")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
    }

    /// Releases 1 and 2 published, then release 2's manifest corrupted: the next run says so loudly,
    /// naming the file, and still keeps (and lists) the hashed files of releases 2 and 1 — from the
    /// kept tree of release 1 in the work folder and the proven hashed files of release 2 in
    /// STATIC_ROOT, or (in place, where no tree is kept) from STATIC_ROOT alone.
    @Test(arguments: [false, true])
    func corruptManifestIsRecoveredAndSaidSo(inPlace: Bool) async throws {
        let ws = Workspace(release(1))
        var hooks = CollectorHooks()
        hooks.publishInPlace = inPlace
        try await ws.collect(CollectOptions(), hooks: hooks, compressing)
        let first = try ws.manifest()
        for (name, text) in release(2) { ws.write(name, text) }
        try await ws.collect(CollectOptions(), hooks: hooks, compressing)
        let second = try ws.manifest()
        try corruptManifest(ws.staticRoot)

        for (name, text) in release(3) { ws.write(name, text) }
        let warnings = WarningRecorder()
        var collector = Collector(configuration: ws.configuration(compressing), observer: warnings)
        collector.hooks = hooks
        _ = try await collector.run()
        let said = warnings.messages.joined(separator: "\n")
        #expect(said.contains(ws.staticRoot.appendingPathComponent("staticfiles.json").path), "\(said)")
        #expect(said.contains("corrupt") && said.contains("recovered") && said.contains("lost"), "\(said)")

        let third = try ws.manifest()
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        // Release 2 (the one the corrupt manifest described) is the newest kept release, whole.
        #expect(third.previousReleases.first?.paths == second.paths)
        // Every hashed file of releases 2 and 1 is still there and listed, so it is still served.
        for name in Set(second.paths.values).union(first.paths.values) {
            #expect(third.files[name] != nil, "\(name) is no longer listed")
            #expect(ws.output(name) != nil, "\(name) is gone")
        }
        if !inPlace {
            // Release 1 comes back under its own id, from its kept tree.
            #expect(third.previousReleases.contains { $0.id == first.release?.id && $0.paths == first.paths })
        }
    }

    /// Nothing to recover from (no kept tree, no hashed file): the run says the history is lost.
    @Test func corruptManifestWithNothingToRecoverSaysTheHistoryIsLost() async throws {
        let ws = Workspace(["a.css": "a"])
        try FileManager.default.createDirectory(at: ws.staticRoot, withIntermediateDirectories: true)
        TestSupport.write("{\"paths\": {\"a.css\": ", to: ws.staticRoot.appendingPathComponent("staticfiles.json"))
        let warnings = WarningRecorder()
        _ = try await Collector(configuration: ws.configuration(), observer: warnings).run()
        let said = warnings.messages.joined(separator: "\n")
        #expect(said.contains("staticfiles.json") && said.contains("history is lost"), "\(said)")
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
    }
}
