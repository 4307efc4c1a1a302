import Foundation
import StaticAssets
import StaticAssetsServer
import Testing

/// WhiteNoise's serving options on the responder (docs/guides/serving.md, "WhiteNoise's settings"):
/// `Access-Control-Allow-Origin`, root files, the headers hook, MIME type overrides, the index file and
/// the max-age of unhashed names. The same behaviours over HTTP, through both middlewares, are rows of
/// the conformance table (`ConformanceTests.servingOptionsTable`).
@Suite struct ServingOptionsTests {
    let fixture = StaticRootFixture()
    static let hashed = "/static/css/app.3f2a9c1b7d4e.css"

    /// A folder of root files: `favicon.ico`, `robots.txt` (+ `.gz`), `.well-known/security.txt`,
    /// `docs/index.html`, a dotfile and a symlink out of the folder.
    static func rootFiles() -> URL {
        let root = StaticRootFixture.temporaryDirectory("rootfiles")
        StaticRootFixture.write(Data([0, 0, 1, 0]), to: root.appendingPathComponent("favicon.ico"))
        StaticRootFixture.write("User-agent: *\n", to: root.appendingPathComponent("robots.txt"))
        StaticRootFixture.write("GZ", to: root.appendingPathComponent("robots.txt.gz"))
        StaticRootFixture.write("Contact: x\n", to: root.appendingPathComponent(".well-known/security.txt"))
        StaticRootFixture.write("<p>docs</p>", to: root.appendingPathComponent("docs/index.html"))
        StaticRootFixture.write("SECRET", to: root.appendingPathComponent(".env"))
        let outside = StaticRootFixture.temporaryDirectory("outside")
        StaticRootFixture.write("outside", to: outside.appendingPathComponent("secret.txt"))
        try? FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("escape.txt").path,
            withDestinationPath: outside.appendingPathComponent("secret.txt").path)
        try? FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("outside").path, withDestinationPath: outside.path)
        return root
    }

    static func text(_ response: StaticResponse) -> String {
        switch response.body {
        case .none: return ""
        case .memory(let bytes, let range): return String(decoding: bytes[range], as: UTF8.self)
        case .file(let file, let range):
            return String(decoding: file.read(offset: range.lowerBound, count: range.count) ?? [], as: UTF8.self)
        }
    }

    // MARK: WHITENOISE_ALLOW_ALL_ORIGINS

    @Test func everyResponseAllowsAllOriginsByDefault() throws {
        let responder = fixture.responder()
        for request in [
            get(Self.hashed), get(Self.hashed, method: "HEAD"), get("/static/css/app.css", [("Accept-Encoding", "br")]),
            get("/static/missing.css"), get(Self.hashed, method: "POST"), get(Self.hashed, [("Range", "bytes=2-4")]),
            get(Self.hashed, [("Range", "bytes=900-")]), get(Self.hashed, [("Accept-Encoding", "identity;q=0, *;q=0")]),
        ] {
            let response = try #require(responder.respond(to: request))
            #expect(response.header("Access-Control-Allow-Origin") == "*", "\(request.method) \(request.path)")
        }
        let tag = try #require(responder.respond(to: get(Self.hashed))?.header("ETag"))
        let notModified = try #require(responder.respond(to: get(Self.hashed, [("If-None-Match", tag)])))
        #expect(notModified.status == 304)
        #expect(notModified.header("Access-Control-Allow-Origin") == "*")
    }

    @Test func allowAllOriginsCanBeTurnedOff() throws {
        let responder = fixture.responder(.init(allowAllOrigins: false))
        for request in [get(Self.hashed), get("/static/missing.css"), get(Self.hashed, method: "PUT")] {
            let response = try #require(responder.respond(to: request))
            #expect(response.header("Access-Control-Allow-Origin") == nil)
        }
        let development = StaticFileResponder(
            development: SourceRootLookup(roots: [(nil, fixture.root.path)]), options: .init(allowAllOrigins: false))
        #expect(development.respond(to: get("/static/css/app.css"))?.header("Access-Control-Allow-Origin") == nil)
        let developmentDefault = StaticFileResponder(development: SourceRootLookup(roots: [(nil, fixture.root.path)]))
        #expect(
            developmentDefault.respond(to: get("/static/css/app.css"))?.header("Access-Control-Allow-Origin") == "*")
    }

    // MARK: WHITENOISE_MAX_AGE

    @Test func maxAgeSetsTheUnhashedCacheControl() throws {
        let defaults = fixture.responder()
        #expect(defaults.respond(to: get("/static/css/app.css"))?.header("Cache-Control") == "public, max-age=60")
        let responder = fixture.responder(.init(maxAge: 600))
        #expect(responder.respond(to: get("/static/css/app.css"))?.header("Cache-Control") == "public, max-age=600")
        #expect(
            responder.respond(to: get(Self.hashed))?.header("Cache-Control") == "public, max-age=31536000, immutable")
        #expect(responder.respond(to: get("/static/nope.css"))?.header("Cache-Control") == "no-cache")
        let zero = fixture.responder(.init(maxAge: 0))
        #expect(zero.respond(to: get("/static/css/app.css"))?.header("Cache-Control") == "public, max-age=0")
    }

    // MARK: WHITENOISE_MIMETYPES

    @Test func mimeTypeOverridesWinOverTheTable() throws {
        let responder = fixture.responder(
            .init(mimeTypes: [".CSS": "text/x-styles", "LICENSE.bbbbbbbbbbbb": "text/plain", ".js": "application/x-js"])
        )
        #expect(responder.respond(to: get(Self.hashed))?.header("Content-Type") == "text/x-styles; charset=utf-8")
        #expect(
            responder.respond(to: get(Self.hashed, [("Accept-Encoding", "br")]))?.header("Content-Type")
                == "text/x-styles; charset=utf-8")
        #expect(
            responder.respond(to: get("/static/LICENSE.bbbbbbbbbbbb"))?.header("Content-Type")
                == "text/plain; charset=utf-8")
        #expect(
            responder.respond(to: get("/static/js/app.0123456789ab.js"))?.header("Content-Type") == "application/x-js")
        // Not overridden: the built-in table.
        #expect(responder.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png"))?.header("Content-Type") == "image/png")
        // A type with parameters is taken as written.
        let written = fixture.responder(.init(mimeTypes: [".css": "text/css; charset=latin1"]))
        #expect(written.respond(to: get(Self.hashed))?.header("Content-Type") == "text/css; charset=latin1")
    }

    // MARK: WHITENOISE_ADD_HEADERS_FUNCTION

    @Test func theHeadersHookSeesEveryFileResponseAndMayChangeIt() throws {
        let responder = fixture.responder(
            .init(addHeaders: { file, headers in
                headers.append(("X-File", "\(file.name) \(file.urlPath) \(file.status)"))
                headers.removeAll { $0.name == "Last-Modified" }
                if let index = headers.firstIndex(where: { $0.name == "Cache-Control" }), file.name.hasSuffix(".png") {
                    headers[index].value = "no-store"
                }
            }))
        let response = try #require(responder.respond(to: get(Self.hashed + "?v=1")))
        #expect(response.header("X-File") == "css/app.3f2a9c1b7d4e.css \(Self.hashed) 200")
        #expect(response.header("Last-Modified") == nil)
        #expect(response.header("Access-Control-Allow-Origin") == "*")
        let png = try #require(responder.respond(to: get("/static/img/logo.aaaaaaaaaaaa.png")))
        #expect(png.header("Cache-Control") == "no-store")
        let partial = try #require(responder.respond(to: get(Self.hashed, [("Range", "bytes=0-1")])))
        #expect(partial.header("X-File")?.hasSuffix(" 206") == true)
        let tag = try #require(response.header("ETag"))
        #expect(
            responder.respond(to: get(Self.hashed, [("If-None-Match", tag)]))?.header("X-File")?.hasSuffix(" 304")
                == true)
        // Refusals are not files.
        for request in [
            get("/static/nope.css"), get(Self.hashed, method: "POST"), get(Self.hashed, [("Range", "bytes=999-")]),
        ] {
            #expect(responder.respond(to: request)?.header("X-File") == nil)
        }
    }

    // MARK: WHITENOISE_INDEX_FILE

    @Test func anIndexFileAnswersForItsFolder() throws {
        // Unhashed names with `files` entries (their hashed copies are not needed here).
        let pages = ["docs/index.html": "<h1>docs</h1>", "index.html": "<h1>home</h1>", "docs/guide.html": "guide"]
        var paths: [String: String] = [:]
        var files: [String: Any] = [:]
        for (name, content) in pages {
            StaticRootFixture.write(content, to: fixture.root.appendingPathComponent(name))
            paths[name] = name.replacingOccurrences(of: ".html", with: ".0123456789ab.html")
            files[name] = ["size": content.utf8.count, "integrity": "sha384-" + StaticRootFixture.fakeDigest(name)]
        }
        let manifest: [String: Any] = ["paths": paths, "version": "1.1", "hash": "0123456789ab", "files": files]
        StaticRootFixture.write(
            try JSONSerialization.data(withJSONObject: manifest),
            to: fixture.root.appendingPathComponent("staticfiles.json"))
        let resolver = try AssetResolver(manifestPath: fixture.path("staticfiles.json"))
        let responder = StaticFileResponder(
            staticRoot: fixture.root.path, resolver: resolver, options: .init(indexFile: "index.html", maxAge: 30))
        let folder = try #require(responder.respond(to: get("/static/docs/")))
        #expect(folder.status == 200)
        #expect(Self.text(folder) == "<h1>docs</h1>")
        #expect(folder.header("Content-Type") == "text/html; charset=utf-8")
        #expect(folder.header("Cache-Control") == "public, max-age=30")
        #expect(Self.text(try #require(responder.respond(to: get("/static/")))) == "<h1>home</h1>")
        for (path, location) in [
            ("/static/docs", "docs/"), ("/static/docs?q=1", "docs/"), ("/static/docs/index.html", "./"),
            ("/static/index.html", "./"),
        ] {
            let redirect = try #require(responder.respond(to: get(path)))
            #expect(redirect.status == 302, "\(path)")
            #expect(redirect.header("Location") == location, "\(path)")
            #expect(redirect.header("Cache-Control") == "public, max-age=30")
            #expect(redirect.header("Content-Length") == "0")
            #expect(redirect.body == .none)
        }
        #expect(responder.respond(to: get("/static/docs/guide.html"))?.status == 200)
        for path in [
            "/static/nowhere/", "/static/nowhere", "/static/docs/guide.html/", "/static/..%2f/", "/static/docs//",
        ] {
            #expect(responder.respond(to: get(path))?.status == 404, "\(path)")
        }
        #expect(responder.respond(to: get("/static/docs/", method: "POST"))?.status == 405)
        // Without the option, folders are 404s.
        let plain = StaticFileResponder(staticRoot: fixture.root.path, resolver: resolver)
        #expect(plain.respond(to: get("/static/docs/"))?.status == 404)
        #expect(plain.respond(to: get("/static/docs"))?.status == 404)
    }

    // MARK: WHITENOISE_ROOT

    @Test func rootFilesAreServedAtTheSiteRoot() throws {
        let root = Self.rootFiles()
        defer { try? FileManager.default.removeItem(at: root) }
        let responder = fixture.responder(.init(rootFiles: root.path, maxAge: 120))
        #expect(responder.handles(path: "/robots.txt"))
        let robots = try #require(responder.respond(to: get("/robots.txt")))
        #expect(robots.status == 200)
        #expect(Self.text(robots) == "User-agent: *\n")
        #expect(robots.header("Cache-Control") == "public, max-age=120")
        #expect(robots.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(robots.header("Vary") == "Accept-Encoding")
        #expect(robots.header("ETag")?.hasPrefix("W/") == true)
        #expect(robots.header("Access-Control-Allow-Origin") == "*")
        let gzip = try #require(responder.respond(to: get("/robots.txt", [("Accept-Encoding", "gzip")])))
        #expect(gzip.header("Content-Encoding") == "gzip")
        #expect(Self.text(gzip) == "GZ")
        #expect(responder.respond(to: get("/favicon.ico"))?.header("Content-Type") == "image/x-icon")
        let security = try #require(responder.respond(to: get("/.well-known/security.txt")))
        #expect(Self.text(security) == "Contact: x\n")
        #expect(responder.respond(to: get("/robots.txt", method: "DELETE"))?.status == 405)
        // Static files are still served; anything else at `/` is passed on (nil), never a 404.
        #expect(responder.respond(to: get(Self.hashed))?.status == 200)
        for path in [
            "/", "/hello", "/missing.txt", "/.env", "/%2eenv", "/escape.txt", "/outside/secret.txt", "/../etc/passwd",
            "/%2e%2e/etc/passwd", "/.well-known/../.env", "/.well-known", "/.well-known/", "/docs/", "/docs",
            "/robots.txt.gz", "/robots.txt/", "//robots.txt", "/robots.txt%00", "/.git/config",
        ] {
            #expect(responder.respond(to: get(path)) == nil, "\(path)")
        }
        #expect(responder.respond(to: get("/hello", method: "POST")) == nil)
        // With an index file, its folders too.
        let indexed = fixture.responder(.init(rootFiles: root.path, indexFile: "index.html"))
        #expect(Self.text(try #require(indexed.respond(to: get("/docs/")))) == "<p>docs</p>")
        #expect(indexed.respond(to: get("/docs"))?.header("Location") == "docs/")
        #expect(indexed.respond(to: get("/")) == nil)
        // Without root files, nothing outside STATIC_URL is looked at.
        let plain = fixture.responder()
        #expect(!plain.handles(path: "/robots.txt"))
        #expect(plain.respond(to: get("/robots.txt")) == nil)
    }

    /// `.well-known` as a symlink out of the root files' folder is not followed.
    @Test func aWellKnownSymlinkOutOfTheFolderIsRefused() throws {
        let root = StaticRootFixture.temporaryDirectory("rootfiles-link")
        let outside = StaticRootFixture.temporaryDirectory("outside-wk")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outside)
        }
        StaticRootFixture.write("secret", to: outside.appendingPathComponent("security.txt"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent(".well-known").path, withDestinationPath: outside.path)
        let responder = fixture.responder(.init(rootFiles: root.path))
        #expect(responder.respond(to: get("/.well-known/security.txt")) == nil)
    }

    // MARK: The documentation's table

    /// docs/guides/serving.md's table of WhiteNoise settings: one row per setting this file tests, each
    /// naming a real option of `StaticFileResponder.Options` and its default.
    @Test func theDocumentedTableMatchesTheOptions() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/guides/serving.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        var rows: [String: (option: String, defaultValue: String)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `WHITENOISE_") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 5 else { continue }
            let code = { (cell: String) in cell.firstMatch(of: /`([^`]+)`/).map { String($0.1) } ?? cell }
            rows[code(cells[1])] = (code(cells[2]), code(cells[3]))
        }
        let expected = [
            "WHITENOISE_ALLOW_ALL_ORIGINS": "allowAllOrigins", "WHITENOISE_ROOT": "rootFiles",
            "WHITENOISE_ADD_HEADERS_FUNCTION": "addHeaders", "WHITENOISE_MIMETYPES": "mimeTypes",
            "WHITENOISE_INDEX_FILE": "indexFile", "WHITENOISE_MAX_AGE": "maxAge",
        ]
        #expect(Set(rows.keys) == Set(expected.keys))
        let defaults = Dictionary(
            Mirror(reflecting: StaticFileResponder.Options()).children.compactMap { child in
                child.label.map { ($0, String(describing: child.value)) }
            }, uniquingKeysWith: { first, _ in first })
        for (setting, option) in expected {
            let row = try #require(rows[setting], "no row for \(setting)")
            #expect(row.option == option, "\(setting)")
            #expect(defaults[row.option] != nil, "\(setting): Options has no \(row.option)")
            #expect(defaults[row.option] == row.defaultValue, "\(setting): default \(defaults[row.option] ?? "-")")
        }
    }
}
