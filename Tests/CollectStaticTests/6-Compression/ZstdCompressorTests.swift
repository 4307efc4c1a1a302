import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

/// zstd variants: our libzstd output decoded by the `zstd` CLI, the RFC 9659 window cap, and the rule
/// that keeps a `.zst` only when it beats the `.gz` beside it.
@Suite("zstd variants")
struct ZstdCompressorTests {
    @Test(
        "zstd output decodes with the zstd CLI at every level tried",
        .enabled(if: Requirement.tool("zstd"), "the zstd command is not installed (Debian package zstd)"),
        arguments: CompressorTests.Sample.allCases)
    func roundTrip(sample: CompressorTests.Sample) throws {
        for level in [1, 3, 19, 22] {
            let compressed = try ZstdCompressor(level: level).compress(sample.bytes, kind: .text)
            #expect(try ZstdTool.decode(compressed) == sample.bytes, "level \(level)")
        }
    }

    @Test(
        "the window stays within RFC 9659's 8 MiB even at level 22 on a 9 MB file",
        .enabled(if: Requirement.tool("zstd"), "the zstd command is not installed (Debian package zstd)"))
    func windowCap() throws {
        var input = CompressorTests.largeText
        while input.count < 9_000_000 { input += CompressorTests.pseudoRandomBytes(count: 1_000_000, seed: 3) }
        let compressed = try ZstdCompressor(level: 22).compress(input)
        // A decoder limited to an 8 MiB window accepts it.
        #expect(try ZstdTool.decode(compressed, memory: "8MB") == input)
        // And the limit is real: a frame with a 16 MiB window is refused by that decoder.
        let wide = try ZstdCompressor.compress(input, level: 3, windowLog: 24, prefix: nil)
        #expect(throws: ZstdTool.Failure.self) { try ZstdTool.decode(wide, memory: "8MB") }
    }

    @Test func rejectsLevelsOutOfRange() {
        #expect(throws: CompressionError.invalidParameter(.zstd, name: "level", value: 23, allowed: 1...22)) {
            try ZstdCompressor(level: 23).compress([1, 2, 3])
        }
        #expect(throws: CompressionError.self) {
            try CompressionPolicy(encodings: [.zstd], zstdLevel: 0).validate()
        }
    }

    @Test func encodingVocabulary() {
        #expect(ContentEncoding.allCases == [.brotli, .zstd, .gzip, .identity])
        #expect(ContentEncoding.zstd.fileSuffix == ".zst")
        #expect(ContentEncoding.zstd.token == "zstd")
        #expect(ContentEncoding(token: "ZSTD") == .zstd)
    }

    @Test("a .zst is kept only when smaller than the .gz beside it")
    func keepRule() throws {
        let policy = CompressionPolicy(encodings: [.brotli, .zstd, .gzip])
        let big = try policy.variants(for: CompressorTests.largeText, logicalPath: "css/big.css")
        #expect(Set(big.keys) == [.brotli, .zstd, .gzip])
        #expect(big[.zstd]!.count < big[.gzip]!.count)
        #expect(big[.brotli]!.count < big[.zstd]!.count)

        // A codec standing in for a zstd that loses to gzip: its output is dropped.
        struct Bloated: Compressor {
            var encoding: ContentEncoding { .zstd }
            func compress(_ input: [UInt8], kind: ContentKind) throws -> [UInt8] { input + input }
        }
        let lost = try CompressionPolicy(encodings: [.zstd, .gzip], maximumRatio: 100).selectVariants(
            of: CompressorTests.largeText, kind: .text, using: [Bloated(), GzipCompressor()])
        #expect(Set(lost.keys) == [.gzip])
        // With zstd alone there is no gzip to beat: the ratio rule alone decides.
        let alone = try CompressionPolicy(encodings: [.zstd]).variants(
            for: CompressorTests.largeText, logicalPath: "css/big.css")
        #expect(Set(alone.keys) == [.zstd])
    }

    @Test func settingsFingerprintNamesLevelAndLibrary() {
        let policy = CompressionPolicy(encodings: [.zstd, .gzip], zstdLevel: 12)
        #expect(policy.settingsFingerprint(forPath: "a.css").hasPrefix("zst:l12+gz:l9;"))
        #expect(policy.settingsFingerprint(forPath: "a.css").contains("zstd-\(ZstdCompressor.libraryVersion)"))
    }
}
