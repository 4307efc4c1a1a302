import Foundation
import StaticAssets
import Synchronization
import TestSupport
import Testing

@testable import CollectStatic

@Suite struct CompressionStageTests {
    static let css = String(
        repeating: ".button { color: #3457d5; padding: 4px 8px; border-radius: 6px; }\n", count: 200)

    func compressing(_ change: @escaping (inout Configuration) -> Void = { _ in }) -> (inout Configuration) -> Void {
        { configuration in
            configuration.compression = CompressionPolicy()
            change(&configuration)
        }
    }

    /// Decompresses with the system tools, as a browser or nginx would see the bytes.
    func decompress(_ url: URL) -> Data? {
        let tool = url.pathExtension == "br" ? "brotli -d -c" : "gzip -d -c"
        let temp = TestSupport.temporaryDirectory("decompressed").appendingPathComponent("out")
        guard TestSupport.shell("\(tool) '\(url.path)' > '\(temp.path)'").status == 0 else { return nil }
        return try? Data(contentsOf: temp)
    }

    @Test func variantsNextToOriginalAndHashedNamesDecompressToTheirFile() async throws {
        let ws = Workspace(["css/app.css": Self.css, "js/x.js": Self.css, "img/a.png": Self.css, "empty.css": ""])
        try await ws.collect(CollectOptions(), compressing())
        let manifest = try ws.manifest()
        let hashed = manifest.paths["css/app.css"]!
        for name in ["css/app.css", hashed, "js/x.js", manifest.paths["js/x.js"]!] {
            for suffix in [".br", ".gz"] {
                let variant = ws.staticRoot.appendingPathComponent(name + suffix)
                #expect(FileManager.default.fileExists(atPath: variant.path), "\(name + suffix)")
                #expect(decompress(variant) == Data(Self.css.utf8), "\(name + suffix)")
            }
            let entry = manifest.files[name]!
            #expect(
                entry.encodings[.brotli]?.size
                    == (try? Data(contentsOf: ws.staticRoot.appendingPathComponent(name + ".br")))?.count)
            #expect(
                entry.encodings[.gzip]?.size
                    == (try? Data(contentsOf: ws.staticRoot.appendingPathComponent(name + ".gz")))?.count)
        }
        // Skip-listed types and empty files get no variants.
        #expect(!ws.outputFiles.contains { $0.hasPrefix("img/") && ($0.hasSuffix(".br") || $0.hasSuffix(".gz")) })
        #expect(!ws.outputFiles.contains { $0.hasPrefix("empty") && ($0.hasSuffix(".br") || $0.hasSuffix(".gz")) })
        #expect(manifest.files["img/a.png"]?.encodings.isEmpty == true)
    }

    @Test func identicalContentIsCompressedOnce() async throws {
        let ws = Workspace(["a.css": Self.css, "copy/a.css": Self.css, "b.css": Self.css + "x"])
        let report = try await ws.collect(CollectOptions(), compressing())
        // Two distinct contents (a.css == copy/a.css == their hashed copies; b.css), two encodings each.
        #expect(report.variantsWritten == 4)
        #expect(report.variantsReused == 0)
        #expect(ws.outputFiles.filter { $0.hasSuffix(".br") }.count == 6)
    }

    @Test func deterministicWhateverTheJobCount() async throws {
        var files: [String: String] = [:]
        for index in 0..<16 {
            files["f\(index).js"] = String(repeating: "var v\(index) = \(index);\n", count: 50 * (index + 1))
        }
        let one = Workspace(files)
        let many = Workspace(files)
        try await one.collect(CollectOptions(), compressing { $0.jobs = 1 })
        try await many.collect(CollectOptions(), compressing { $0.jobs = 6 })
        #expect(one.outputFiles == many.outputFiles)
        #expect(try one.manifest().withoutReleases == many.manifest().withoutReleases)
        for name in one.outputFiles where name != "staticfiles.json" {
            let a = try Data(contentsOf: one.staticRoot.appendingPathComponent(name))
            let b = try Data(contentsOf: many.staticRoot.appendingPathComponent(name))
            #expect(a == b, "\(name)")
        }
    }

    @Test func rerunWithNothingChangedCompressesNothingAndRewritesNothing() async throws {
        let ws = Workspace(["a.css": Self.css, "b.js": Self.css + "//b"])
        try await ws.collect(CollectOptions(), compressing())
        let before = inodes(ws)
        let report = try await ws.collect(CollectOptions(), compressing())
        // Nothing changed: nothing is compressed, reused, written or switched.
        #expect(report.variantsWritten == 0 && report.variantsReused == 0)
        #expect(report.modified == 0 && report.postProcessed == 0 && report.unmodified == 2)
        #expect(inodes(ws) == before)
    }

    @Test func changedSettingsRecompress() async throws {
        let ws = Workspace(["a.css": Self.css])
        try await ws.collect(CollectOptions(), compressing())
        let report = try await ws.collect(CollectOptions(), compressing { $0.compression?.brotliQuality = 5 })
        #expect(report.variantsWritten == 2 && report.variantsReused == 0)
    }

    @Test func changedImageRecompressesOnlyItsDependants() async throws {
        let ws = Workspace([
            "img/logo.svg": "<svg>\(Self.css)</svg>",
            "css/app.css": ".a { background: url(../img/logo.svg) }\n" + Self.css,
            "css/other.css": Self.css + ".other{}", "js/x.js": Self.css + "//x",
        ])
        try await ws.collect(CollectOptions(), compressing())
        ws.write("img/logo.svg", "<svg>changed \(Self.css)</svg>")
        let report = try await ws.collect(CollectOptions(), compressing())
        // New contents: the svg (original = hashed) and the hashed app.css; the app.css original is unchanged.
        #expect(report.variantsWritten == 4)
        // Reused: other.css, x.js and the app.css original (6), and the previous release's hashed
        // svg and app.css, kept for its pages (4).
        #expect(report.variantsReused == 10)
    }

    @Test func cacheDirectoryLetsAFreshStaticRootReuseWork() async throws {
        let cache = TestSupport.temporaryDirectory("cache")
        let first = Workspace(["a.css": Self.css, "b.txt": Self.css + "b"])
        try await first.collect(CollectOptions(), compressing { $0.cacheDirectory = cache.path })
        let fresh = Workspace(["a.css": Self.css, "b.txt": Self.css + "b"])
        let report = try await fresh.collect(CollectOptions(), compressing { $0.cacheDirectory = cache.path })
        #expect(report.variantsWritten == 0 && report.variantsReused == 4)
        #expect(fresh.outputFiles == first.outputFiles)
    }

    @Test func cacheDirectoryAddedLaterIsFilledFromStaticRoot() async throws {
        let cache = TestSupport.temporaryDirectory("late-cache")
        let first = Workspace(["a.css": Self.css])
        try await first.collect(CollectOptions(), compressing())
        // Nothing to compress again, but the cache learns the variants already in STATIC_ROOT.
        let second = try await first.collect(CollectOptions(), compressing { $0.cacheDirectory = cache.path })
        #expect(second.variantsWritten == 0)
        let fresh = Workspace(["a.css": Self.css])
        let report = try await fresh.collect(CollectOptions(), compressing { $0.cacheDirectory = cache.path })
        #expect(report.variantsWritten == 0 && report.variantsReused == 2)
    }

    @Test func staleVariantsAreRemoved() async throws {
        let ws = Workspace(["a.txt": Self.css])
        try await ws.collect(CollectOptions(), compressing())
        #expect(ws.output("a.txt.br") != nil)
        var random = SystemRandomNumberGenerator()
        ws.write("a.txt", bytes: (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) })
        try await ws.collect(CollectOptions(), compressing())
        #expect(ws.output("a.txt.br") == nil && ws.output("a.txt.gz") == nil)
        ws.write("a.txt", Self.css + "again")
        try await ws.collect(CollectOptions(), compressing())
        #expect(ws.output("a.txt.gz") != nil)
        try await ws.collect()  // compression off
        #expect(ws.output("a.txt.br") == nil && ws.output("a.txt.gz") == nil)
    }

    @Test func failedVariantWriteLeavesNoPartialFileAndOldManifest() async throws {
        let ws = Workspace(["a.css": Self.css])
        try await ws.collect(CollectOptions(), compressing())
        let old = try ws.manifest()
        ws.write("a.css", Self.css + "changed")
        var hooks = CollectorHooks()
        // The write fails after part of the file exists (as a full disk does).
        hooks.willWrite = { path throws(CollectStaticError) in
            if path.hasSuffix(".br") {
                TestSupport.write("partial", to: URL(fileURLWithPath: path))
                throw .output(path: path, reason: "No space left on device")
            }
        }
        await #expect {
            try await ws.collect(CollectOptions(), hooks: hooks, compressing())
        } throws: { error in
            "\(error)".contains("No space left on device") && "\(error)".contains(".br")
        }
        #expect(try ws.manifest() == old)
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        // No partial file anywhere: not in STATIC_ROOT, and the partial new tree is gone.
        #expect(ws.outputFiles.allSatisfy { !$0.hasSuffix(".tmp") })
        let work = ws.root.appendingPathComponent(".out.collectstatic")
        #expect(TestSupport.files(in: work) == ["lock"])
    }

    @Test(.enabled(if: Requirement.root, "mounting a tmpfs needs root"))
    func diskFullOnARealTinyFilesystem() async throws {
        let mountPoint = TestSupport.temporaryDirectory("tmpfs")
        let mount = TestSupport.shell("mount -t tmpfs -o size=96k tmpfs '\(mountPoint.path)'")
        try #require(mount.status == 0, "mount -t tmpfs failed: \(mount.stderr)")
        defer { TestSupport.shell("umount '\(mountPoint.path)'") }
        let ws = Workspace(["a.css": ".a{}"])
        let root = mountPoint.appendingPathComponent("static")
        var collector = Collector(
            configuration: ws.configuration {
                $0.staticRoot = root.path; $0.compression = CompressionPolicy()
            })
        _ = try await collector.run()
        let old = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        var random = SystemRandomNumberGenerator()
        // More than the file system holds even once (its hashed copy is a hard link to it).
        ws.write("big.bin", bytes: (0..<120_000).map { _ in UInt8.random(in: 0...255, using: &random) })
        collector = Collector(
            configuration: ws.configuration {
                $0.staticRoot = root.path; $0.compression = CompressionPolicy()
            })
        await #expect {
            _ = try await collector.run()
        } throws: { error in
            "\(error)".contains("No space left on device")
        }
        // The old tree stays published, every name intact; the partial new tree is removed.
        #expect(try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json")) == old)
        #expect(PublishedTreeVerifier.problems(in: root) == [])
        #expect(TestSupport.files(in: root).allSatisfy { !$0.hasSuffix(".tmp") })
        let work = mountPoint.appendingPathComponent(".static.collectstatic")
        #expect(TestSupport.files(in: work) == ["lock"])
    }

    @Test(.enabled(if: Requirement.root, "mounting a tmpfs needs root"))
    func staticRootThatIsAMountPointIsPublishedInPlace() async throws {
        let ws = Workspace(["a.css": ".a{ background: url(b.png) }", "b.png": "png"])
        let mount = TestSupport.shell(
            "mkdir -p '\(ws.staticRoot.path)' && mount -t tmpfs -o size=4m tmpfs '\(ws.staticRoot.path)'")
        try #require(mount.status == 0, "mount -t tmpfs failed: \(mount.stderr)")
        defer { TestSupport.shell("umount '\(ws.staticRoot.path)'") }
        let warnings = WarningRecorder()
        var collector = Collector(
            configuration: ws.configuration { $0.compression = CompressionPolicy() }, observer: warnings)
        _ = try await collector.run()
        ws.write("b.png", "png 2")
        collector = Collector(
            configuration: ws.configuration { $0.compression = CompressionPolicy() }, observer: warnings)
        _ = try await collector.run()
        #expect(warnings.messages.contains { $0.contains("publishing in place") && $0.contains("is a mount point") })
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
        #expect(ws.output("b.png") == "png 2")
        // The tree was published into the mount itself: the mount point is still mounted.
        #expect(TestSupport.shell("mountpoint -q '\(ws.staticRoot.path)'").status == 0)
    }

    @Test func compressionLibraryErrorIsReported() async throws {
        let ws = Workspace(["a.css": Self.css])
        await #expect {
            try await ws.collect(CollectOptions(), compressing { $0.compression?.brotliWindow = 99 })
        } throws: { error in
            guard case .compression(let path, let reason)? = error as? CollectStaticError else { return false }
            return path.contains("a.") && reason.contains("window")
        }
        #expect(!FileManager.default.fileExists(atPath: ws.staticRoot.appendingPathComponent("staticfiles.json").path))
    }

    @Test func fileChangedOrVanishedDuringTheRun() async throws {
        let ws = Workspace(["a.css": "a", "b.css": "b"])
        var hooks = CollectorHooks()
        let sources = ws.sources
        hooks.willWrite = { path throws(CollectStaticError) in
            if path.hasSuffix("/a.css") {
                TestSupport.write("b was edited meanwhile", to: sources.appendingPathComponent("b.css"))
            }
        }
        await #expect {
            try await ws.collect(CollectOptions(), hooks: hooks) { $0.jobs = 1 }
        } throws: { error in
            "\(error)".contains("b.css") && "\(error)".contains("changed while collectstatic was running")
        }
        let fresh = Workspace(["a.css": "a", "b.css": "b"])
        let freshSources = fresh.sources
        hooks.willWrite = { path throws(CollectStaticError) in
            if path.hasSuffix("/a.css") {
                try? FileManager.default.removeItem(at: freshSources.appendingPathComponent("b.css"))
            }
        }
        await #expect {
            try await fresh.collect(CollectOptions(), hooks: hooks) { $0.jobs = 1 }
        } throws: { error in
            "\(error)".contains("b.css") && "\(error)".contains("No such file")
        }
        #expect(!FileManager.default.fileExists(atPath: ws.staticRoot.appendingPathComponent("staticfiles.json").path))
        #expect(
            !FileManager.default.fileExists(atPath: fresh.staticRoot.appendingPathComponent("staticfiles.json").path))
    }

    func inodes(_ ws: Workspace) -> [String: Int] {
        var result: [String: Int] = [:]
        for name in ws.outputFiles where name != "staticfiles.json" {
            let attributes = try? FileManager.default.attributesOfItem(
                atPath: ws.staticRoot.appendingPathComponent(name).path)
            result[name] = attributes?[.systemFileNumber] as? Int
        }
        return result
    }
}

/// Collects the warnings of a run.
final class WarningRecorder: CollectionObserver, Sendable {
    private let recorded = Mutex<[String]>([])
    var messages: [String] { recorded.withLock { $0 } }
    func handle(_ event: CollectionEvent) {
        if case .warning(let message) = event { recorded.withLock { $0.append(message) } }
    }
}
