import Crypto
import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

/// `dcb` deltas (RFC 9842, brotli with a shared dictionary) exist only where the libbrotli collect
/// was built against has shared dictionaries (1.1.0 and later). pkg-config, which SwiftPM asked for
/// the library's flags, is the oracle for which library that was.
@Suite("dcb deltas")
struct BrotliDictionaryDeltaTests {
    /// `pkg-config --modversion libbrotlienc` as (major, minor, patch).
    static func pkgConfigVersion() throws -> (String, [Int]) {
        let result = TestSupport.run("/usr/bin/env", ["pkg-config", "--modversion", "libbrotlienc"])
        try #require(result.status == 0, "pkg-config --modversion libbrotlienc: \(result.stderr)")
        let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: ".").map { Int($0) ?? 0 }
        return (text, parts + Array(repeating: 0, count: max(0, 3 - parts.count)))
    }

    @Test(
        "dcb is available exactly when pkg-config reports libbrotlienc 1.1.0 or later",
        .enabled(if: Requirement.tool("pkg-config"), "pkg-config is not installed"))
    func availabilityFollowsPkgConfig() throws {
        let (text, version) = try Self.pkgConfigVersion()
        // The oracle describes the library we linked.
        #expect(
            BrotliCompressor.libraryVersion == text, "linked \(BrotliCompressor.libraryVersion), pkg-config \(text)")
        let expected = version.lexicographicallyPrecedes([1, 1, 0]) == false
        #expect(BrotliDictionaryDelta.isAvailable == expected, "libbrotlienc \(text)")
        #expect((BrotliDictionaryDelta.maximumDictionarySize(window: 24) > 0) == expected)
    }

    @Test(
        "collect writes dcb deltas next to dcz only where libbrotli has shared dictionaries",
        .enabled(if: Requirement.tool("pkg-config"), "pkg-config is not installed"))
    func collectMakesDcbOnlyWhereAvailable() async throws {
        let (text, version) = try Self.pkgConfigVersion()
        let available = version.lexicographicallyPrecedes([1, 1, 0]) == false
        let v1 = DictionaryDeltaTests.script()
        let v2 = DictionaryDeltaTests.script(edit: "console.log('release 2');\n")
        let ws = Workspace(["js/app.js": ""])
        let settings = { (configuration: inout Configuration) in
            configuration.compression = CompressionPolicy(brotliQuality: 5)
        }
        ws.write("js/app.js", bytes: v1)
        try await ws.collect(CollectOptions(), settings)
        ws.write("js/app.js", bytes: v2)
        let report = try await ws.collect(CollectOptions(), settings)
        let manifest = try ws.manifest()
        let hashed = manifest.paths["js/app.js"]!
        let key = SHA256.hash(data: v1).hexString
        let entry = try #require(manifest.files[hashed])
        #expect(entry.deltas[key] != nil, "a dcz is made everywhere")
        let encode = try BrotliDictionaryDelta.encode(v2, dictionary: v1, quality: 5, window: 22, kind: .text)
        guard available else {
            #expect(report.deltasWritten == 1)
            #expect(entry.dcbDeltas.isEmpty, "libbrotlienc \(text) has no shared dictionaries")
            #expect(!ws.outputFiles.contains { $0.hasSuffix(".dcb") })
            #expect(encode == nil)
            #expect(!String(decoding: ManifestWriter.encode(manifest), as: UTF8.self).contains("\"dcb\""))
            return
        }
        #expect(report.deltasWritten == 2)
        let delta = try #require(entry.dcbDeltas[key])
        let name = ManifestEntry.deltaName(of: hashed, dictionary: key, coding: .dcb)
        let body = [UInt8](try Data(contentsOf: ws.staticRoot.appendingPathComponent(name)))
        #expect(body.count == delta.size && SHA256.hash(data: body).hexString == delta.sha256)
        #expect(Array(body.prefix(4)) == [0xFF, 0x44, 0x43, 0x42])
        #expect(Array(body[4..<36]) == Array(SHA256.hash(data: v1)))
        #expect(BrotliDictionaryDelta.proves(body, file: v2, dictionary: v1))
        #expect(!BrotliDictionaryDelta.proves(body, file: v2, dictionary: v2))
        #expect(delta.size * 10 < entry.encodings[.brotli]!.size)
    }

    @Test func dcbNames() throws {
        let key = String(repeating: "cd", count: 32)
        let name = ManifestEntry.deltaName(of: "js/app.3f2a.js", dictionary: key, coding: .dcb)
        #expect(name == "js/app.3f2a.js.cdcdcdcdcdcdcdcd.dcb")
        #expect(ManifestEntry.deltaBase(of: name) == "js/app.3f2a.js")
        #expect(ReleasePlanner.variantBase(of: name) == "js/app.3f2a.js")
        let entry = ManifestEntry(
            size: 10, integrity: "sha384-x", deltas: [key: ManifestVariant(size: 3, sha256: "a")],
            dcbDeltas: [key: ManifestVariant(size: 2, sha256: "b")])
        #expect(
            entry.companionNames(of: "js/app.3f2a.js") == [
                "js/app.3f2a.js.cdcdcdcdcdcdcdcd.dcz", "js/app.3f2a.js.cdcdcdcdcdcdcdcd.dcb",
            ])
        // Written and read back under "dcb".
        let manifest = Manifest(paths: [:], hash: "h", files: ["js/app.3f2a.js": entry])
        let bytes = ManifestWriter.encode(manifest)
        #expect(
            String(decoding: bytes, as: UTF8.self).contains("\"dcb\": {\"\(key)\": {\"size\": 2, \"sha256\": \"b\"}}"))
        #expect(try Manifest(data: Data(bytes)).files["js/app.3f2a.js"] == entry)
    }
}
