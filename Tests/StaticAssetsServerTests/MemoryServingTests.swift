import Crypto
import Foundation
import StaticAssets
import Testing

@testable import StaticAssetsServer

/// Small hashed files served from memory: the same status, fields and bytes as from disk, within the
/// limits, proven against the manifest, and dropped on reload.
@Suite struct MemoryServingTests {
    static let small = "css/app.3f2a9c1b7d4e.css"
    static let large = "js/big.0123456789ab.js"

    /// A STATIC_ROOT whose manifest carries real digests (SRI `sha384-…` of each file, `sha256` of each
    /// variant, made with swift-crypto): a 3 KB stylesheet with `.br`/`.gz`, a 100 KB script with
    /// `.gz`, an image without variants, and the unhashed original of the stylesheet.
    struct Site {
        let root: URL
        let resolver: AssetResolver

        init() throws {
            root = StaticRootFixture.temporaryDirectory("memory")
            let css = Data(String(repeating: ".card { display: flex; padding: 4px; color: #333; }\n", count: 60).utf8)
            let js = Data((0..<4000).map { "console.log(\"line \($0)\");\n" }.joined().utf8)
            let files: [String: (Data, [String: Data])] = [
                "css/app.css": (css, ["br": Data("BR-ORIGINAL".utf8)]),
                MemoryServingTests.small: (css, ["br": Data("BR-CSS-BYTES".utf8), "gzip": Data("GZ-CSS".utf8)]),
                MemoryServingTests.large: (js, ["gzip": Data(repeating: 7, count: 70_000)]),
                "img/logo.aaaaaaaaaaaa.png": (Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]), [:]),
            ]
            var entries: [String: Any] = [:]
            for (name, (content, variants)) in files {
                StaticRootFixture.write(content, to: root.appendingPathComponent(name))
                entries[name] = Self.entry(content, variants: variants)
                for (token, bytes) in variants {
                    StaticRootFixture.write(
                        bytes, to: root.appendingPathComponent(name + (token == "br" ? ".br" : ".gz")))
                }
            }
            let manifest: [String: Any] = [
                "paths": [
                    "css/app.css": MemoryServingTests.small, "js/big.js": MemoryServingTests.large,
                    "img/logo.png": "img/logo.aaaaaaaaaaaa.png",
                ],
                "version": "1.1", "hash": "0123456789ab", "files": entries,
            ]
            let url = root.appendingPathComponent("staticfiles.json")
            StaticRootFixture.write(try JSONSerialization.data(withJSONObject: manifest), to: url)
            resolver = try AssetResolver(manifestPath: url.path)
        }

        static func entry(_ content: Data, variants: [String: Data]) -> [String: Any] {
            [
                "size": content.count, "integrity": "sha384-" + Data(SHA384.hash(data: content)).base64EncodedString(),
                "encodings": variants.mapValues { ["size": $0.count, "sha256": hex(SHA256.hash(data: $0))] },
            ]
        }

        static func hex(_ digest: some Sequence<UInt8>) -> String {
            digest.map { String(format: "%02x", $0) }.joined()
        }

        func responder(_ memory: MemoryLimits = MemoryLimits()) -> StaticFileResponder {
            StaticFileResponder(staticRoot: root.path, resolver: resolver, options: .init(memory: memory))
        }

        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
    }

    /// The body's bytes, wherever they come from.
    static func bytes(_ body: StaticResponse.Body) throws -> [UInt8] {
        switch body {
        case .none: return []
        case .memory(let bytes, let range): return Array(bytes[range])
        case .file(let file, let range):
            return file.read(offset: range.lowerBound, count: range.count) ?? []
        }
    }

    static func isFromMemory(_ response: StaticResponse?) -> Bool {
        if case .memory = response?.body { return true }
        return false
    }

    @Test func sha2MatchesSwiftCrypto() {
        var random = SystemRandomNumberGenerator()
        for length in Array(0..<300) + [1000, 65_536, 100_003] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(SHA2.sha256(message) == Array(SHA256.hash(data: message)), "length \(length)")
            #expect(SHA2.sha384(message) == Array(SHA384.hash(data: message)), "length \(length)")
        }
    }

    /// Every request, once from a responder with memory and once from one without: the same status,
    /// the same fields in the same order, the same body bytes; the small hashed ones from memory.
    @Test func sameResponsesFromMemoryAndFromDisk() throws {
        let site = try Site()
        let memory = site.responder()
        let disk = site.responder(.disabled)
        let identity = try #require(disk.respond(to: get("/static/" + Self.small)))
        let etag = try #require(identity.header("ETag"))
        let lastModified = try #require(identity.header("Last-Modified"))
        let headerSets: [[(name: String, value: String)]] = [
            [], [("Accept-Encoding", "br")], [("Accept-Encoding", "gzip, br")], [("Accept-Encoding", "gzip")],
            [("Accept-Encoding", "identity;q=0")], [("Accept-Encoding", "br;q=0, gzip;q=0")],
            [("If-None-Match", etag)], [("If-None-Match", "\"other\"")], [("If-Modified-Since", lastModified)],
            [("Range", "bytes=10-99")], [("Range", "bytes=-20")], [("Range", "bytes=999999-")],
            [("Range", "bytes=0-4"), ("If-Range", etag)], [("Range", "bytes=0-4"), ("If-Range", "\"stale\"")],
            [("Range", "bytes=0-4"), ("Accept-Encoding", "br")],
        ]
        let names = [
            Self.small, Self.large, "img/logo.aaaaaaaaaaaa.png", "css/app.css", "css/missing.css",
            "css/%61pp.3f2a9c1b7d4e.css", "css/app.3f2a9c1b7d4e.css%2e", "css/../css/app.3f2a9c1b7d4e.css",
        ]
        var fromMemory = 0
        for name in names {
            for headers in headerSets {
                for method in ["GET", "HEAD"] {
                    let request = get("/static/" + name, headers, method: method)
                    let expected = try #require(disk.respond(to: request))
                    let actual = try #require(memory.respond(to: request))
                    let label = "\(method) \(name) \(headers)"
                    #expect(actual.status == expected.status, "\(label)")
                    #expect(actual.headers.map(\.name) == expected.headers.map(\.name), "\(label)")
                    #expect(actual.headers.map(\.value) == expected.headers.map(\.value), "\(label)")
                    #expect(try Self.bytes(actual.body) == (try Self.bytes(expected.body)), "\(label)")
                    if Self.isFromMemory(actual) { fromMemory += 1 }
                    if case .memory = expected.body { Issue.record("memory with .disabled: \(label)") }
                }
            }
        }
        #expect(fromMemory > 10)
        // The small hashed stylesheet and its variants, the image: from memory. The 100 KB script
        // (over 64 KB) and the unhashed original: from disk. The script's 70 KB `.gz` is over the
        // limit too.
        let small = memory.respond(to: get("/static/" + Self.small, [("Accept-Encoding", "br")]))
        #expect(small?.body == .memory(Array("BR-CSS-BYTES".utf8), range: 0..<12))
        #expect(Self.isFromMemory(memory.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png"))))
        #expect(
            memory.respond(to: get("/static/" + Self.large))?.body
                == diskBody(
                    site.path(Self.large),
                    0..<(try Data(contentsOf: URL(fileURLWithPath: site.path(Self.large))).count)))
        #expect(!Self.isFromMemory(memory.respond(to: get("/static/" + Self.large, [("Accept-Encoding", "gzip")]))))
        #expect(!Self.isFromMemory(memory.respond(to: get("/static/css/app.css"))))
        #expect(!Self.isFromMemory(memory.respond(to: get("/static/css/app.css", [("Accept-Encoding", "br")]))))
    }

    @Test func perFileLimitAndTotalBudgetAreRespected() throws {
        let site = try Site()
        let cssSize = try Data(contentsOf: URL(fileURLWithPath: site.path(Self.small))).count
        // Per file: the 3 KB stylesheet is over a 1 KB limit, its 12-byte `.br` is not.
        let tight = site.responder(MemoryLimits(maxFileSize: 1024))
        #expect(!Self.isFromMemory(tight.respond(to: get("/static/" + Self.small))))
        #expect(Self.isFromMemory(tight.respond(to: get("/static/" + Self.small, [("Accept-Encoding", "br")]))))
        #expect(tight.bytesInMemory == 12)
        // In total: room for the stylesheet, not for the image as well; the larger script fits its
        // per-file limit but never the budget.
        let budget = site.responder(MemoryLimits(maxFileSize: 1024 * 1024, totalSize: cssSize + 3))
        #expect(Self.isFromMemory(budget.respond(to: get("/static/" + Self.small))))
        #expect(!Self.isFromMemory(budget.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png"))))
        #expect(!Self.isFromMemory(budget.respond(to: get("/static/" + Self.large))))
        #expect(budget.bytesInMemory == cssSize)
        for _ in 0..<3 {
            #expect(Self.isFromMemory(budget.respond(to: get("/static/" + Self.small))))
            #expect(budget.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png"))?.status == 200)
        }
        #expect(budget.bytesInMemory == cssSize)
        // Default limits: 64 KB per file, 64 MB in all.
        #expect(MemoryLimits() == MemoryLimits(maxFileSize: 65_536, totalSize: 67_108_864))
    }

    /// Bytes that are not what the manifest says (size or digest) are never held: they are served from
    /// disk, exactly as without memory.
    @Test func bytesThatDoNotMatchTheManifestAreServedFromDisk() throws {
        let site = try Site()
        // Same size, other bytes: only the digest can tell.
        StaticRootFixture.write(Data("BR-CSS-BYTEZ".utf8), to: URL(fileURLWithPath: site.path(Self.small + ".br")))
        let content = try Data(contentsOf: URL(fileURLWithPath: site.path(Self.small)))
        var changed = content
        changed[0] = UInt8(ascii: "#")
        StaticRootFixture.write(changed, to: URL(fileURLWithPath: site.path(Self.small)))
        let responder = site.responder()
        let br = responder.respond(to: get("/static/" + Self.small, [("Accept-Encoding", "br")]))
        #expect(br?.body == diskBody(site.path(Self.small + ".br"), 0..<12))
        #expect(!Self.isFromMemory(responder.respond(to: get("/static/" + Self.small))))
        #expect(Self.isFromMemory(responder.respond(to: get("/static/" + Self.small, [("Accept-Encoding", "gzip")]))))
        // No digest to check against: a variant recorded without `sha256` (older manifests), a
        // manifest written by Django itself (no `files`).
        var manifest = site.resolver.manifest
        manifest.files[Self.small]?.encodings[.gzip]?.sha256 = nil
        let older = StaticFileResponder(staticRoot: site.root.path, resolver: AssetResolver(manifest: manifest))
        #expect(!Self.isFromMemory(older.respond(to: get("/static/" + Self.small, [("Accept-Encoding", "gzip")]))))
        let django = StaticFileResponder(
            staticRoot: site.root.path, resolver: AssetResolver(manifest: Manifest(paths: manifest.paths, hash: "x")))
        let plain = django.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png"))
        #expect(plain?.status == 200)
        #expect(!Self.isFromMemory(plain))
        #expect(older.bytesInMemory == 0 && django.bytesInMemory == 0)
        // Fake SRI values (the other fixtures): nothing is held.
        let fake = StaticRootFixture().responder()
        #expect(!Self.isFromMemory(fake.respond(to: get("/static/css/app.3f2a9c1b7d4e.css"))))
        #expect(fake.bytesInMemory == 0)
    }

    /// A reload empties the cache: the new release's bytes and fields are served, not the ones read
    /// before. (Rewriting a hashed file in place never happens in a real deploy; it is the way to see
    /// whether stale bytes survive a reload.)
    @Test func reloadDropsWhatWasReadBefore() throws {
        let site = try Site()
        let responder = site.responder()
        let before = try #require(responder.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png")))
        #expect(try Self.bytes(before.body) == [0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
        #expect(Self.isFromMemory(before))
        let replacement = Data([0x89, 0x50, 0x4E, 0x47, 9, 9, 9, 9, 9])
        StaticRootFixture.write(replacement, to: URL(fileURLWithPath: site.path("img/logo.aaaaaaaaaaaa.png")))
        var manifest = site.resolver.manifest
        manifest.files["img/logo.aaaaaaaaaaaa.png"] = ManifestEntry(
            size: replacement.count, integrity: "sha384-" + Data(SHA384.hash(data: replacement)).base64EncodedString())
        site.resolver.reload(manifest)
        let after = try #require(responder.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png")))
        #expect(Self.isFromMemory(after))
        #expect(try Self.bytes(after.body) == Array(replacement))
        #expect(after.header("Content-Length") == "9")
        #expect(after.header("ETag") != before.header("ETag"))
        #expect(responder.bytesInMemory == replacement.count)
        let disk = try #require(site.responder(.disabled).respond(to: get("/static/img/logo.aaaaaaaaaaaa.png")))
        #expect(after.headers.map(\.value) == disk.headers.map(\.value))
    }

    @Test func developmentModeHoldsNothing() throws {
        let site = try Site()
        let lookup = SourceRootLookup(roots: [(nil, site.root.path)])
        let responder = StaticFileResponder(development: lookup)
        #expect(!Self.isFromMemory(responder.respond(to: get("/static/" + Self.small))))
        #expect(responder.bytesInMemory == 0)
    }
}
