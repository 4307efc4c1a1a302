import Foundation
import StaticAssets
import StaticAssetsServer
import Testing

@Suite struct ResponderTests {
    let fixture = StaticRootFixture()
    var responder: StaticFileResponder { fixture.responder() }

    @Test func servesHashedIdentityWithAllHeaders() throws {
        let response = try #require(responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css")))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/css; charset=utf-8")
        #expect(response.header("Content-Length") == "\(StaticRootFixture.css.count)")
        #expect(response.header("Content-Encoding") == nil)
        #expect(response.header("Cache-Control") == "public, max-age=31536000, immutable")
        #expect(response.header("Vary") == "Accept-Encoding")
        #expect(response.header("Accept-Ranges") == "bytes")
        #expect(response.header("ETag")?.hasPrefix("\"") == true)
        #expect(response.header("Last-Modified")?.hasSuffix(" GMT") == true)
        #expect(
            response.body
                == diskBody(fixture.path("css/app.3f2a9c1b7d4e.css"), 0..<StaticRootFixture.css.count))
    }

    @Test func negotiatesPrecompressedVariants() throws {
        let br = try #require(
            responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css", [("accept-encoding", "gzip, br")])))
        #expect(br.header("Content-Encoding") == "br")
        #expect(br.header("Content-Length") == "6")
        #expect(br.header("Content-Type") == "text/css; charset=utf-8")
        #expect(br.body == diskBody(fixture.path("css/app.3f2a9c1b7d4e.css.br"), 0..<6))
        let gzip = try #require(
            responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css", [("Accept-Encoding", "gzip")])))
        #expect(gzip.header("Content-Encoding") == "gzip")
        #expect(gzip.body == diskBody(fixture.path("css/app.3f2a9c1b7d4e.css.gz"), 0..<12))
        let identity = try #require(responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css")))
        // A strong ETag per representation, derived from the manifest's SRI value.
        let tags = [br, gzip, identity].compactMap { $0.header("ETag") }
        #expect(Set(tags).count == 3)
        #expect(tags.allSatisfy { !$0.hasPrefix("W/") })
        #expect(identity.header("ETag") == "\"\(StaticRootFixture.fakeDigest("css/app.3f2a9c1b7d4e.css").prefix(32))\"")
    }

    @Test func fileWithoutVariantsHasNoVary() throws {
        let response = try #require(
            responder.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png", [("Accept-Encoding", "br")])))
        #expect(response.status == 200)
        #expect(response.header("Vary") == nil)
        #expect(response.header("Content-Type") == "image/png")
        #expect(response.header("Content-Encoding") == nil)
    }

    @Test func unhashedNamesGetShortMaxAge() throws {
        let response = try #require(responder.respond(to: get("/static/css/app.css", [("Accept-Encoding", "br")])))
        #expect(response.status == 200)
        #expect(response.header("Cache-Control") == "public, max-age=60")
        #expect(response.header("Content-Encoding") == "br")
        let custom = fixture.responder(.init(cachePolicy: .unhashedMaxAge(5)))
        #expect(custom.respond(to: get("/static/css/app.css"))?.header("Cache-Control") == "public, max-age=5")
    }

    @Test func hashedNamesWithoutOrWithSeveralExtensions() throws {
        #expect(
            responder.respond(to: get("/static/LICENSE.bbbbbbbbbbbb"))?.header("Cache-Control")?.contains("immutable")
                == true)
        let latte = try #require(responder.respond(to: get("/static/odd/caf%C3%A9%20au%20lait.cccccccccccc.txt")))
        #expect(latte.status == 200)
        #expect(latte.header("Cache-Control")?.contains("immutable") == true)
        #expect(latte.header("Content-Type") == "text/plain; charset=utf-8")
    }

    @Test func unknownNamesAre404NoCacheEvenIfOnDisk() throws {
        StaticRootFixture.write("stray", to: fixture.root.appendingPathComponent("css/stray.css"))
        for path in [
            "/static/css/missing.css", "/static/css/stray.css", "/static/", "/static/css/app.3f2a9c1b7d4e.css.br",
        ] {
            let response = try #require(responder.respond(to: get(path)), "\(path)")
            #expect(response.status == 404, "\(path)")
            #expect(response.header("Cache-Control") == "no-cache", "\(path)")
            #expect(response.body == .none)
        }
    }

    @Test func pathsOutsideStaticURLAreNotOurs() {
        #expect(responder.respond(to: get("/")) == nil)
        #expect(responder.respond(to: get("/static")) == nil)
        #expect(responder.respond(to: get("/staticfoo/css/app.css")) == nil)
        #expect(responder.respond(to: get("/api/static/css/app.css")) == nil)
        #expect(responder.handles(path: "/static/x"))
        #expect(!responder.handles(path: "/other"))
    }

    @Test func queryStringIsIgnored() throws {
        #expect(responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css?v=1"))?.status == 200)
    }

    @Test func refusesTraversalEncodedSeparatorsAndDotfiles() throws {
        // Things that exist on disk (or would, after traversal) but must never be served.
        StaticRootFixture.write("SECRET=1", to: fixture.root.appendingPathComponent(".env"))
        StaticRootFixture.write("x", to: fixture.root.appendingPathComponent("css/.hidden.css"))
        let outside = fixture.root.deletingLastPathComponent().appendingPathComponent(
            "outside-\(UUID().uuidString).txt")
        StaticRootFixture.write("outside", to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        let attempts = [
            "/static/.env", "/static/css/.hidden.css", "/static/../\(outside.lastPathComponent)",
            "/static/%2e%2e/\(outside.lastPathComponent)", "/static/%2E%2E/\(outside.lastPathComponent)",
            "/static/css/..%2fcss/app.3f2a9c1b7d4e.css", "/static/css%2fapp.3f2a9c1b7d4e.css",
            "/static/css%2Fapp.3f2a9c1b7d4e.css", "/static/css\\app.3f2a9c1b7d4e.css",
            "/static/css%5capp.3f2a9c1b7d4e.css", "/static/css/app.3f2a9c1b7d4e.css%00",
            "/static/css/app.3f2a9c1b7d4e.css%00.png", "/static/./css/app.3f2a9c1b7d4e.css",
            "/static/css//app.3f2a9c1b7d4e.css", "/static//etc/passwd", "/static/css/", "/static/css",
            "/static/%zz", "/static/%c3", "/static/%", "/static/staticfiles.json", "/static/%2estaticfiles.json",
        ]
        // The manifest lists them too, so that only the name guard stands between them and a 200.
        var manifest = fixture.resolver.manifest
        for name in [".env", "css/.hidden.css", "../\(outside.lastPathComponent)", "css/../css/app.3f2a9c1b7d4e.css"] {
            manifest.files[name] = ManifestEntry(size: 7, integrity: "sha384-x")
        }
        fixture.resolver.reload(manifest)
        for path in attempts {
            let response = try #require(responder.respond(to: get(path)), "\(path)")
            #expect(response.status == 404, "\(path)")
            #expect(response.body == .none, "\(path)")
        }
    }

    @Test func refusesDotfilesAndDirectoriesEvenWhenTheManifestListsThem() throws {
        StaticRootFixture.write("x", to: fixture.root.appendingPathComponent(".well-known/x.txt"))
        try FileManager.default.createDirectory(
            at: fixture.root.appendingPathComponent("dir"), withIntermediateDirectories: true)
        var manifest = fixture.resolver.manifest
        manifest.files[".well-known/x.txt"] = ManifestEntry(size: 1, integrity: "sha384-x")
        manifest.files["dir"] = ManifestEntry(size: 1, integrity: "sha384-y")
        fixture.resolver.reload(manifest)
        #expect(responder.respond(to: get("/static/.well-known/x.txt"))?.status == 404)
        #expect(responder.respond(to: get("/static/dir"))?.status == 404)
    }

    @Test func symlinksMustStayInsideTheRoot() throws {
        let outside = StaticRootFixture.temporaryDirectory("outside")
        StaticRootFixture.write("body{}", to: outside.appendingPathComponent("evil.css"))
        let fm = FileManager.default
        try fm.createSymbolicLink(
            atPath: fixture.path("css/evil.css"), withDestinationPath: outside.appendingPathComponent("evil.css").path)
        try fm.createSymbolicLink(atPath: fixture.path("css/alias.css"), withDestinationPath: "app.3f2a9c1b7d4e.css")
        try fm.createSymbolicLink(atPath: fixture.path("linked"), withDestinationPath: outside.path)
        var manifest = fixture.resolver.manifest
        for name in ["css/evil.css", "css/alias.css", "linked/evil.css"] {
            manifest.files[name] = ManifestEntry(size: 6, integrity: "sha384-z")
        }
        fixture.resolver.reload(manifest)
        #expect(responder.respond(to: get("/static/css/evil.css"))?.status == 404)
        #expect(responder.respond(to: get("/static/linked/evil.css"))?.status == 404)
        let alias = try #require(responder.respond(to: get("/static/css/alias.css")))
        #expect(alias.status == 200)
        #expect(
            alias.body == diskBody(fixture.path("css/app.3f2a9c1b7d4e.css"), 0..<StaticRootFixture.css.count))
        // A symlinked folder that stays inside the root is fine; so is a root reached through a symlink.
        try fm.createSymbolicLink(atPath: fixture.path("styles"), withDestinationPath: "css")
        manifest.files["styles/app.3f2a9c1b7d4e.css"] = ManifestEntry(size: 6, integrity: "sha384-s")
        fixture.resolver.reload(manifest)
        #expect(responder.respond(to: get("/static/styles/app.3f2a9c1b7d4e.css"))?.status == 200)
        let rootLink = outside.appendingPathComponent("root-link").path
        try fm.createSymbolicLink(atPath: rootLink, withDestinationPath: fixture.root.path)
        let viaLink = StaticFileResponder(staticRoot: rootLink, resolver: fixture.resolver)
        #expect(viaLink.respond(to: get("/static/css/app.3f2a9c1b7d4e.css"))?.status == 200)
        #expect(viaLink.respond(to: get("/static/css/evil.css"))?.status == 404)
        #expect(viaLink.respond(to: get("/static/styles/app.3f2a9c1b7d4e.css"))?.status == 200)
        // `collectstatic --link` leaves symlinks into the source roots: allowed only when trusted.
        let trusting = fixture.responder(.init(trustedSymlinkTargets: [outside.path]))
        #expect(trusting.respond(to: get("/static/css/evil.css"))?.status == 200)
    }

    @Test func manifestIsServedOnlyWhenAsked() throws {
        #expect(responder.respond(to: get("/static/staticfiles.json"))?.status == 404)
        let serving = fixture.responder(.init(serveManifest: true))
        let response = try #require(serving.respond(to: get("/static/staticfiles.json")))
        #expect(response.status == 200)
        #expect(response.header("Cache-Control") == "no-cache")
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
    }

    @Test func methodsOtherThanGetAndHeadAre405() throws {
        let response = try #require(responder.respond(to: get("/static/css/app.css", method: "POST")))
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, HEAD")
    }

    @Test func headHasHeadersButNoBody() throws {
        let head = try #require(
            responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css", [("Accept-Encoding", "br")], method: "HEAD")))
        let full = try #require(
            responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css", [("Accept-Encoding", "br")])))
        #expect(head.status == 200)
        #expect(head.body == .none)
        #expect(head.headers.map(\.name) == full.headers.map(\.name))
        #expect(head.headers.map(\.value) == full.headers.map(\.value))
    }

    @Test func notAcceptableOnlyWhenNothingIs() throws {
        let png = try #require(
            responder.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png", [("Accept-Encoding", "identity;q=0")])))
        #expect(png.status == 406)
        #expect(png.header("Vary") == nil)
        let css = try #require(
            responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css", [("Accept-Encoding", "*;q=0")])))
        #expect(css.status == 406)
        #expect(css.header("Vary") == "Accept-Encoding")
        #expect(css.header("Cache-Control") == "no-cache")
        let gz = try #require(
            responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css", [("Accept-Encoding", "identity;q=0, gzip")])))
        #expect(gz.status == 200)
        #expect(gz.header("Content-Encoding") == "gzip")
    }

    @Test func missingVariantOnDiskFallsBack() throws {
        try FileManager.default.removeItem(atPath: fixture.path("css/app.3f2a9c1b7d4e.css.br"))
        let response = try #require(
            responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css", [("Accept-Encoding", "br, gzip")])))
        #expect(response.status == 200)
        #expect(response.header("Content-Encoding") == "gzip")
    }

    @Test func manifestReloadIsPickedUp() throws {
        let path = "/static/js/app.fedcba987654.js"
        #expect(responder.respond(to: get(path))?.status == 404)
        StaticRootFixture.write("new()", to: fixture.root.appendingPathComponent("js/app.fedcba987654.js"))
        var manifest = fixture.resolver.manifest
        manifest.paths["js/app.js"] = "js/app.fedcba987654.js"
        manifest.files["js/app.fedcba987654.js"] = ManifestEntry(size: 5, integrity: "sha384-new")
        manifest.files["js/app.0123456789ab.js"] = nil
        fixture.resolver.reload(manifest)
        let fresh = try #require(responder.respond(to: get(path)))
        #expect(fresh.status == 200)
        #expect(fresh.header("Cache-Control")?.contains("immutable") == true)
        #expect(responder.respond(to: get("/static/js/app.0123456789ab.js"))?.status == 404)
    }

    @Test func djangoManifestWithoutFilesStillServesListedNames() throws {
        let manifest = Manifest(paths: ["css/app.css": "css/app.3f2a9c1b7d4e.css"], hash: "x")
        let responder = StaticFileResponder(staticRoot: fixture.root.path, resolver: AssetResolver(manifest: manifest))
        let hashed = try #require(
            responder.respond(to: get("/static/css/app.3f2a9c1b7d4e.css", [("Accept-Encoding", "br")])))
        #expect(hashed.status == 200)
        #expect(hashed.header("Content-Encoding") == nil)
        #expect(hashed.header("Cache-Control")?.contains("immutable") == true)
        #expect(hashed.header("ETag")?.hasPrefix("W/") == true)
        #expect(responder.respond(to: get("/static/css/app.css"))?.header("Cache-Control") == "public, max-age=60")
        #expect(responder.respond(to: get("/static/js/app.0123456789ab.js"))?.status == 404)
    }

    @Test func urlPrefixComesFromStaticURLOrOptions() {
        let cdn = AssetResolver(manifest: fixture.resolver.manifest, staticURL: "https://cdn.example.com/assets/")
        #expect(StaticFileResponder(staticRoot: fixture.root.path, resolver: cdn).urlPrefix == "/assets/")
        let custom = fixture.responder(.init(urlPrefix: "s"))
        #expect(custom.urlPrefix == "/s/")
        #expect(custom.respond(to: get("/s/css/app.3f2a9c1b7d4e.css"))?.status == 200)
        #expect(custom.respond(to: get("/static/css/app.3f2a9c1b7d4e.css")) == nil)
    }
}
