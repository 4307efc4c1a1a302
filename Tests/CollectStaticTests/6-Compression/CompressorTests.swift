import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

/// Compressed variants: codecs checked against the system `gzip`/`brotli` tools and Python's gzip
/// (as WhiteNoise uses it), and the WhiteNoise policy of which variants to keep.
@Suite("Compressed variants")
struct CompressorTests {

    // MARK: - Fixtures

    /// Inputs for round trips and byte-identity checks.
    enum Sample: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case empty, oneByte, text, randomBinary, largeText

        var testDescription: String { rawValue }

        var bytes: [UInt8] {
            switch self {
            case .empty: []
            case .oneByte: [0x41]
            case .text: CompressorTests.smallText
            case .randomBinary: CompressorTests.randomBytes
            case .largeText: CompressorTests.largeText
            }
        }
    }

    static let smallText = Array(
        """
        body { margin: 0; padding: 0; font-family: system-ui, sans-serif; }
        .button { color: #fff; background: url("../img/bg.png"); }
        .button:hover { color: #eee; background: url("../img/bg-hover.png"); }
        /* ünïcödé comment ✓ */
        .button:active { color: #ddd; background: url("../img/bg-active.png"); }
        """.utf8)

    /// 64 KiB of pseudo-random bytes (incompressible, deterministic).
    static let randomBytes = pseudoRandomBytes(count: 64 * 1024, seed: 42)

    /// About 3 MB of generated CSS-like text.
    static let largeText: [UInt8] = {
        var generator = SeededRandom(seed: 7)
        let properties = [
            "color", "margin", "padding", "display", "background", "font-size", "border", "width",
        ]
        let values = [
            "0", "auto", "1px solid #ccc", "flex", "none", "#fff", "rgba(0,0,0,.5)", "100%", "12px",
        ]
        var text = ""
        text.reserveCapacity(3_100_000)
        var rule = 0
        while text.utf8.count < 3_000_000 {
            text += ".c\(generator.next() % 4000)-\(rule) > .x\(generator.next() % 300):hover {\n"
            for _ in 0..<(2 + Int(generator.next() % 5)) {
                let property = properties[Int(generator.next() % UInt64(properties.count))]
                let value = values[Int(generator.next() % UInt64(values.count))]
                text += "  \(property): \(value);\n"
            }
            text += "}\n"
            rule += 1
        }
        return Array(text.utf8)
    }()

    static func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededRandom(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next() >> 24) }
    }

    // MARK: - External tools

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin", "/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let gzipTool = findExecutable("gzip")
    static let brotliTool = findExecutable("brotli")

    struct ToolFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// A fresh temporary directory, removed after `body`.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("compressor-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    /// Runs `executable` with `arguments`, its standard output going to `stdoutFile`.
    static func run(_ executable: String, _ arguments: [String], stdoutFile: URL, in directory: URL)
        throws
    {
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        let stderrFile = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutFile)
        let stderr = try FileHandle(forWritingTo: stderrFile)
        defer {
            try? stdout.close()
            try? stderr.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            throw ToolFailure(
                description: "\(executable) \(arguments.joined(separator: " ")) exited with "
                    + "\(process.terminationStatus): \(message)")
        }
    }

    /// Decompresses `compressed` with the system tool for `encoding` (`gzip -d -c` / `brotli -d -c`).
    static func systemDecompress(_ compressed: [UInt8], encoding: ContentEncoding) throws -> [UInt8] {
        let tool = try #require(encoding == .gzip ? gzipTool : brotliTool)
        return try withTemporaryDirectory { directory in
            let input = directory.appendingPathComponent("input" + encoding.fileSuffix)
            let output = directory.appendingPathComponent("output")
            try Data(compressed).write(to: input)
            try run(tool, ["-d", "-c", input.path], stdoutFile: output, in: directory)
            return [UInt8](try Data(contentsOf: output))
        }
    }

    /// Python's gzip output for `bytes` at `level`: WhiteNoise's own `Compressor.compress_gzip` for
    /// level 9 (the suite's venv has WhiteNoise), else the identical `gzip.GzipFile(filename="",
    /// mode="wb", fileobj=..., compresslevel=level, mtime=0)` call.
    static func pythonGzip(_ bytes: [UInt8], level: Int, python: String) throws -> [UInt8] {
        let script = """
            import gzip, io, sys
            data = open(sys.argv[1], "rb").read()
            level = int(sys.argv[3])
            from whitenoise.compress import Compressor
            if level == 9:
                out = Compressor.compress_gzip(data)
            else:
                buffer = io.BytesIO()
                with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=level, mtime=0) as f:
                    f.write(data)
                out = buffer.getvalue()
            open(sys.argv[2], "wb").write(out)
            """
        return try withTemporaryDirectory { directory in
            let input = directory.appendingPathComponent("input")
            let output = directory.appendingPathComponent("output.gz")
            try Data(bytes).write(to: input)
            try run(
                python, ["-c", script, input.path, output.path, String(level)],
                stdoutFile: directory.appendingPathComponent("stdout"), in: directory)
            return [UInt8](try Data(contentsOf: output))
        }
    }

    /// The index of the first byte where `a` and `b` differ (or the shorter length), nil if equal.
    /// Used instead of `a == b` so that a failure reports a position, not megabytes of bytes.
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        if let index = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) { return index }
        return a.count == b.count ? nil : min(a.count, b.count)
    }

    // MARK: - ContentEncoding

    @Test func encodingSuffixesTokensAndPreference() throws {
        #expect(ContentEncoding.brotli.fileSuffix == ".br")
        #expect(ContentEncoding.gzip.fileSuffix == ".gz")
        #expect(ContentEncoding.brotli.httpToken == "br")
        #expect(ContentEncoding.gzip.httpToken == "gzip")
        #expect(ContentEncoding.allCases == [.brotli, .zstd, .gzip, .identity])
        #expect(ContentEncoding.variants == [.brotli, .zstd, .gzip])
        #expect(ContentEncoding(token: "X-GZIP") == .gzip && ContentEncoding(token: "zz") == nil)
        #expect([ContentEncoding.gzip, .brotli].sorted() == [.brotli, .gzip])
        #expect(ContentEncoding(rawValue: "br") == .brotli)
        #expect(ContentEncoding(rawValue: "gzip") == .gzip)
        let json = try JSONEncoder().encode([ContentEncoding.brotli, .gzip])
        #expect(String(decoding: json, as: UTF8.self) == #"["br","gzip"]"#)
    }

    // MARK: - Round trips through the system tools

    @Test(
        "gzip output decompresses with the system gzip",
        .enabled(if: gzipTool != nil, "the gzip command is not installed"),
        arguments: Sample.allCases)
    func gzipRoundTrip(sample: Sample) throws {
        let input = sample.bytes
        for level in [9, 6, 1] {
            let compressed = try GzipCompressor(level: level).compress(input, kind: .text)
            let decompressed = try Self.systemDecompress(compressed, encoding: .gzip)
            #expect(Self.firstDifference(decompressed, input) == nil, "level \(level)")
        }
    }

    @Test(
        "brotli output decompresses with the system brotli",
        .enabled(if: brotliTool != nil, "the brotli command is not installed (Debian package brotli)"),
        arguments: Sample.allCases, ContentKind.allCases)
    func brotliRoundTrip(sample: Sample, kind: ContentKind) throws {
        let input = sample.bytes
        let compressed = try BrotliCompressor().compress(input, kind: kind)
        let decompressed = try Self.systemDecompress(compressed, encoding: .brotli)
        #expect(Self.firstDifference(decompressed, input) == nil)
    }

    @Test(
        "brotli at other settings decompresses with the system brotli",
        .enabled(if: brotliTool != nil, "the brotli command is not installed (Debian package brotli)"))
    func brotliOtherSettingsRoundTrip() throws {
        let input = Self.smallText + Self.randomBytes + Self.smallText
        for (quality, window) in [(0, 10), (1, 16), (5, 24), (9, 22), (11, 10), (11, 24)] {
            let compressed = try BrotliCompressor(quality: quality, window: window).compress(
                input, kind: .generic)
            let decompressed = try Self.systemDecompress(compressed, encoding: .brotli)
            #expect(Self.firstDifference(decompressed, input) == nil, "q\(quality) w\(window)")
        }
    }

    @Test(
        "policy variants decompress back to the input",
        .enabled(
            if: gzipTool != nil && brotliTool != nil, "the gzip or brotli command is not installed"))
    func policyVariantsRoundTrip() throws {
        let variants = try CompressionPolicy().variants(for: Self.largeText, logicalPath: "css/big.css")
        #expect(Set(variants.keys) == [.brotli, .gzip])
        for (encoding, compressed) in variants {
            let decompressed = try Self.systemDecompress(compressed, encoding: encoding)
            #expect(Self.firstDifference(decompressed, Self.largeText) == nil, "\(encoding)")
        }
    }

    // MARK: - Byte-identity with Python / WhiteNoise

    @Test(
        "gzip output is byte-identical to Python's GzipFile as WhiteNoise writes it",
        .enabled(if: DjangoReference.enabled, Comment(rawValue: DjangoReference.skipComment)),
        arguments: Sample.allCases)
    func gzipMatchesPython(sample: Sample) throws {
        let python = try DjangoReference.requirePython()
        let input = sample.bytes
        for level in [9, 1, 6] {
            let expected = try Self.pythonGzip(input, level: level, python: python)
            let actual = try GzipCompressor(level: level).compress(input, kind: .generic)
            #expect(
                Self.firstDifference(actual, expected) == nil,
                "level \(level): \(actual.count) bytes vs Python's \(expected.count)")
        }
    }

    @Test func gzipHeaderAndTrailer() throws {
        let input = Array("hello, hello, hello".utf8)
        let output = try GzipCompressor(level: 9).compress(input)
        #expect(Array(output.prefix(10)) == [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 2, 0xFF])
        #expect(Array(output.suffix(4)) == [UInt8(input.count), 0, 0, 0])
        #expect(GzipCompressor.header(level: 1)[8] == 4)
        #expect(GzipCompressor.header(level: 6)[8] == 0)
        // CRC-32 of "123456789" is the standard check value 0xCBF43926.
        let check = try GzipCompressor().compress(Array("123456789".utf8))
        #expect(Array(check.suffix(8).prefix(4)) == [0x26, 0x39, 0xF4, 0xCB])
    }

    // MARK: - Determinism

    @Test func outputIsDeterministic() throws {
        let input = Self.smallText + Self.pseudoRandomBytes(count: 1000, seed: 3) + Self.smallText
        for kind in ContentKind.allCases {
            let first = try BrotliCompressor().compress(input, kind: kind)
            let second = try BrotliCompressor().compress(input, kind: kind)
            #expect(first == second)
        }
        let compressor = GzipCompressor()
        #expect(try compressor.compress(input) == compressor.compress(input))
        let policy = CompressionPolicy()
        let text = Array(Self.largeText.prefix(300_000))
        let first = try policy.variants(for: text, logicalPath: "a.css")
        let second = try policy.variants(for: text, logicalPath: "a.css")
        #expect(first.count == 2)
        #expect(first == second)
    }

    // MARK: - The 95% rule

    @Test func randomBytesProduceNoVariantTextDoes() throws {
        let policy = CompressionPolicy()
        #expect(try policy.variants(for: Self.randomBytes, logicalPath: "data/blob.bin").isEmpty)
        #expect(
            try CompressionPolicy(encodings: [.gzip]).variants(
                for: Self.randomBytes, logicalPath: "a.bin"
            ).isEmpty)
        let text = try policy.variants(for: Self.smallText, logicalPath: "css/app.css")
        #expect(Set(text.keys) == [.brotli, .gzip])
        for (_, compressed) in text {
            #expect(Double(compressed.count) <= 0.95 * Double(Self.smallText.count))
        }
    }

    @Test func keepThresholdMatchesWhiteNoiseFloatDivision() {
        let policy = CompressionPolicy()
        #expect(policy.isWorthKeeping(compressedSize: 95, originalSize: 100))
        #expect(policy.isWorthKeeping(compressedSize: 19, originalSize: 20))
        #expect(policy.isWorthKeeping(compressedSize: 950, originalSize: 1000))
        #expect(!policy.isWorthKeeping(compressedSize: 951, originalSize: 1000))
        #expect(!policy.isWorthKeeping(compressedSize: 96, originalSize: 100))
        #expect(!policy.isWorthKeeping(compressedSize: 0, originalSize: 0))
        #expect(!policy.isWorthKeeping(compressedSize: 20, originalSize: 0))
        // Compare with the exact float rule for every size pair around the threshold.
        for original in 1...400 {
            for compressed in max(0, original * 9 / 10)...original {
                let expected = Double(compressed) / Double(original) <= 0.95
                #expect(
                    policy.isWorthKeeping(compressedSize: compressed, originalSize: original) == expected)
            }
        }
    }

    // MARK: - Skip list and shouldCompress

    @Test func skipListedTypesGetNoVariants() throws {
        let policy = CompressionPolicy()
        for path in [
            "img/logo.png", "img/LOGO.PNG", "img/photo.JpEg", "a/b.webp", "dist/archive.tar.gz",
            "fonts/x.woff2", "fonts/x.woff", "v/clip.mp4", "i/pic.avif", "i/pic.jxl", "d/data.zst",
            ".png", "logo.min.png",
        ] {
            #expect(!policy.shouldCompress(logicalPath: path, size: 10_000), "\(path)")
            #expect(try policy.variants(for: Self.smallText, logicalPath: path).isEmpty, "\(path)")
        }
        for path in [
            "css/app.css", "png", "img.png/readme.txt", "logo.png.css", "fonts/x.ttf", "a.svg", "LICENSE",
        ] {
            #expect(policy.shouldCompress(logicalPath: path, size: 10_000), "\(path)")
        }
        #expect(!policy.shouldCompress(logicalPath: "css/empty.css", size: 0))
        #expect(try policy.variants(for: [], logicalPath: "css/empty.css").isEmpty)
        #expect(!CompressionPolicy(encodings: []).shouldCompress(logicalPath: "a.css", size: 10))
        #expect(CompressionPolicy.whiteNoiseSkipExtensions.count == 27)
        #expect(
            CompressionPolicy.defaultSkipExtensions
                == CompressionPolicy.whiteNoiseSkipExtensions.union(["avif", "jxl", "zst"]))
    }

    @Test func customSkipExtensionsAreNormalized() {
        var policy = CompressionPolicy(skipExtensions: [".CSS", "Map"])
        #expect(policy.skipExtensions == ["css", "map"])
        #expect(!policy.shouldCompress(logicalPath: "a.Css", size: 10))
        #expect(!policy.shouldCompress(logicalPath: "a.css.map", size: 10))
        #expect(policy.shouldCompress(logicalPath: "a.png", size: 10))
        policy.skipExtensions = [".JS"]
        #expect(policy.skipExtensions == ["js"])
    }

    // MARK: - gzip skipped when brotli did not pay off

    /// A stand-in codec whose output is `ratio` times the input size.
    struct FixedRatioCompressor: Compressor {
        var encoding: ContentEncoding
        var ratio: Double
        func compress(_ input: [UInt8], kind: ContentKind) throws -> [UInt8] {
            [UInt8](repeating: 0, count: Int(Double(input.count) * ratio))
        }
    }

    @Test func gzipSkippedWhenBrotliDidNotPayOff() throws {
        let policy = CompressionPolicy()
        let input = [UInt8](repeating: 7, count: 1000)
        let brotliFails = FixedRatioCompressor(encoding: .brotli, ratio: 0.99)
        let gzipWouldPay = FixedRatioCompressor(encoding: .gzip, ratio: 0.10)
        // Both enabled: brotli did not pay off, so gzip is not even kept (WhiteNoise's rule).
        #expect(
            try policy.selectVariants(of: input, kind: .text, using: [brotliFails, gzipWouldPay]).isEmpty)
        // gzip alone: kept.
        #expect(
            try Set(policy.selectVariants(of: input, kind: .text, using: [gzipWouldPay]).keys) == [.gzip])
        // Brotli paid off, gzip did not: only brotli.
        let brotliPays = FixedRatioCompressor(encoding: .brotli, ratio: 0.5)
        let gzipFails = FixedRatioCompressor(encoding: .gzip, ratio: 0.96)
        #expect(
            try Set(policy.selectVariants(of: input, kind: .text, using: [brotliPays, gzipFails]).keys)
                == [.brotli])
    }

    @Test func realDataWhereOnlyBrotliPaysOff() throws {
        // A 64 KiB random block repeated: the repeat is beyond gzip's 32 KiB window but within
        // brotli's 4 MiB one.
        let input = Self.randomBytes + Self.randomBytes
        let variants = try CompressionPolicy().variants(for: input, logicalPath: "data/twice.bin")
        #expect(Set(variants.keys) == [.brotli])
        // With gzip only, random data gives nothing either.
        #expect(
            try CompressionPolicy(encodings: [.gzip]).variants(for: input, logicalPath: "a.bin").isEmpty)
        // With gzip only, text is gzipped.
        #expect(
            try Set(
                CompressionPolicy(encodings: [.gzip]).variants(for: Self.smallText, logicalPath: "a.css")
                    .keys)
                == [.gzip])
    }

    // MARK: - ContentKind

    @Test func contentKindMapping() {
        for path in [
            "css/app.css", "js/app.js", "js/mod.mjs", "img/icon.svg", "data.json", "index.html",
            "page.htm",
            "robots.txt", "sitemap.xml", "js/app.js.map", "site.webmanifest", "CSS/APP.CSS", "a.Js",
        ] {
            #expect(ContentKind.forPath(path) == .text, "\(path)")
        }
        for path in ["fonts/a.woff", "fonts/a.ttf", "fonts/a.otf", "fonts/a.eot", "fonts/A.TTF"] {
            #expect(ContentKind.forPath(path) == .font, "\(path)")
        }
        for path in [
            "img/a.png", "app.wasm", "blob.bin", "LICENSE", "", "css.d/file", "dir.css/readme",
            "a.css.gz",
        ] {
            #expect(ContentKind.forPath(path) == .generic, "\(path)")
        }
        // BROTLI_MODE_GENERIC = 0, BROTLI_MODE_TEXT = 1, BROTLI_MODE_FONT = 2 in <brotli/encode.h>.
        #expect(BrotliCompressor.mode(for: .generic).rawValue == 0)
        #expect(BrotliCompressor.mode(for: .text).rawValue == 1)
        #expect(BrotliCompressor.mode(for: .font).rawValue == 2)
    }

    // MARK: - Errors and settings

    @Test func invalidSettingsThrowTypedErrorsNamingTheEncoding() throws {
        #expect(
            throws: CompressionError.invalidParameter(.gzip, name: "level", value: 10, allowed: 0...9)
        ) {
            try GzipCompressor(level: 10).compress([1, 2, 3])
        }
        #expect(
            throws: CompressionError.invalidParameter(
                .brotli, name: "quality", value: 12, allowed: 0...11)
        ) {
            try BrotliCompressor(quality: 12).compress([1, 2, 3])
        }
        #expect(
            throws: CompressionError.invalidParameter(
                .brotli, name: "window", value: 25, allowed: 10...24)
        ) {
            try BrotliCompressor(window: 25).compress([1, 2, 3])
        }
        do {
            _ = try BrotliCompressor(window: 9).compress([1])
            Issue.record("expected an error")
        } catch {
            #expect(error.encoding == .brotli)
            #expect(error.description.contains("brotli"))
            #expect(error.localizedDescription.contains("window 9"))
        }
        #expect(throws: CompressionError.self) { try CompressionPolicy(gzipLevel: -1).validate() }
        #expect(throws: CompressionError.self) { try CompressionPolicy(brotliQuality: 99).validate() }
        try CompressionPolicy().validate()
        // Settings of a disabled codec do not matter.
        try CompressionPolicy(encodings: [.brotli], gzipLevel: 42).validate()
        #expect(throws: CompressionError.self) {
            try CompressionPolicy(gzipLevel: 10).variants(for: Self.smallText, logicalPath: "a.css")
        }
    }

    @Test func settingsFingerprints() {
        let policy = CompressionPolicy()
        #expect(policy.settingsFingerprint(for: .brotli, kind: .text) == "br:q11:w22:text")
        #expect(policy.settingsFingerprint(for: .brotli, kind: .font) == "br:q11:w22:font")
        #expect(policy.settingsFingerprint(for: .gzip, kind: .text) == "gz:l9")
        let css = policy.settingsFingerprint(forPath: "css/app.css")
        #expect(css.hasPrefix("br:q11:w22:text+gz:l9;keep<=0.95;brotli-"))
        #expect(css.contains(";zlib-"))
        #expect(css == CompressionPolicy().settingsFingerprint(forPath: "other/x.js"))
        #expect(css != policy.settingsFingerprint(forPath: "blob.bin"))
        #expect(css != CompressionPolicy(brotliQuality: 10).settingsFingerprint(forPath: "css/app.css"))
        #expect(css != CompressionPolicy(gzipLevel: 6).settingsFingerprint(forPath: "css/app.css"))
        #expect(
            css != CompressionPolicy(encodings: [.brotli]).settingsFingerprint(forPath: "css/app.css"))
        #expect(css != CompressionPolicy(maximumRatio: 0.9).settingsFingerprint(forPath: "css/app.css"))
    }
}
