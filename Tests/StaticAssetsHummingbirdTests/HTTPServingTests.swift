import Foundation
import StaticAssets
import StaticAssetsServer
import Testing

/// The middleware over real HTTP: a Hummingbird server on 127.0.0.1 and the real `curl`.
@Suite struct HTTPServingTests {
    static let css = "css/app.3f2a9c1b7d4e.css"
    static let big = "data/big.bbbbbbbbbbbb.txt"

    @Test(arguments: [css, "js/app.0123456789ab.js", "img/logo.5d41402abc4b.svg", big, "css/app.css"])
    func bodiesAreByteExactForEveryEncoding(name: String) async throws {
        let site = try await CompressedStaticRoot.shared.value
        let original = try site.data(name)
        try await LiveServer.with(site.responder(), chunkLength: 16 * 1024) { port in
            for encoding in ["br", "gzip"] {
                let response = try await Curl.request(
                    port: port, "/static/" + name, headers: [("Accept-Encoding", encoding)])
                #expect(response.status == 200)
                #expect(response.header("content-encoding") == encoding)
                #expect(response.header("vary") == "Accept-Encoding")
                #expect(response.header("content-length") == "\(response.body.count)")
                #expect(response.body == (try site.data(name + (encoding == "br" ? ".br" : ".gz"))))
                #expect(try await CompressedStaticRoot.decode(response.body, encoding: encoding) == original)
            }
            let plain = try await Curl.request(port: port, "/static/" + name)
            #expect(plain.status == 200)
            #expect(plain.header("content-encoding") == nil)
            #expect(plain.body == original)
            let decoded = try await Curl.request(port: port, "/static/" + name, compressed: true)
            #expect(decoded.header("content-encoding") == "br")
            #expect(decoded.body == original)
        }
    }

    /// The same requests to a server answering small hashed files from memory and to one reading
    /// every body from disk: the same status, fields (all but `Date`) and body bytes over real HTTP.
    @Test func memoryAndDiskAnswerAlike() async throws {
        let site = try await CompressedStaticRoot.make()
        let memory = site.responder()
        let disk = site.responder(.init(memory: .disabled))
        let css = try site.data(Self.css)
        let etag = try #require(
            memory.respond(to: StaticRequest(method: "GET", path: "/static/" + Self.css))?.header("ETag"))
        let headerSets: [[(String, String)]] = [
            [], [("Accept-Encoding", "br")], [("Accept-Encoding", "gzip")], [("If-None-Match", etag)],
            [("Range", "bytes=5-60")], [("Range", "bytes=\(css.count)-")],
            [("Range", "bytes=0-3"), ("If-Range", etag)],
        ]
        try await LiveServer.with(memory) { memoryPort in
            try await LiveServer.with(disk) { diskPort in
                for name in [
                    Self.css, "img/logo.5d41402abc4b.svg", "img/photo.aaaaaaaaaaaa.png", Self.big, "css/app.css",
                ] {
                    for headers in headerSets {
                        for head in [false, true] {
                            let fromMemory = try await Curl.request(
                                port: memoryPort, "/static/" + name, headers: headers, head: head)
                            let fromDisk = try await Curl.request(
                                port: diskPort, "/static/" + name, headers: headers, head: head)
                            let label = "\(name) \(headers) head: \(head)"
                            #expect(fromMemory.status == fromDisk.status, "\(label)")
                            let fields = { (response: CurlResponse) in
                                response.headers.filter { $0.name != "date" }.map { "\($0.name): \($0.value)" }
                            }
                            #expect(fields(fromMemory) == fields(fromDisk), "\(label)")
                            #expect(fromMemory.body == fromDisk.body, "\(label)")
                        }
                    }
                }
            }
        }
        // The small hashed representations were answered from memory (the 200 KB file's `.br` and
        // `.gz` are small too); the 200 KB file itself, the unhashed one and everything on the other
        // server from disk.
        var expected = try site.data("img/photo.aaaaaaaaaaaa.png").count
        for name in [Self.css, "img/logo.5d41402abc4b.svg"] {
            expected += try site.data(name).count + site.data(name + ".br").count + site.data(name + ".gz").count
        }
        expected += try site.data(Self.big + ".br").count + site.data(Self.big + ".gz").count
        #expect(try site.data(Self.big).count > 65_536)
        #expect(memory.bytesInMemory == expected)
        #expect(disk.bytesInMemory == 0)
    }

    @Test func cacheControlContentTypeAndVary() async throws {
        let site = try await CompressedStaticRoot.shared.value
        try await LiveServer.with(site.responder()) { port in
            let hashed = try await Curl.request(
                port: port, "/static/css/app.3f2a9c1b7d4e.css", headers: [("Accept-Encoding", "br")])
            #expect(hashed.header("cache-control") == "public, max-age=31536000, immutable")
            #expect(hashed.header("content-type") == "text/css; charset=utf-8")
            #expect(hashed.header("accept-ranges") == "bytes")
            #expect(hashed.header("last-modified")?.hasSuffix(" GMT") == true)
            let etag = try #require(hashed.header("etag"))
            let brSize = try site.data(Self.css + ".br").count
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("-br-\(brSize)\""))
            let unhashed = try await Curl.request(port: port, "/static/css/app.css")
            #expect(unhashed.header("cache-control") == "public, max-age=60")
            #expect(unhashed.header("vary") == "Accept-Encoding")
            let types = [
                "js/app.0123456789ab.js": "text/javascript; charset=utf-8",
                "img/logo.5d41402abc4b.svg": "image/svg+xml; charset=utf-8",
                "img/photo.aaaaaaaaaaaa.png": "image/png",
                Self.big: "text/plain; charset=utf-8",
            ]
            for (name, type) in types {
                let response = try await Curl.request(
                    port: port, "/static/" + name, headers: [("Accept-Encoding", "br")])
                #expect(response.header("content-type") == type, "\(name)")
            }
            let png = try await Curl.request(
                port: port, "/static/img/photo.aaaaaaaaaaaa.png", headers: [("Accept-Encoding", "br, gzip")])
            #expect(png.header("vary") == nil)
            #expect(png.header("content-encoding") == nil)
            #expect(png.body == (try site.data("img/photo.aaaaaaaaaaaa.png")))
        }
    }

    @Test func missesAreNoCacheAndOtherRoutesPassThrough() async throws {
        let site = try await CompressedStaticRoot.shared.value
        try await LiveServer.with(site.responder()) { port in
            let miss = try await Curl.request(port: port, "/static/css/missing.css")
            #expect(miss.status == 404)
            #expect(miss.header("cache-control") == "no-cache")
            #expect(miss.body.isEmpty)
            let app = try await Curl.request(port: port, "/hello")
            #expect(app.status == 200)
            #expect(app.text == "hello from the app")
            #expect(try await Curl.request(port: port, "/static-like/x").text == "app route")
            let post = try await Curl.request(port: port, "/static/css/app.css", method: "POST")
            #expect(post.status == 405)
            #expect(post.header("allow") == "GET, HEAD")
        }
    }

    @Test func refusesDotfilesTraversalSymlinksDirectoriesAndTheManifest() async throws {
        let site = try await CompressedStaticRoot.shared.value
        try await LiveServer.with(site.responder()) { port in
            let attempts = [
                "/static/.env", "/static/css/.hidden.css", "/static/css/evil.css",
                "/static/../../outside/secret.css", "/static/css/../../../outside/secret.css",
                "/static/%2e%2e/%2e%2e/outside/secret.css", "/static/%2E%2E/%2E%2E/outside/secret.css",
                "/static/css/..%2f..%2f..%2foutside%2fsecret.css", "/static/css%2fapp.3f2a9c1b7d4e.css",
                "/static/css%5capp.3f2a9c1b7d4e.css", "/static/css/app.3f2a9c1b7d4e.css%00",
                "/static/css", "/static/css/", "/static/", "/static/staticfiles.json", "/static/%2eenv",
            ]
            for path in attempts {
                let response = try await Curl.request(port: port, path)
                #expect(response.status == 404, "\(path)")
                #expect(response.header("cache-control") == "no-cache", "\(path)")
                #expect(response.body.isEmpty, "\(path)")
            }
            // A raw backslash: whatever layer refuses it, nothing from outside comes back.
            let backslash = try await Curl.request(port: port, "/static/css\\..\\..\\..\\outside\\secret.css")
            #expect([400, 404].contains(backslash.status))
            #expect(!backslash.text.contains("outside the root"))
        }
    }

    @Test func manifestIsServedOnlyWhenEnabled() async throws {
        let site = try await CompressedStaticRoot.shared.value
        try await LiveServer.with(site.responder(.init(serveManifest: true))) { port in
            let response = try await Curl.request(port: port, "/static/staticfiles.json")
            #expect(response.status == 200)
            #expect(response.header("cache-control") == "no-cache")
            #expect(response.body == (try site.data("staticfiles.json")))
        }
    }

    @Test func conditionalRequestsGive304() async throws {
        let site = try await CompressedStaticRoot.shared.value
        try await LiveServer.with(site.responder()) { port in
            let path = "/static/css/app.3f2a9c1b7d4e.css"
            let first = try await Curl.request(port: port, path, headers: [("Accept-Encoding", "gzip")])
            let etag = try #require(first.header("etag"))
            let lastModified = try #require(first.header("last-modified"))
            for value in [etag, "\"x\", \(etag)", "W/\(etag)", "*"] {
                let again = try await Curl.request(
                    port: port, path, headers: [("Accept-Encoding", "gzip"), ("If-None-Match", value)])
                #expect(again.status == 304, "\(value)")
                #expect(again.body.isEmpty)
                #expect(again.header("etag") == etag)
                #expect(again.header("vary") == "Accept-Encoding")
                #expect(again.header("cache-control") == "public, max-age=31536000, immutable")
            }
            // Another representation's tag does not match.
            let other = try await Curl.request(
                port: port, path, headers: [("Accept-Encoding", "br"), ("If-None-Match", etag)])
            #expect(other.status == 200)
            let since = try await Curl.request(port: port, path, headers: [("If-Modified-Since", lastModified)])
            #expect(since.status == 304)
            let stale = try await Curl.request(
                port: port, path, headers: [("If-None-Match", "\"stale\""), ("If-Modified-Since", lastModified)])
            #expect(stale.status == 200)
            #expect(stale.body == (try site.data(Self.css)))
        }
    }

    @Test func rangesOnTheIdentityRepresentation() async throws {
        let site = try await CompressedStaticRoot.shared.value
        let big = try site.data(Self.big)
        try await LiveServer.with(site.responder(), chunkLength: 16 * 1024) { port in
            let path = "/static/" + Self.big
            let part = try await Curl.request(port: port, path, headers: [("Range", "bytes=16000-40000")])
            #expect(part.status == 206)
            #expect(part.header("content-range") == "bytes 16000-40000/\(big.count)")
            #expect(part.header("content-length") == "24001")
            #expect(part.body == big.subdata(in: 16000..<40001))
            let suffix = try await Curl.request(port: port, path, headers: [("Range", "bytes=-100")])
            #expect(suffix.status == 206)
            #expect(suffix.body == big.suffix(100))
            let tail = try await Curl.request(port: port, path, headers: [("Range", "bytes=\(big.count - 10)-")])
            #expect(tail.body == big.suffix(10))
            let unsatisfiable = try await Curl.request(port: port, path, headers: [("Range", "bytes=\(big.count)-")])
            #expect(unsatisfiable.status == 416)
            #expect(unsatisfiable.header("content-range") == "bytes */\(big.count)")
            let multi = try await Curl.request(port: port, path, headers: [("Range", "bytes=0-1,5-6")])
            #expect(multi.status == 200)
            #expect(multi.body == big)
            let compressed = try await Curl.request(
                port: port, path, headers: [("Range", "bytes=0-9"), ("Accept-Encoding", "br")])
            #expect(compressed.status == 200)
            #expect(compressed.header("content-encoding") == "br")
            #expect(compressed.body == (try site.data(Self.big + ".br")))
        }
    }

    @Test func headCarriesHeadersWithoutBody() async throws {
        let site = try await CompressedStaticRoot.shared.value
        try await LiveServer.with(site.responder()) { port in
            let path = "/static/css/app.3f2a9c1b7d4e.css"
            let head = try await Curl.request(port: port, path, headers: [("Accept-Encoding", "br")], head: true)
            let get = try await Curl.request(port: port, path, headers: [("Accept-Encoding", "br")])
            #expect(head.status == 200)
            #expect(head.header("content-length") == "\(try site.data(Self.css + ".br").count)")
            for name in ["content-type", "content-encoding", "etag", "vary", "cache-control", "last-modified"] {
                #expect(head.header(name) == get.header(name), "\(name)")
            }
            let missing = try await Curl.request(port: port, "/static/nope.css", head: true)
            #expect(missing.status == 404)
            // No body bytes follow a HEAD response: a GET on the same connection right after it parses.
            let pair = try await Curl.headThenGet(port: port, path)
            #expect(pair.connections == "0")  // the GET reused the HEAD's connection
            #expect(pair.body == (try site.data(Self.css)))
        }
    }

    @Test func notAcceptable() async throws {
        let site = try await CompressedStaticRoot.shared.value
        try await LiveServer.with(site.responder()) { port in
            let png = try await Curl.request(
                port: port, "/static/img/photo.aaaaaaaaaaaa.png", headers: [("Accept-Encoding", "identity;q=0")])
            #expect(png.status == 406)
            let css = try await Curl.request(
                port: port, "/static/" + Self.css, headers: [("Accept-Encoding", "identity;q=0, gzip")])
            #expect(css.status == 200)
            #expect(css.header("content-encoding") == "gzip")
        }
    }

    @Test func manifestReloadTakesEffectWithoutRestart() async throws {
        let site = try await CompressedStaticRoot.make()
        try await LiveServer.with(site.responder()) { port in
            let newName = "css/app.ffffffffffff.css"
            #expect(try await Curl.request(port: port, "/static/" + newName).status == 404)
            try CompressedStaticRoot.write(Data("body{}\n".utf8), to: site.root.appendingPathComponent(newName))
            var manifest = site.resolver.manifest
            manifest.paths["css/app.css"] = newName
            manifest.files[newName] = ManifestEntry(size: 7, integrity: "sha384-new")
            site.resolver.reload(manifest)
            let fresh = try await Curl.request(port: port, "/static/" + newName)
            #expect(fresh.status == 200)
            #expect(fresh.text == "body{}\n")
            #expect(fresh.header("cache-control") == "public, max-age=31536000, immutable")
            // The old hashed name is still listed in `files` here, but no longer the target of a path.
            let old = try await Curl.request(port: port, "/static/" + Self.css)
            #expect(old.header("cache-control") == "public, max-age=60")
        }
    }

    @Test func developmentModeServesSourceEditsAtOnce() async throws {
        let source = FileManager.default.temporaryDirectory
            .appendingPathComponent("static-dev-\(UUID().uuidString.prefix(8))").resolvingSymlinksInPath()
        let vendor = source.appendingPathComponent("node_modules/lib")
        try CompressedStaticRoot.write(
            Data("body{color:red}".utf8), to: source.appendingPathComponent("assets/css/app.css"))
        try CompressedStaticRoot.write(Data("lib()".utf8), to: vendor.appendingPathComponent("lib.js"))
        let lookup = SourceRootLookup(roots: [
            (nil, source.appendingPathComponent("assets").path), ("vendor", vendor.path),
        ])
        try await LiveServer.with(StaticFileResponder(development: lookup)) { port in
            let first = try await Curl.request(port: port, "/static/css/app.css", headers: [("Accept-Encoding", "br")])
            #expect(first.status == 200)
            #expect(first.text == "body{color:red}")
            #expect(first.header("cache-control") == "no-cache")
            #expect(first.header("etag")?.hasPrefix("W/") == true)
            try CompressedStaticRoot.write(
                Data("body{color:blue}".utf8), to: source.appendingPathComponent("assets/css/app.css"))
            let second = try await Curl.request(
                port: port, "/static/css/app.css", headers: [("If-None-Match", try #require(first.header("etag")))])
            #expect(second.status == 200)
            #expect(second.text == "body{color:blue}")
            #expect(try await Curl.request(port: port, "/static/vendor/lib.js").text == "lib()")
            #expect(try await Curl.request(port: port, "/static/vendor/../assets/css/app.css").status == 404)
        }
    }
}
