import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

/// Compression from a file to a file in pieces: every codec's stream decodes with the real command
/// line tools, the file-based selection keeps what the in-memory one keeps, and the variant cache
/// proves files by hashing them in pieces.
@Suite("Streaming compression from files")
struct FileCompressionTests {
    /// Inputs several times `FileStream.chunkSize`, so that every codec sees many pieces.
    enum Input: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// About 3 MB of generated CSS-like text.
        case text
        /// 2.5 MB of pseudo-random bytes with repeated stretches: binary, partly compressible.
        case binary

        var testDescription: String { rawValue }

        var bytes: [UInt8] {
            switch self {
            case .text: CompressorTests.largeText
            case .binary: FileCompressionTests.binary
            }
        }
    }

    static let binary: [UInt8] = {
        let random = CompressorTests.pseudoRandomBytes(count: 640 * 1024, seed: 11)
        var bytes: [UInt8] = []
        for round in 0..<4 {
            bytes += random[(round * 1000)...]
            bytes += [UInt8](repeating: UInt8(round), count: 1000 + round)
        }
        return bytes
    }()

    /// The codecs of the pipeline at the settings a test runs them with.
    static func codecs(brotliQuality: Int) -> [any Compressor] {
        [
            GzipCompressor(level: 9), GzipCompressor(level: 1),
            BrotliCompressor(quality: brotliQuality), ZstdCompressor(level: 19), ZstdCompressor(level: 3),
        ]
    }

    /// A fresh folder holding `bytes` in a file named `name`; returns the folder and the file's path.
    static func file(_ bytes: [UInt8], named name: String = "input") throws -> (URL, String) {
        let folder = TestSupport.temporaryDirectory("file-compression")
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (folder, path)
    }

    /// Streams the file through `codec` into a new file; returns the output's bytes.
    static func streamed(_ codec: any Compressor, file path: String, size: Int, kind: ContentKind) throws -> [UInt8] {
        let outputPath = path + ".out" + codec.encoding.fileSuffix
        let output = try OutputFile(outputPath)
        try codec.compress(file: path, size: size, kind: kind, to: output)
        try output.close()
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: outputPath)))
    }

    /// The command line decoder of `encoding`: `gzip -dc`, `brotli -dc`, `zstd -dc`.
    static func tool(_ encoding: ContentEncoding) -> String {
        switch encoding {
        case .gzip: "gzip"
        case .brotli: "brotli"
        case .zstd: "zstd"
        case .identity: "cat"
        }
    }

    static let toolsPresent = ["gzip", "brotli", "zstd"].allSatisfy(Requirement.tool)

    /// Decodes the file at `path` with the command line tool into another file and returns its bytes.
    static func decodeWithTool(_ path: String, encoding: ContentEncoding) throws -> [UInt8] {
        let folder = TestSupport.temporaryDirectory("decoded")
        defer { try? FileManager.default.removeItem(at: folder) }
        let decoded = folder.appendingPathComponent("decoded").path
        let result = TestSupport.shell("\(tool(encoding)) -dc '\(path)' > '\(decoded)'")
        try #require(result.status == 0, "\(tool(encoding)) -dc failed: \(result.stderr)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: decoded)))
    }

    // MARK: - Every codec's stream, decoded by the real tools

    @Test(
        "a multi-MB file streamed through every codec decodes with gzip -dc, brotli -dc, zstd -dc",
        .enabled(if: toolsPresent, "gzip, brotli or zstd is not installed (Debian packages gzip, brotli, zstd)"),
        arguments: Input.allCases)
    func streamsDecodeWithTheCommandLineTools(input: Input) throws {
        let bytes = input.bytes
        #expect(bytes.count > 8 * FileStream.chunkSize)
        let (folder, path) = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(at: folder) }
        let kind: ContentKind = input == .text ? .text : .generic
        // Quality 5 keeps the brotli run short; quality 11 is checked on a smaller file below.
        for codec in Self.codecs(brotliQuality: 5) {
            let outputPath = path + ".out" + codec.encoding.fileSuffix
            let output = try OutputFile(outputPath)
            try codec.compress(file: path, size: bytes.count, kind: kind, to: output)
            try output.close()
            let decoded = try Self.decodeWithTool(outputPath, encoding: codec.encoding)
            #expect(CompressorTests.firstDifference(decoded, bytes) == nil, "\(codec)")
        }
    }

    @Test(
        "brotli at quality 11 streams a file of several pieces that brotli -dc decodes",
        .enabled(if: Requirement.tool("brotli"), "the brotli command is not installed (Debian package brotli)"))
    func brotliBestQualityStreamDecodes() throws {
        let bytes = Array(CompressorTests.largeText.prefix(5 * FileStream.chunkSize / 2))
        let (folder, path) = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try Self.streamed(BrotliCompressor(), file: path, size: bytes.count, kind: .text)
        #expect(output == (try BrotliCompressor().compress(bytes, kind: .text)), "the one-shot bytes")
        try Data(output).write(to: URL(fileURLWithPath: path + ".br"))
        #expect(CompressorTests.firstDifference(try Self.decodeWithTool(path + ".br", encoding: .brotli), bytes) == nil)
    }

    @Test(
        "a streamed zstd frame keeps RFC 9659's 8 MiB window at level 22 on a 9 MB file",
        .enabled(if: Requirement.tool("zstd"), "the zstd command is not installed (Debian package zstd)"))
    func streamedZstdWindowCap() throws {
        var input = CompressorTests.largeText
        while input.count < 9_000_000 { input += CompressorTests.pseudoRandomBytes(count: 1_000_000, seed: 3) }
        let (folder, path) = try Self.file(input)
        defer { try? FileManager.default.removeItem(at: folder) }
        let frame = try Self.streamed(ZstdCompressor(level: 22), file: path, size: input.count, kind: .generic)
        #expect(try ZstdTool.decode(frame, memory: "8MB") == input)
    }

    // MARK: - Same bytes as one shot

    /// gzip is byte for byte the one-shot output (which is Python's), and so are brotli (except at
    /// quality 10, a separate one-shot algorithm) and zstd at its default level 19. zstd's fast
    /// levels may split blocks differently when the input comes in pieces (a few bytes more on 3 MB
    /// at level 3); their streams are checked by decoding them.
    @Test(
        "streaming writes the bytes of the one-shot call (gzip as Python writes it, brotli, zstd at level 19)",
        arguments: Input.allCases)
    func streamedBytesAreTheOneShotBytes(input: Input) throws {
        let bytes = input.bytes
        let (folder, path) = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(at: folder) }
        let kind: ContentKind = input == .text ? .text : .generic
        let codecs: [any Compressor] = [
            GzipCompressor(level: 9), GzipCompressor(level: 6), GzipCompressor(level: 1),
            BrotliCompressor(quality: 5), BrotliCompressor(quality: 1, window: 16), ZstdCompressor(level: 19),
            // The one-shot call is a wrapper over the stream: the same bytes at quality 10 too,
            // which libbrotli's own one-shot call makes with another algorithm.
            BrotliCompressor(quality: 10),
        ]
        for codec in codecs {
            let streamed = try Self.streamed(codec, file: path, size: bytes.count, kind: kind)
            let oneShot = try codec.compress(bytes, kind: kind)
            #expect(
                CompressorTests.firstDifference(streamed, oneShot) == nil,
                "\(codec): \(streamed.count) bytes streamed, \(oneShot.count) in one shot")
        }
    }

    @Test func smallAndEmptyFilesStreamLikeOneShot() throws {
        for bytes in [[], [0x41], CompressorTests.smallText] as [[UInt8]] {
            let (folder, path) = try Self.file(bytes)
            defer { try? FileManager.default.removeItem(at: folder) }
            for codec in [GzipCompressor(), ZstdCompressor(), BrotliCompressor()] as [any Compressor] {
                let streamed = try Self.streamed(codec, file: path, size: bytes.count, kind: .text)
                #expect(streamed == (try codec.compress(bytes, kind: .text)), "\(codec) on \(bytes.count) bytes")
            }
            let brotli = try Self.streamed(BrotliCompressor(), file: path, size: bytes.count, kind: .text)
            #expect(Decoders.brotli(Data(brotli)) == Data(bytes))
        }
    }

    @Test func aFileThatIsNotTheSizeExpectedIsAnError() throws {
        let bytes = Array(CompressorTests.largeText.prefix(100_000))
        let (folder, path) = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(at: folder) }
        for codec in Self.codecs(brotliQuality: 1) {
            for size in [bytes.count - 1, bytes.count + 1] {
                #expect {
                    try codec.compress(file: path, size: size, kind: .text) { _ in }
                } throws: { error in
                    "\(error)".contains("changed while collectstatic was running")
                }
            }
        }
        #expect(throws: CollectStaticError.self) {
            try GzipCompressor().compress(file: folder.appendingPathComponent("missing").path, size: 1, kind: .text) {
                _ in
            }
        }
    }

    // MARK: - The file-based selection keeps what the in-memory one keeps

    /// Every policy of encodings the tests compare, with brotli at a quality that keeps them short.
    static let policies: [CompressionPolicy] = [
        CompressionPolicy(encodings: [.brotli, .gzip], brotliQuality: 5),
        CompressionPolicy(encodings: [.brotli, .zstd, .gzip], brotliQuality: 5),
        CompressionPolicy(encodings: [.gzip]), CompressionPolicy(encodings: [.zstd, .gzip], zstdLevel: 3),
        CompressionPolicy(encodings: [.brotli, .zstd, .gzip], brotliQuality: 5, maximumRatio: 0.5),
    ]

    /// Runs both selections on `bytes` as `logicalPath` and checks they keep the same encodings with
    /// the same bytes, that no file is left but the kept ones, and returns the kept encodings.
    @discardableResult
    static func expectSameSelection(
        _ bytes: [UInt8], logicalPath: String, policy: CompressionPolicy,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Set<ContentEncoding> {
        let kind = ContentKind.forPath(logicalPath)
        let inMemory = try policy.selectVariants(of: bytes, kind: kind, using: policy.compressors)
        let (folder, path) = try file(bytes, named: "source")
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = folder.appendingPathComponent("variant").path
        let fromFile = try policy.selectVariants(ofFile: path, size: bytes.count, kind: kind, writingTo: base)
        #expect(
            Set(fromFile.keys) == Set(inMemory.keys), "\(logicalPath) with \(policy.orderedEncodings)",
            sourceLocation: sourceLocation)
        for (encoding, variant) in fromFile {
            let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: variant.path)))
            #expect(variant.size == written.count, sourceLocation: sourceLocation)
            #expect(variant.sha256 == ZstdTool.sha256(written).hex, sourceLocation: sourceLocation)
            #expect(written == inMemory[encoding], "\(logicalPath) \(encoding)", sourceLocation: sourceLocation)
            #expect(
                URL(fileURLWithPath: variant.path).lastPathComponent.hasPrefix(".variant" + encoding.fileSuffix),
                sourceLocation: sourceLocation)
        }
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(
            left == Set(["source"] + fromFile.values.map { URL(fileURLWithPath: $0.path).lastPathComponent }),
            "rejected variants are deleted", sourceLocation: sourceLocation)
        return Set(fromFile.keys)
    }

    @Test("the file-based selection keeps the in-memory one's encodings on every fixture")
    func sameSelectionOnTheFixtures() throws {
        let root = TestSupport.fixtures
        var compared = 0
        for name in TestSupport.files(in: root) {
            let bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent(name)))
            for policy in Self.policies where policy.shouldCompress(logicalPath: name, size: bytes.count) {
                try Self.expectSameSelection(bytes, logicalPath: name, policy: policy)
                compared += 1
            }
        }
        #expect(compared > 0)
    }

    @Test("the file-based selection keeps the in-memory one's encodings on generated data")
    func sameSelectionOnGeneratedData() throws {
        let random = CompressorTests.pseudoRandomBytes(count: 3 * FileStream.chunkSize + 123, seed: 5)
        for policy in Self.policies {
            // Incompressible: nothing kept (and brotli's failure stops the others).
            #expect(try Self.expectSameSelection(random, logicalPath: "data/blob.bin", policy: policy).isEmpty)
            // Past gzip's window, within brotli's: brotli pays off, gzip does not.
            let repeated = CompressorTests.randomBytes + CompressorTests.randomBytes
            try Self.expectSameSelection(repeated, logicalPath: "data/twice.bin", policy: policy)
            try Self.expectSameSelection(
                Array(CompressorTests.largeText.prefix(600_000)), logicalPath: "css/big.css", policy: policy)
        }
        let onlyBrotli = try Self.expectSameSelection(
            CompressorTests.randomBytes + CompressorTests.randomBytes, logicalPath: "twice.bin",
            policy: CompressionPolicy(encodings: [.brotli, .gzip], brotliQuality: 5))
        #expect(onlyBrotli == [.brotli])
    }

    @Test func fileSelectionFollowsEveryRuleWithStandInCodecs() throws {
        let policy = CompressionPolicy()
        let bytes = [UInt8](repeating: 7, count: 1000)
        let (folder, path) = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(at: folder) }
        typealias Fixed = CompressorTests.FixedRatioCompressor
        func kept(_ codecs: [any Compressor]) throws -> [ContentEncoding: Int] {
            let made = try policy.selectVariants(
                ofFile: path, size: bytes.count, kind: .text, writingTo: path, using: codecs)
            defer { for file in made.values { unlink(file.path) } }
            return made.mapValues(\.size)
        }
        // Brotli did not pay off: gzip is not kept even though it would pay.
        #expect(try kept([Fixed(encoding: .brotli, ratio: 0.99), Fixed(encoding: .gzip, ratio: 0.1)]).isEmpty)
        #expect(try kept([Fixed(encoding: .gzip, ratio: 0.1)]) == [.gzip: 100])
        #expect(
            try kept([Fixed(encoding: .brotli, ratio: 0.5), Fixed(encoding: .gzip, ratio: 0.96)]) == [.brotli: 500])
        // zstd kept only when smaller than gzip; the threshold is inclusive, as in memory.
        #expect(
            try kept([Fixed(encoding: .zstd, ratio: 0.3), Fixed(encoding: .gzip, ratio: 0.3)]) == [.gzip: 300])
        #expect(
            try kept([Fixed(encoding: .zstd, ratio: 0.29), Fixed(encoding: .gzip, ratio: 0.95)])
                == [.zstd: 290, .gzip: 950])
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["input"])
    }

    @Test func largestKeptSizeIsTheRulesBoundary() {
        for ratio in [0.95, 0.5, 0.1, 1.0, 0.333] {
            let policy = CompressionPolicy(maximumRatio: ratio)
            for size in [1, 2, 3, 19, 20, 100, 999, 1000, 65_537, 3_000_001] {
                let limit = policy.largestKeptSize(originalSize: size)
                #expect(limit == 0 || policy.isWorthKeeping(compressedSize: limit, originalSize: size))
                #expect(!policy.isWorthKeeping(compressedSize: limit + 1, originalSize: size), "\(ratio) \(size)")
            }
        }
    }

    @Test func aCodecErrorLeavesNoFileBehind() throws {
        let bytes = CompressorTests.largeText
        let (folder, path) = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(at: folder) }
        let policy = CompressionPolicy(encodings: [.brotli, .gzip], brotliWindow: 99)
        #expect(throws: CompressionError.self) {
            try policy.selectVariants(ofFile: path, size: bytes.count, kind: .text, writingTo: path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["input"])
    }

    // MARK: - In a collect

    @Test(
        "published in place, an unchanged file is compressed from the published tree",
        .enabled(if: Requirement.tool("gzip"), "the gzip command is not installed"))
    func inPlaceCompressesAnUnchangedFileFromThePublishedTree() async throws {
        let css = String(decoding: CompressorTests.largeText.prefix(3 * FileStream.chunkSize), as: UTF8.self)
        let ws = Workspace(["css/app.css": css, "b.txt": "tiny"])
        var hooks = CollectorHooks()
        hooks.publishInPlace = true
        try await ws.collect(CollectOptions(), hooks: hooks)  // no compression yet
        for quality in [5, 6] {
            // Unchanged files whose variants are missing (then made with other settings): nothing is
            // staged for them, so the variants are made from the files in STATIC_ROOT.
            let report = try await ws.collect(CollectOptions(), hooks: hooks) {
                $0.compression = CompressionPolicy(brotliQuality: quality)
            }
            #expect(report.modified == 0 && report.postProcessed == 0)
            #expect(report.variantsWritten == 2, "quality \(quality)")
            let hashed = try #require(try ws.manifest().paths["css/app.css"])
            for name in ["css/app.css", hashed] {
                let root = ws.staticRoot.appendingPathComponent(name).path
                #expect(Decoders.brotli(try Data(contentsOf: URL(fileURLWithPath: root + ".br"))) == Data(css.utf8))
                #expect(try Self.decodeWithTool(root + ".gz", encoding: .gzip) == Array(css.utf8), "\(name).gz")
            }
            #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
            #expect(!TestSupport.files(in: ws.staticRoot).contains { $0.hasSuffix(".tmp") })
        }
    }

    // MARK: - The variant cache

    @Test func aCacheEntryWhoseFileIsTruncatedIsNotReused() throws {
        let bytes = Array(CompressorTests.largeText.prefix(700_000))
        let (folder, path) = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(at: folder) }
        let policy = CompressionPolicy(brotliQuality: 5)
        let empty = folder.appendingPathComponent("static").path
        let cacheFolder = CacheFolder(path: folder.appendingPathComponent("cache").path)
        let cache = VariantCache(
            published: PublishedState(root: empty, manifest: nil, fromCache: false),
            settings: policy.settingsFingerprint, folder: cacheFolder)
        let key = VariantCache.Key(integrity: ContentDigest(of: bytes).sha384, kind: .text)
        #expect(cache.lookup(key) == nil)
        let made = try policy.selectVariants(ofFile: path, size: bytes.count, kind: .text, writingTo: path)
        #expect(Set(made.keys) == [.brotli, .gzip])
        cache.store(key, made)
        let found = try #require(cache.lookup(key))
        #expect(found.mapValues(\.manifestVariant) == made.mapValues(\.manifestVariant))
        for variant in found.values { #expect(variant.path.hasPrefix(cacheFolder.path)) }
        for variant in made.values { unlink(variant.path) }

        // Truncated (a full disk, a killed copy): not reused, and the entry is forgotten.
        let brotli = try #require(found[.brotli]).path
        #expect(truncate(brotli, off_t(found[.brotli]!.size / 2)) == 0)
        #expect(cache.lookup(key) == nil)
        #expect(!FileManager.default.fileExists(atPath: cacheFolder.variantBase(cacheKey(policy), key) + ".json"))
        // Same size, one byte changed: not reused either.
        let again = try policy.selectVariants(ofFile: path, size: bytes.count, kind: .text, writingTo: path)
        cache.store(key, again)
        for variant in again.values { unlink(variant.path) }
        let gzip = try #require(cache.lookup(key)?[.gzip]).path
        var gzipBytes = try Data(contentsOf: URL(fileURLWithPath: gzip))
        gzipBytes[gzipBytes.count / 2] ^= 0x01
        try gzipBytes.write(to: URL(fileURLWithPath: gzip))
        #expect(cache.lookup(key) == nil)
    }

    /// The cache folder's key for a policy's settings (what `VariantCache` derives).
    func cacheKey(_ policy: CompressionPolicy) -> String {
        String(ZstdTool.sha256(Array(policy.settingsFingerprint.utf8)).hex.prefix(16))
    }

    @Test(
        "a collect with a truncated cache entry recompresses, publishes good variants and repairs the entry",
        .enabled(if: Requirement.tool("brotli"), "the brotli command is not installed (Debian package brotli)"))
    func truncatedCacheEntryInACollect() async throws {
        let cache = TestSupport.temporaryDirectory("truncated-cache")
        let css = String(decoding: CompressorTests.largeText.prefix(300_000), as: UTF8.self)
        let change: (inout Configuration) -> Void = {
            $0.compression = CompressionPolicy(brotliQuality: 5)
            $0.cacheDirectory = cache.path
        }
        try await Workspace(["a.css": css]).collect(CollectOptions(), change)
        let entries = TestSupport.files(in: cache).filter { $0.hasPrefix("v2/variants/") && $0.hasSuffix(".br") }
        #expect(entries.count == 1)
        // Replaced by a truncated copy (a new file: the entry may be a hard link to a published variant).
        let victim = cache.appendingPathComponent(entries[0])
        let truncated = try Data(contentsOf: victim).prefix(100)
        try FileManager.default.removeItem(at: victim)
        try truncated.write(to: victim)

        let fresh = Workspace(["a.css": css])
        let report = try await fresh.collect(CollectOptions(), change)
        #expect(report.variantsWritten == 2 && report.variantsReused == 0)
        let hashed = try #require(try fresh.manifest().paths["a.css"])
        for name in ["a.css", hashed] {
            let decoded = try Self.decodeWithTool(
                fresh.staticRoot.appendingPathComponent(name + ".br").path, encoding: .brotli)
            #expect(decoded == Array(css.utf8), "\(name).br")
        }
        #expect(PublishedTreeVerifier.problems(in: fresh.staticRoot) == [])
        // The entry was replaced: the next fresh tree reuses it.
        let third = try await Workspace(["a.css": css]).collect(CollectOptions(), change)
        #expect(third.variantsWritten == 0 && third.variantsReused == 2)
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hex.
    fileprivate var hex: String { map { String(format: "%02x", $0) }.joined() }
}
