import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

@Suite struct CollectorTests {
    @Test func copiesOriginalsAndHashedNamesAndWritesManifest() async throws {
        let ws = Workspace(["css/app.css": "body{}\n", "LICENSE": "MIT\n", "empty.txt": ""])
        let report = try await ws.collect()
        let manifest = try ws.manifest()
        let appHash = String(ContentDigest(of: Array("body{}\n".utf8)).md5.prefix(12))
        #expect(manifest.paths["css/app.css"] == "css/app.\(appHash).css")
        #expect(manifest.paths["empty.txt"] == "empty.d41d8cd98f00.txt")
        #expect(manifest.paths["LICENSE"]?.hasPrefix("LICENSE.") == true)
        #expect(ws.output("css/app.css") == "body{}\n")
        #expect(ws.output("css/app.\(appHash).css") == "body{}\n")
        #expect(ws.output("empty.d41d8cd98f00.txt") == "")
        #expect(manifest.files["css/app.\(appHash).css"]?.size == 7)
        #expect(
            manifest.files["css/app.\(appHash).css"]?.integrity == ContentDigest(of: Array("body{}\n".utf8)).integrity)
        #expect(report.modified == 3 && report.unmodified == 0 && report.postProcessed == 3)
        #expect(report.summaryLine == "3 static files copied to '\(ws.staticRoot.path)', 3 post-processed.")
    }

    @Test func rerunRewritesNothing() async throws {
        let ws = Workspace(["a.css": "a", "b/c.js": "c"])
        try await ws.collect()
        let manifestPath = ws.staticRoot.appendingPathComponent("staticfiles.json").path
        let before = try FileManager.default.attributesOfItem(
            atPath: ws.staticRoot.appendingPathComponent("a.css").path)
        let report = try await ws.collect()
        let after = try FileManager.default.attributesOfItem(atPath: ws.staticRoot.appendingPathComponent("a.css").path)
        #expect(report.modified == 0 && report.unmodified == 2 && report.postProcessed == 0)
        #expect(before[.systemFileNumber] as? Int == after[.systemFileNumber] as? Int)
        #expect(report.summaryLine == "0 static files copied to '\(ws.staticRoot.path)', 2 unmodified.")
        #expect(FileManager.default.fileExists(atPath: manifestPath))
    }

    @Test func namesWithSpacesUnicodeAndPercent() async throws {
        let ws = Workspace(["with space/a b.css": "x", "café/naïve.txt": "y", "odd/100%.txt": "z", "odd/%41.txt": "w"])
        try await ws.collect()
        let manifest = try ws.manifest()
        #expect(manifest.paths.count == 4)
        for (name, hashed) in manifest.paths {
            #expect(FileManager.default.fileExists(atPath: ws.staticRoot.appendingPathComponent(name).path))
            #expect(FileManager.default.fileExists(atPath: ws.staticRoot.appendingPathComponent(hashed).path))
        }
        #expect(manifest.paths["odd/100%.txt"]?.hasPrefix("odd/100%.") == true)
        let resolver = AssetResolver(manifest: manifest)
        #expect(try resolver.url(for: "odd/100%.txt").hasPrefix("/static/odd/100%25."))
    }

    @Test func emptySourceTreeWritesEmptyManifest() async throws {
        let ws = Workspace()
        let report = try await ws.collect()
        #expect(try ws.manifest().paths.isEmpty)
        #expect(report.modified == 0)
    }

    @Test func interruptedRunLeavesPreviousManifestValid() async throws {
        let ws = Workspace(["a.css": "version 1"])
        try await ws.collect()
        let old = try ws.manifest()
        ws.write("a.css", "version 2")
        ws.write("b.css", "new file")
        var hooks = CollectorHooks()
        hooks.beforeManifest = { () throws(CollectStaticError) in
            throw .output(path: "simulated", reason: "interrupted")
        }
        await #expect(throws: CollectStaticError.self) { try await ws.collect(hooks: hooks) }
        #expect(try ws.manifest() == old)
        // Every name, originals included, still holds the old bytes.
        #expect(ws.output("a.css") == "version 1")
        for hashed in old.paths.values { #expect(ws.output(hashed) == "version 1") }
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        // The next run completes the job.
        try await ws.collect()
        let new = try ws.manifest()
        #expect(ws.output(new.paths["a.css"]!) == "version 2")
        #expect(ws.output(old.paths["a.css"]!) == "version 1")
    }

    @Test func clearRemovesLeftoversOnlyAfterSuccess() async throws {
        let ws = Workspace(["a.css": "1", "b.css": "2"])
        try await ws.collect()
        try FileManager.default.removeItem(at: ws.sources.appendingPathComponent("b.css"))
        ws.write("a.css", "changed")
        // No earlier release kept: --clear leaves exactly this release.
        let report = try await ws.collect(CollectOptions(clear: true)) {
            $0.retention = Retention(count: 0, maximumAge: 0)
        }
        let manifest = try ws.manifest()
        #expect(Set(ws.outputFiles) == Set(["a.css", manifest.paths["a.css"]!, "staticfiles.json"]))
        #expect(report.deleted == 3)
        #expect(report.summaryLine.hasPrefix("3 static files deleted, "))
    }

    @Test func clearRefusesForeignFolderUnlessForcedOrEmpty() async throws {
        let ws = Workspace(["a.css": "1"])
        TestSupport.write("precious", to: ws.staticRoot.appendingPathComponent("notes.txt"))
        await #expect(throws: CollectStaticError.clearRefused(path: ws.staticRoot.path)) {
            try await ws.collect(CollectOptions(clear: true))
        }
        #expect(ws.output("notes.txt") == "precious")
        try await ws.collect(CollectOptions(clear: true, force: true))
        #expect(ws.output("notes.txt") == nil)
    }

    @Test func dryRunWritesNothing() async throws {
        let ws = Workspace(["a.css": "1"])
        let report = try await ws.collect(CollectOptions(dryRun: true))
        #expect(report.modified == 1)
        #expect(!FileManager.default.fileExists(atPath: ws.staticRoot.path))
    }

    @Test func noPostProcessCopiesOriginalsOnly() async throws {
        let ws = Workspace(["a.css": "1", "d/b.js": "2"])
        let report = try await ws.collect(CollectOptions(postProcess: false))
        #expect(ws.outputFiles == ["a.css", "d/b.js"])
        #expect(report.postProcessed == 0 && report.manifest == nil)
    }

    @Test func linkModeSymlinksOriginals() async throws {
        let ws = Workspace(["a.css": "1"])
        let report = try await ws.collect(CollectOptions(link: true))
        let destination = try FileManager.default.destinationOfSymbolicLink(
            atPath: ws.staticRoot.appendingPathComponent("a.css").path)
        #expect(destination == ws.sources.appendingPathComponent("a.css").path)
        #expect(report.summaryLine.contains("symlinked"))
        let hashed = try ws.manifest().paths["a.css"]!
        #expect(
            (try? FileManager.default.destinationOfSymbolicLink(
                atPath: ws.staticRoot.appendingPathComponent(hashed).path)) == nil)
    }

    @Test func sourceRootThatIsAFileOrNotRegularFileFails() async throws {
        let ws = Workspace(["a.css": "1"])
        let fifo = ws.sources.appendingPathComponent("pipe.css").path
        #expect(mkfifo(fifo, 0o644) == 0)
        await #expect {
            try await ws.collect()
        } throws: { error in
            "\(error)".contains("pipe.css") && "\(error)".contains("not a regular file")
        }
        #expect(!FileManager.default.fileExists(atPath: ws.staticRoot.appendingPathComponent("staticfiles.json").path))
    }

    @Test func brokenSymlinkIsReported() async throws {
        let ws = Workspace(["a.css": "1"])
        try FileManager.default.createSymbolicLink(
            atPath: ws.sources.appendingPathComponent("gone.css").path, withDestinationPath: "/nonexistent/gone.css")
        await #expect {
            try await ws.collect()
        } throws: { error in
            "\(error)".contains("gone.css") && "\(error)".contains("broken symlink")
        }
    }

    @Test func neverWritesThroughASymlinkedFolderInStaticRoot() async throws {
        let ws = Workspace(["css/a.css": "1"])
        let elsewhere = TestSupport.temporaryDirectory("elsewhere")
        TestSupport.write("theirs", to: elsewhere.appendingPathComponent("a.css"))
        try FileManager.default.createDirectory(at: ws.staticRoot, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: ws.staticRoot.appendingPathComponent("css").path, withDestinationPath: elsewhere.path)
        // The new tree is built beside STATIC_ROOT and switched in: the symlink is replaced by a real
        // folder, and nothing is ever written through it.
        try await ws.collect()
        #expect(TestSupport.files(in: elsewhere) == ["a.css"])
        #expect((try? String(contentsOf: elsewhere.appendingPathComponent("a.css"), encoding: .utf8)) == "theirs")
        let css = FileManager.default.destinationOfSymbolicLinkOrNil(ws.staticRoot.appendingPathComponent("css").path)
        #expect(css == nil)
        #expect(ws.output("css/a.css") == "1")
    }

    @Test func outputIsDeterministicWhateverTheJobCount() async throws {
        var files: [String: String] = [:]
        for index in 0..<60 { files["d\(index % 7)/f\(index).txt"] = String(repeating: "x\(index)", count: index) }
        let one = Workspace(files)
        let many = Workspace(files)
        try await one.collect { $0.jobs = 1 }
        try await many.collect { $0.jobs = 8 }
        #expect(try one.manifest().withoutReleases == many.manifest().withoutReleases)
    }
}
