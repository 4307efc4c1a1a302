import Foundation
import StaticAssets
import TestSupport
import Testing

@Suite struct AssetResolverTests {
    let manifest = Manifest(
        paths: [
            "css/app.css": "css/app.3f2a9c1b7d4e.css",
            "img/café au lait.png": "img/café au lait.0123456789ab.png",
            "odd/100%.txt": "odd/100%.aaaaaaaaaaaa.txt",
        ],
        hash: "deadbeef0000",
        files: [
            "css/app.3f2a9c1b7d4e.css": ManifestEntry(
                size: 12, integrity: "sha384-abc", encodings: [.brotli: ManifestVariant(size: 5)])
        ]
    )

    @Test func resolvesHashedURL() throws {
        let resolver = AssetResolver(manifest: manifest)
        #expect(try resolver.url(for: "css/app.css") == "/static/css/app.3f2a9c1b7d4e.css")
        #expect(try resolver.url(for: "/css/app.css") == "/static/css/app.3f2a9c1b7d4e.css")
    }

    @Test func keepsQueryAndFragment() throws {
        let resolver = AssetResolver(manifest: manifest)
        #expect(try resolver.url(for: "css/app.css?v=2#top") == "/static/css/app.3f2a9c1b7d4e.css?v=2#top")
    }

    @Test func percentEncodesLikeDjangoFilepathToURI() throws {
        let resolver = AssetResolver(manifest: manifest, staticURL: "https://cdn.example.com/static/")
        #expect(
            try resolver.url(for: "img/café au lait.png")
                == "https://cdn.example.com/static/img/caf%C3%A9%20au%20lait.0123456789ab.png")
        #expect(try resolver.url(for: "odd/100%.txt") == "https://cdn.example.com/static/odd/100%25.aaaaaaaaaaaa.txt")
    }

    @Test func strictModeThrowsTypedErrorNamingTheEntry() {
        let resolver = AssetResolver(manifest: manifest)
        #expect(throws: AssetLookupError.notInManifest(name: "css/missing.css")) {
            try resolver.url(for: "css/missing.css")
        }
        let message = "\(AssetLookupError.notInManifest(name: "css/missing.css"))"
        #expect(message.contains("css/missing.css"))
    }

    @Test func debugModeReturnsUnhashedURL() throws {
        let resolver = AssetResolver(manifest: manifest, mode: .debug)
        #expect(try resolver.url(for: "css/app.css") == "/static/css/app.css")
        #expect(try resolver.url(for: "css/missing.css") == "/static/css/missing.css")
    }

    @Test func integrityAndEntry() throws {
        let resolver = AssetResolver(manifest: manifest)
        #expect(try resolver.integrity(for: "css/app.css") == "sha384-abc")
        #expect(try resolver.entry(for: "css/app.css")?.encodings == [.brotli: ManifestVariant(size: 5)])
    }

    @Test func loadsManifestFromPathAndRejectsCorruptOrWrongVersion() throws {
        let dir = TestSupport.temporaryDirectory("manifest")
        let good = dir.appendingPathComponent("good.json")
        TestSupport.write(
            #"{"paths": {"a.css": "a.0123456789ab.css"}, "version": "1.1", "hash": "x"}"#, to: good)
        let resolver = try AssetResolver(manifestPath: good.path)
        #expect(try resolver.url(for: "a.css") == "/static/a.0123456789ab.css")

        let corrupt = dir.appendingPathComponent("corrupt.json")
        TestSupport.write("{\"paths\": {", to: corrupt)
        #expect(throws: ManifestError.self) { try AssetResolver(manifestPath: corrupt.path) }
        do {
            _ = try AssetResolver(manifestPath: corrupt.path)
        } catch {
            #expect("\(error)".contains("corrupt manifest"))
        }

        let wrongVersion = dir.appendingPathComponent("v2.json")
        TestSupport.write(#"{"paths": {}, "version": "2.0"}"#, to: wrongVersion)
        #expect(throws: ManifestError.unsupportedVersion(source: wrongVersion.path, version: "2.0")) {
            try AssetResolver(manifestPath: wrongVersion.path)
        }
        let missing = dir.appendingPathComponent("none.json").path
        #expect(
            throws: ManifestError.unreadable(
                path: missing, reason: "no such file; run `collectstatic --noinput` first to collect the static files")
        ) {
            try AssetResolver(manifestPath: missing)
        }
        #expect(throws: ManifestError.unreadable(path: dir.path, reason: "it is a directory")) {
            try AssetResolver(manifestPath: dir.path)
        }
    }

    @Test func reloadSwapsWhileReadersRun() async throws {
        let first = Manifest(paths: ["a.css": "a.111111111111.css"], hash: "1")
        let second = Manifest(paths: ["a.css": "a.222222222222.css"], hash: "2")
        let resolver = AssetResolver(manifest: first)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<5_000 {
                        let url = try resolver.url(for: "a.css")
                        #expect(url == "/static/a.111111111111.css" || url == "/static/a.222222222222.css")
                    }
                }
            }
            group.addTask {
                for index in 0..<1_000 { resolver.reload(index.isMultiple(of: 2) ? second : first) }
            }
            try await group.waitForAll()
        }
        // The last reload (index 999) installed `first`; one more must take effect at once.
        resolver.reload(second)
        #expect(try resolver.url(for: "a.css") == "/static/a.222222222222.css")
    }
}
