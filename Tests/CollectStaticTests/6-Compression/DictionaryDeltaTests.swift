import Crypto
import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

/// `dcz` deltas (RFC 9842): the format byte for byte, every delta decoded by the `zstd` CLI against
/// the previous version, the window limit, and deltas made, reused and deleted with their release.
@Suite("dcz deltas")
struct DictionaryDeltaTests {

    /// About `lines` lines of JavaScript; `edit` changes one line in the middle.
    static func script(lines: Int = 3000, edit: String = "") -> [UInt8] {
        var generator = SeededRandom(seed: 11)
        var text = ""
        for line in 0..<lines {
            text += "function f\(line)(a, b) { return a * \(generator.next() % 1000) + b.v\(generator.next() % 97); }\n"
            if line == lines / 2 { text += edit }
        }
        return Array(text.utf8)
    }

    /// Checks a `dcz` body: the 8 magic bytes, the dictionary's SHA-256, then a zstd frame that the
    /// zstd CLI decodes with the dictionary (`zstd -d -D`) back to exactly `file`.
    static func verify(_ body: [UInt8], file: [UInt8], dictionary: [UInt8], memory: String? = nil) throws {
        #expect(Array(body.prefix(8)) == [0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00])
        #expect(Array(body[8..<40]) == Array(SHA256.hash(data: dictionary)))
        #expect(try ZstdTool.decode(Array(body[40...]), dictionary: dictionary, memory: memory) == file)
    }

    @Test(
        "a delta is the header, the dictionary's SHA-256 and a frame zstd -d -D decodes",
        .enabled(if: Requirement.tool("zstd"), "the zstd command is not installed (Debian package zstd)"))
    func formatAndRoundTrip() throws {
        let old = Self.script()
        let new = Self.script(edit: "console.log('release 2');\n")
        let body = try #require(try DictionaryDelta.encode(new, dictionary: old, level: 19))
        try Self.verify(body, file: new, dictionary: old)
        let brotli = try BrotliCompressor().compress(new, kind: .text)
        #expect(body.count * 10 < brotli.count, "dcz \(body.count) B vs br \(brotli.count) B")
        // Without the dictionary the frame does not decode.
        #expect(throws: ZstdTool.Failure.self) { try ZstdTool.decode(Array(body[40...])) }
    }

    @Test(
        "the window respects RFC 9842's limit for a dictionary of several MB",
        .enabled(if: Requirement.tool("zstd"), "the zstd command is not installed (Debian package zstd)"))
    func windowLimit() throws {
        let old = CompressorTests.largeText  // 3 MB of CSS
        var new = old
        new.replaceSubrange(1_000_000..<1_000_100, with: Array(repeating: 0x41, count: 100))
        #expect(DictionaryDelta.windowLog(size: new.count, dictionarySize: old.count) == 23)
        let body = try #require(try DictionaryDelta.encode(new, dictionary: old, level: 19))
        // A decoder limited to max(8 MB, 1.25 x 3 MB) = 8 MiB accepts it, and it is tiny.
        try Self.verify(body, file: new, dictionary: old, memory: "8MB")
        let plain = try ZstdCompressor(level: 19).compress(new)
        #expect(body.count * 100 < plain.count, "dcz \(body.count) B, zstd \(plain.count) B")
        // Dictionary + file beyond what the window may cover: no delta.
        #expect(DictionaryDelta.windowLog(size: 5_000_000, dictionarySize: 5_000_000) == nil)
        #expect(
            try DictionaryDelta.encode(Array(repeating: 1, count: 5_000_000), dictionary: new + new, level: 1) == nil)
        #expect(DictionaryDelta.windowLimit(dictionarySize: 200 << 20) == 128 << 20)
        #expect(DictionaryDelta.windowLog(size: 1, dictionarySize: 120 << 20) == 27)  // 128 MiB, the most
        #expect(DictionaryDelta.windowLog(size: 1, dictionarySize: 130 << 20) == nil)
    }

    /// Deltas made per dictionary: a `dcz`, and a `dcb` where libbrotli has shared dictionaries.
    static let perDictionary = BrotliDictionaryDelta.isAvailable ? 2 : 1

    func deltas(_ configuration: inout Configuration) {
        configuration.compression = CompressionPolicy(brotliQuality: 5)
    }

    @Test(
        "collect makes deltas against kept releases, reuses them, and deletes them with their release",
        .enabled(if: Requirement.tool("zstd"), "the zstd command is not installed (Debian package zstd)"))
    func collectedDeltas() async throws {
        let v1 = Self.script()
        let v2 = Self.script(edit: "console.log('release 2');\n")
        let v3 = Self.script(edit: "console.log('release 3');\n")
        let ws = Workspace(["js/app.js": "", "css/site.css": "body { color: red; }\n", "img/x.png": "png"])
        ws.write("js/app.js", bytes: v1)
        try await ws.collect(CollectOptions(), deltas)
        let first = try ws.manifest()
        #expect(first.files.values.allSatisfy { $0.deltas.isEmpty }, "release 1 has nothing to diff against")

        // Release 2: app.js changed; its hashed file gets a delta against release 1's.
        ws.write("js/app.js", bytes: v2)
        let report2 = try await ws.collect(CollectOptions(), deltas)
        #expect(report2.deltasWritten == Self.perDictionary)
        let second = try ws.manifest()
        let hashed2 = second.paths["js/app.js"]!
        let key1 = SHA256.hash(data: v1).hexString
        let delta = try #require(second.files[hashed2]?.deltas[key1])
        let deltaName = ManifestEntry.deltaName(of: hashed2, dictionary: key1)
        let body = [UInt8](try Data(contentsOf: ws.staticRoot.appendingPathComponent(deltaName)))
        #expect(body.count == delta.size && SHA256.hash(data: body).hexString == delta.sha256)
        try Self.verify(body, file: v2, dictionary: v1)
        #expect(delta.size < second.files[hashed2]!.encodings[.brotli]!.size)
        // Unchanged files, other types and the originals get none.
        #expect(second.files.filter { !$0.value.deltas.isEmpty }.keys.sorted() == [hashed2])
        let encoded = String(decoding: ManifestWriter.encode(second), as: UTF8.self)
        #expect(encoded.contains("\"dcz\": {\"\(key1)\": {\"size\": \(delta.size), \"sha256\": \"\(delta.sha256!)\"}}"))

        // Release 3: only the stylesheet changed; app.js's delta against release 1 is reused.
        ws.write("css/site.css", "body { color: blue; }\n")
        let report3 = try await ws.collect(CollectOptions(), deltas)
        #expect(report3.deltasReused == Self.perDictionary && report3.deltasWritten == 0)
        #expect(try ws.manifest().files[hashed2]?.deltas[key1] == delta)

        // Release 4 with one kept release: app.js changes again. Release 2's file is kept, its delta
        // is gone with the release it belonged to; the new file diffs against release 3's app.js.
        ws.write("js/app.js", bytes: v3)
        try await ws.collect(CollectOptions()) { configuration in
            deltas(&configuration)
            configuration.retention = Retention(count: 1, maximumAge: 0)
        }
        let fourth = try ws.manifest()
        #expect(fourth.files[hashed2] != nil && fourth.files[hashed2]?.deltas.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: ws.staticRoot.appendingPathComponent(deltaName).path))
        let hashed3 = fourth.paths["js/app.js"]!
        let key2 = SHA256.hash(data: v2).hexString
        #expect(fourth.files[hashed3]?.deltas.keys.sorted() == [key2])
        let body3 = [UInt8](
            try Data(
                contentsOf: ws.staticRoot.appendingPathComponent(ManifestEntry.deltaName(of: hashed3, dictionary: key2))
            ))
        try Self.verify(body3, file: v3, dictionary: v2)
        #expect(
            ws.outputFiles.filter { $0.hasSuffix(".dcz") } == [ManifestEntry.deltaName(of: hashed3, dictionary: key2)])
    }

    @Test(
        "a fresh STATIC_ROOT with a warm cache folder reuses the proven delta; a corrupt one is remade",
        .enabled(if: Requirement.tool("zstd"), "the zstd command is not installed (Debian package zstd)"))
    func deltasCarriedByTheCacheFolder() async throws {
        let v1 = Self.script()
        let v2 = Self.script(edit: "console.log('release 2');\n")
        let ws = Workspace(["js/app.js": ""])
        let cache = ws.root.appendingPathComponent("cache")
        let withCache = { (configuration: inout Configuration) in
            configuration.compression = CompressionPolicy(brotliQuality: 5)
            configuration.cacheDirectory = cache.path
        }
        ws.write("js/app.js", bytes: v1)
        try await ws.collect(CollectOptions(), withCache)
        ws.write("js/app.js", bytes: v2)
        #expect(try await ws.collect(CollectOptions(), withCache).deltasWritten == Self.perDictionary)
        // The cached dcz (a dcb, where one is made, sits under another settings key).
        let cached = try #require(
            TestSupport.files(in: cache).first {
                $0.hasPrefix("v2/deltas/")
                    && (try? Data(contentsOf: cache.appendingPathComponent($0)))?.starts(with: DictionaryDelta.magic)
                        == true
            })

        // A new image: STATIC_ROOT is empty, the cache folder is warm.
        try FileManager.default.removeItem(at: ws.staticRoot)
        let fresh = try await ws.collect(CollectOptions(), withCache)
        #expect(fresh.deltasReused == Self.perDictionary && fresh.deltasWritten == 0)
        let manifest = try ws.manifest()
        let hashed = manifest.paths["js/app.js"]!
        let key = SHA256.hash(data: v1).hexString
        let body = [UInt8](
            try Data(
                contentsOf: ws.staticRoot.appendingPathComponent(ManifestEntry.deltaName(of: hashed, dictionary: key))))
        try Self.verify(body, file: v2, dictionary: v1)
        #expect(manifest.files[hashed]?.deltas[key]?.sha256 == SHA256.hash(data: body).hexString)

        // A corrupt cache entry is not trusted: the delta is made again and the entry replaced.
        let entry = cache.appendingPathComponent(cached)
        var corrupt = [UInt8](try Data(contentsOf: entry))
        corrupt[corrupt.count - 3] ^= 0xFF
        try Data(corrupt).write(to: entry)
        try FileManager.default.removeItem(at: ws.staticRoot)
        let again = try await ws.collect(CollectOptions(), withCache)
        #expect(again.deltasWritten == 1 && again.deltasReused == Self.perDictionary - 1)
        #expect([UInt8](try Data(contentsOf: entry)) == body)
    }

    @Test(
        "publishing in place also removes the deltas of a release that is no longer current",
        .enabled(if: Requirement.tool("zstd"), "the zstd command is not installed (Debian package zstd)"))
    func inPlaceRemovesStaleDeltas() async throws {
        var hooks = CollectorHooks()
        hooks.publishInPlace = true
        let ws = Workspace(["js/app.js": ""])
        let oneKept = { (configuration: inout Configuration) in
            configuration.compression = CompressionPolicy(brotliQuality: 5)
            configuration.retention = Retention(count: 1, maximumAge: 0)
        }
        var versions: [[UInt8]] = []
        for release in 1...3 {
            versions.append(Self.script(edit: "console.log(\(release));\n"))
            ws.write("js/app.js", bytes: versions.last!)
            try await ws.collect(CollectOptions(), hooks: hooks, oneKept)
        }
        let manifest = try ws.manifest()
        let hashed = manifest.paths["js/app.js"]!
        let key = SHA256.hash(data: versions[1]).hexString
        let onlyDelta = ManifestEntry.deltaName(of: hashed, dictionary: key)
        #expect(ws.outputFiles.filter { $0.hasSuffix(".dcz") } == [onlyDelta])
        #expect(manifest.files.filter { !$0.value.deltas.isEmpty }.keys.sorted() == [hashed])
        try Self.verify(
            [UInt8](try Data(contentsOf: ws.staticRoot.appendingPathComponent(onlyDelta))), file: versions[2],
            dictionary: versions[1])
    }

    @Test func noDeltaWithoutAPreviousVersionOrWhenTurnedOff() async throws {
        let ws = Workspace(["js/app.js": ""])
        ws.write("js/app.js", bytes: Self.script())
        try await ws.collect(CollectOptions(), deltas)
        // Kept release whose file is gone from the tree and from any cache: no dictionary, no delta.
        let first = try ws.manifest()
        try FileManager.default.removeItem(at: ws.staticRoot.appendingPathComponent(first.paths["js/app.js"]!))
        ws.write("js/app.js", bytes: Self.script(edit: "x();\n"))
        let report = try await ws.collect(CollectOptions(), deltas)
        #expect(report.deltasWritten == 0)
        // Turned off: none either.
        ws.write("js/app.js", bytes: Self.script(edit: "y();\n"))
        let off = try await ws.collect(CollectOptions()) { configuration in
            configuration.compression = CompressionPolicy(brotliQuality: 5, dictionaryReleases: 0)
        }
        #expect(off.deltasWritten == 0)
        #expect(!ws.outputFiles.contains { $0.hasSuffix(".dcz") })
    }

    @Test func deltaNames() {
        let key = String(repeating: "ab", count: 32)
        let name = ManifestEntry.deltaName(of: "js/app.3f2a.js", dictionary: key)
        #expect(name == "js/app.3f2a.js.abababababababab.dcz")
        #expect(ManifestEntry.deltaBase(of: name) == "js/app.3f2a.js")
        #expect(ManifestEntry.deltaBase(of: "js/app.dcz") == nil)
        #expect(ReleasePlanner.variantBase(of: name) == "js/app.3f2a.js")
    }
}
