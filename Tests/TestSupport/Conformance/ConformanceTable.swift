import Foundation
import StaticAssets

/// One row: a request, and the status, fields and body every way of serving must answer it with.
public struct ConformanceRow: Sendable, CustomStringConvertible {
    public enum Body: Sendable {
        /// No body bytes (HEAD, 304, errors).
        case empty
        /// Exactly these bytes.
        case bytes(Data)
        /// The request is not under STATIC_URL: passed on to the application.
        case passedOn
    }

    public var request: ConformanceRequest
    /// 0 for a request passed on.
    public var status: Int
    /// Fields that must have exactly this value; nil: the field must be absent.
    public var fields: [(name: String, value: String?)]
    public var body: Body

    public var description: String { request.description }

    /// What is wrong with `exchange` as an answer to this row; empty when it conforms.
    public func failures(_ exchange: ConformanceExchange) -> [String] {
        var failures: [String] = []
        if exchange.status != status { failures.append("status \(exchange.status), expected \(status)") }
        if case .passedOn = body { return failures }
        for (name, value) in fields where exchange.header(name) != value {
            failures.append("\(name): \(exchange.header(name) ?? "(absent)"), expected \(value ?? "(absent)")")
        }
        switch body {
        case .empty where !exchange.body.isEmpty:
            failures.append("a body of \(exchange.body.count) bytes, expected none")
        case .bytes(let expected) where exchange.body != expected:
            failures.append("a body of \(exchange.body.count) bytes that differs from the expected \(expected.count)")
        default:
            break
        }
        // Content-Length says what a GET carries, HEAD included; a GET's body is exactly that long.
        if request.method != "HEAD", exchange.status != 304,
            exchange.header("content-length") != "\(exchange.body.count)"
        {
            failures.append(
                "content-length \(exchange.header("content-length") ?? "(absent)"), body \(exchange.body.count)")
        }
        return failures
    }
}

/// The shared table: the same requests, with the same expected answers, for the responder called
/// directly and for every framework middleware over real HTTP.
public enum ConformanceTable {
    public static let hashedCache = "public, max-age=31536000, immutable"
    public static let css = "text/css; charset=utf-8"
    public static let js = "text/javascript; charset=utf-8"
    public static let text = "text/plain; charset=utf-8"
    /// The body the test applications answer requests passed on to them with (and `X-Passed-On: 1`).
    public static let passedOnBody = "passed on"

    static func refusal(_ status: Int, _ extra: [(String, String?)] = []) -> [(name: String, value: String?)] {
        [("content-length", "0"), ("cache-control", "no-cache"), ("access-control-allow-origin", "*")] + extra
    }

    /// The field the serving-options responder's headers hook adds: the name of the file answered.
    public static let hookField = "X-Served-File"
    /// `maxAge` of the serving-options responder.
    public static let optionsMaxAge = 300
    /// `mimeTypes` of the serving-options responder: by extension, and by name (which wins).
    public static let optionsMimeTypes = [".txt": "text/markdown", "favicon.ico": "image/vnd.microsoft.icon"]

    /// Rows against a collected STATIC_ROOT served under `/static/`.
    public static func rows(_ site: ConformanceSite) -> [ConformanceRow] {
        var rows: [ConformanceRow] = []
        func row(
            _ method: String, _ path: String, _ headers: [(name: String, value: String)] = [], status: Int,
            _ fields: [(name: String, value: String?)] = [], body: ConformanceRow.Body
        ) {
            rows.append(
                ConformanceRow(
                    request: ConformanceRequest(method, path, headers), status: status, fields: fields, body: body))
        }
        let css = site.hashed("css/app.css")
        let js = site.hashed("js/app.js")
        let png = site.hashed("img/photo.png")
        let big = site.hashed("data/big.txt")
        let cssBytes = site.data(css)
        let bigBytes = site.data(big)
        let vary = "Accept-Encoding"
        let deltaVary = "Accept-Encoding, Available-Dictionary"

        // Negotiation: q-values, `*`, refusals, identity as the last resort.
        let identityCSS: [(name: String, value: String?)] = [
            ("content-type", Self.css), ("cache-control", hashedCache), ("etag", site.entityTag(css)),
            ("last-modified", site.lastModified(css)), ("vary", vary), ("accept-ranges", "bytes"),
            ("content-encoding", nil), ("access-control-allow-origin", "*"),
        ]
        func variant(_ name: String, _ coding: ContentEncoding, type: String) -> [(name: String, value: String?)] {
            [
                ("content-type", type), ("content-encoding", coding.token), ("etag", site.entityTag(name, coding)),
                ("vary", vary), ("cache-control", hashedCache), ("access-control-allow-origin", "*"),
            ]
        }
        row("GET", "/static/\(css)", status: 200, identityCSS, body: .bytes(cssBytes))
        for (accept, coding) in [
            ("br", ContentEncoding.brotli), ("gzip", .gzip), ("gzip, deflate, br", .brotli),
            ("gzip;q=1, br;q=0.5", .gzip), ("br;q=0, gzip", .gzip), ("*", .brotli), ("identity;q=0, gzip", .gzip),
            ("BR;Q=1", .brotli), ("x-gzip", .gzip), ("gzip;q=0.001, identity;q=0.0005", .gzip),
        ] {
            row(
                "GET", "/static/\(css)", [("Accept-Encoding", accept)], status: 200,
                variant(css, coding, type: Self.css), body: .bytes(site.data(css + coding.fileSuffix)))
        }
        for accept in ["identity", "deflate", "br;q=0, gzip;q=0", "", "*;q=0, identity"] {
            row(
                "GET", "/static/\(css)", [("Accept-Encoding", accept)], status: 200, identityCSS, body: .bytes(cssBytes)
            )
        }
        row(
            "GET", "/static/\(css)", [("Accept-Encoding", "identity;q=0, *;q=0")], status: 406,
            refusal(406, [("vary", vary)]), body: .empty)
        row(
            "GET", "/static/\(png)", [("Accept-Encoding", "identity;q=0")], status: 406,
            refusal(406, [("vary", nil)]), body: .empty)
        row(
            "GET", "/static/\(png)", [("Accept-Encoding", "br, gzip")], status: 200,
            [("content-type", "image/png"), ("vary", nil), ("content-encoding", nil), ("etag", site.entityTag(png))],
            body: .bytes(site.data(png)))
        row(
            "GET", "/static/css/app.css", [("Accept-Encoding", "br")], status: 200,
            [("cache-control", "public, max-age=60"), ("content-encoding", "br"), ("vary", vary)],
            body: .bytes(site.data("css/app.css.br")))
        row("GET", "/static/\(css)?v=3#top", status: 200, identityCSS, body: .bytes(cssBytes))

        // A large file, streamed from disk (bigger than the memory limit and than one chunk).
        row(
            "GET", "/static/\(big)", status: 200,
            [("content-type", Self.text), ("content-length", "\(bigBytes.count)"), ("etag", site.entityTag(big))],
            body: .bytes(bigBytes))
        row(
            "GET", "/static/\(big)", [("Accept-Encoding", "gzip")], status: 200, variant(big, .gzip, type: Self.text),
            body: .bytes(site.data(big + ".gz")))

        // HEAD: the GET's fields, Content-Length included, and no body.
        row(
            "HEAD", "/static/\(css)", [("Accept-Encoding", "br")], status: 200,
            variant(css, .brotli, type: Self.css) + [("content-length", "\(site.data(css + ".br").count)")],
            body: .empty)
        row(
            "HEAD", "/static/\(big)", status: 200,
            [("content-length", "\(bigBytes.count)"), ("accept-ranges", "bytes")],
            body: .empty)
        row("HEAD", "/static/nope.css", status: 404, refusal(404), body: .empty)
        row(
            "HEAD", "/static/\(big)", [("Range", "bytes=0-9")], status: 200,
            [("content-length", "\(bigBytes.count)"), ("content-range", nil)], body: .empty)

        // Methods.
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            row(method, "/static/\(css)", status: 405, refusal(405, [("allow", "GET, HEAD")]), body: .empty)
        }
        row("POST", "/static/nope.css", status: 405, refusal(405, [("allow", "GET, HEAD")]), body: .empty)

        // Misses, dotfiles, traversal in every encoding, symlinks out of the root, folders, the manifest.
        for path in [
            "/static/css/missing.css", "/static/.env", "/static/css/.hidden.css", "/static/css/evil.css",
            "/static/../../outside/secret.css", "/static/css/../../../outside/secret.css",
            "/static/%2e%2e/%2e%2e/outside/secret.css", "/static/%2E%2E/%2E%2E/outside/secret.css",
            "/static/css/..%2f..%2f..%2foutside%2fsecret.css", "/static/css%2f\(css.dropFirst(4))",
            "/static/css%5c\(css.dropFirst(4))", "/static/\(css)%00", "/static/css", "/static/css/", "/static/",
            "/static/staticfiles.json", "/static/%2eenv", "/static/css/%zz.css", "/static/css/./\(css.dropFirst(4))",
            "/static//\(css)", "/static/css\\..\\..\\..\\outside\\secret.css",
        ] {
            row("GET", path, status: 404, refusal(404), body: .empty)
        }

        // Outside STATIC_URL: the application answers.
        for path in ["/static-like/x", "/hello", "/staticfiles/x", "/STATIC/\(css)"] {
            row("GET", path, status: 0, body: .passedOn)
        }

        // Conditional requests: If-None-Match (lists, W/, *) over If-Modified-Since; 304 keeps the validators.
        let gzipTag = site.entityTag(css, .gzip)
        for value in [gzipTag, "\"x\", \(gzipTag)", "W/\(gzipTag)", "*"] {
            row(
                "GET", "/static/\(css)", [("Accept-Encoding", "gzip"), ("If-None-Match", value)], status: 304,
                [
                    ("etag", gzipTag), ("vary", vary), ("cache-control", hashedCache), ("content-encoding", nil),
                    ("access-control-allow-origin", "*"),
                ], body: .empty)
        }
        row(
            "GET", "/static/\(css)", [("Accept-Encoding", "br"), ("If-None-Match", gzipTag)], status: 200,
            variant(css, .brotli, type: Self.css), body: .bytes(site.data(css + ".br")))
        row(
            "GET", "/static/\(css)", [("If-Modified-Since", site.lastModified(css))], status: 304,
            [("etag", site.entityTag(css)), ("last-modified", site.lastModified(css))], body: .empty)
        row(
            "GET", "/static/\(css)", [("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")], status: 200, identityCSS,
            body: .bytes(cssBytes))
        row(
            "GET", "/static/\(css)", [("If-None-Match", "\"stale\""), ("If-Modified-Since", site.lastModified(css))],
            status: 200, identityCSS, body: .bytes(cssBytes))
        row(
            "HEAD", "/static/\(css)", [("If-None-Match", site.entityTag(css))], status: 304,
            [("etag", site.entityTag(css)), ("last-modified", site.lastModified(css))], body: .empty)

        // Ranges on the identity representation.
        let bigTag = site.entityTag(big)
        let count = bigBytes.count
        func partial(_ range: Range<Int>) -> [(name: String, value: String?)] {
            [
                ("content-range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(count)"),
                ("content-length", "\(range.count)"), ("etag", bigTag), ("accept-ranges", "bytes"),
            ]
        }
        for (field, range) in [
            ("bytes=16000-40000", 16000..<40001), ("bytes=-100", (count - 100)..<count),
            ("bytes=\(count - 10)-", (count - 10)..<count), ("bytes=0-0", 0..<1),
            ("bytes=100-\(count + 5000)", 100..<count),
        ] {
            row(
                "GET", "/static/\(big)", [("Range", field)], status: 206, partial(range),
                body: .bytes(bigBytes.subdata(in: range)))
        }
        row(
            "GET", "/static/\(big)", [("Range", "bytes=\(count)-")], status: 416,
            refusal(416, [("content-range", "bytes */\(count)")]), body: .empty)
        for field in ["bytes=0-1,5-6", "bytes=5-2", "items=0-5", "bytes=abc"] {
            row(
                "GET", "/static/\(big)", [("Range", field)], status: 200,
                [("content-length", "\(count)"), ("content-range", nil)], body: .bytes(bigBytes))
        }
        row(
            "GET", "/static/\(big)", [("Range", "bytes=0-9"), ("Accept-Encoding", "br")], status: 200,
            variant(big, .brotli, type: Self.text) + [("content-range", nil)], body: .bytes(site.data(big + ".br")))
        row(
            "GET", "/static/\(big)", [("Range", "bytes=0-9"), ("If-Range", bigTag)], status: 206, partial(0..<10),
            body: .bytes(bigBytes.subdata(in: 0..<10)))
        row(
            "GET", "/static/\(big)", [("Range", "bytes=0-9"), ("If-Range", site.lastModified(big))], status: 206,
            partial(0..<10), body: .bytes(bigBytes.subdata(in: 0..<10)))
        row(
            "GET", "/static/\(big)", [("Range", "bytes=0-9"), ("If-Range", "\"stale\"")], status: 200,
            [("content-range", nil), ("content-length", "\(count)")], body: .bytes(bigBytes))
        row(
            "GET", "/static/\(css)", [("Range", "bytes=2-5")], status: 206,
            [("content-range", "bytes 2-5/\(cssBytes.count)"), ("vary", vary)],
            body: .bytes(cssBytes.subdata(in: 2..<6)))

        // Compression Dictionary Transport (RFC 9842): a delta only for the dictionary held, when accepted.
        let browser = "gzip, deflate, br, zstd, dcz"
        let held = site.heldDictionary
        let dictionaryHex =
            Data(base64Encoded: String(held.dropFirst().dropLast()))
            .map { $0.map { String(format: "%02x", $0) }.joined() } ?? ""
        let jsEntry = site.entry(js)
        if jsEntry?.deltas(.dcz)[dictionaryHex] != nil {
            let deltaName = ManifestEntry.deltaName(of: js, dictionary: dictionaryHex)
            let deltaTag = site.deltaTag(js, .dcz, dictionary: dictionaryHex)
            row(
                "GET", "/static/\(js)", [("Accept-Encoding", browser), ("Available-Dictionary", held)], status: 200,
                [
                    ("content-encoding", "dcz"), ("content-type", Self.js), ("vary", deltaVary),
                    ("etag", deltaTag), ("cache-control", hashedCache),
                    ("use-as-dictionary", #"match="/static/js/app.*.js", match-dest=("script"), id="js/app.js""#),
                ], body: .bytes(site.data(deltaName)))
            row(
                "GET", "/static/\(js)",
                [("Accept-Encoding", browser), ("Available-Dictionary", held), ("If-None-Match", deltaTag)],
                status: 304, [("etag", deltaTag), ("vary", deltaVary)], body: .empty)
            row(
                "HEAD", "/static/\(js)", [("Accept-Encoding", browser), ("Available-Dictionary", held)], status: 200,
                [("content-encoding", "dcz"), ("content-length", "\(site.data(deltaName).count)")], body: .empty)
            let other = ":" + Data(repeating: 7, count: 32).base64EncodedString() + ":"
            for headers: [(name: String, value: String)] in [
                [("Accept-Encoding", "gzip, br"), ("Available-Dictionary", held)],
                [("Accept-Encoding", "gzip, br, dcz;q=0"), ("Available-Dictionary", held)],
                [("Accept-Encoding", browser), ("Available-Dictionary", other)],
                [("Accept-Encoding", browser), ("Available-Dictionary", "abc")],
                [
                    ("Accept-Encoding", browser), ("Available-Dictionary", held), ("Sec-Fetch-Site", "cross-site"),
                    ("Sec-Fetch-Mode", "no-cors"),
                ],
            ] {
                row(
                    "GET", "/static/\(js)", headers, status: 200,
                    [("content-encoding", "br"), ("vary", deltaVary), ("etag", site.entityTag(js, .brotli))],
                    body: .bytes(site.data(js + ".br")))
            }
            row(
                "GET", "/static/\(js)",
                [
                    ("Accept-Encoding", browser), ("Available-Dictionary", held), ("Sec-Fetch-Site", "cross-site"),
                    ("Sec-Fetch-Mode", "cors"),
                ], status: 200, [("content-encoding", "dcz")], body: .bytes(site.data(deltaName)))
        }
        return rows
    }

    /// Rows against the responder with WhiteNoise's serving options set (the test target makes it):
    /// root files from ``ConformanceSite/rootFiles`` at `/`, `indexFile: "index.html"`,
    /// `maxAge: 300`, ``optionsMimeTypes``, and a headers hook that adds ``hookField`` (the file's
    /// name) and gives `robots.txt` `Cache-Control: no-store`; `Access-Control-Allow-Origin: *` as by
    /// default.
    public static func servingOptionRows(_ site: ConformanceSite) -> [ConformanceRow] {
        var rows: [ConformanceRow] = []
        func row(
            _ method: String, _ path: String, _ headers: [(name: String, value: String)] = [], status: Int,
            _ fields: [(name: String, value: String?)] = [], body: ConformanceRow.Body
        ) {
            rows.append(
                ConformanceRow(
                    request: ConformanceRequest(method, path, headers), status: status, fields: fields, body: body))
        }
        let unhashedCache = "public, max-age=\(optionsMaxAge)"
        let origin: (name: String, value: String?) = ("access-control-allow-origin", "*")
        let css = site.hashed("css/app.css")
        let big = site.hashed("data/big.txt")
        func rootData(_ name: String) -> Data {
            site.rootFiles.flatMap { try? Data(contentsOf: $0.appendingPathComponent(name)) } ?? Data()
        }

        // Every file response: the CORS field, the hook's field; hashed names keep their caching.
        row(
            "GET", "/static/\(css)", status: 200,
            [("cache-control", hashedCache), origin, (hookField, css), ("content-type", Self.css)],
            body: .bytes(site.data(css)))
        row(
            "GET", "/static/\(css)", [("If-None-Match", site.entityTag(css))], status: 304,
            [("etag", site.entityTag(css)), origin, (hookField, css)], body: .empty)
        // WHITENOISE_MAX_AGE: unhashed names.
        row(
            "GET", "/static/css/app.css", status: 200,
            [("cache-control", unhashedCache), origin, (hookField, "css/app.css")],
            body: .bytes(site.data("css/app.css")))
        // WHITENOISE_MIMETYPES: `.txt` overridden (and `; charset=utf-8` added to a text type).
        row(
            "GET", "/static/\(big)", [("Range", "bytes=0-99")], status: 206,
            [("content-type", "text/markdown; charset=utf-8"), origin, (hookField, big)],
            body: .bytes(site.data(big).subdata(in: 0..<100)))
        // Refusals carry the CORS field, not the hook's.
        row("GET", "/static/nope.css", status: 404, refusal(404, [(hookField, nil)]), body: .empty)
        row(
            "PUT", "/static/\(css)", status: 405, refusal(405, [("allow", "GET, HEAD"), (hookField, nil)]), body: .empty
        )

        // WHITENOISE_INDEX_FILE: a folder's URL answers with its index.html, the name without the
        // slash and the index file's own URL redirect (relative Location, unhashed caching).
        let index = site.data("docs/index.html")
        row(
            "GET", "/static/docs/", status: 200,
            [
                ("content-type", "text/html; charset=utf-8"), ("cache-control", unhashedCache), origin,
                (hookField, "docs/index.html"),
            ], body: .bytes(index))
        row("HEAD", "/static/docs/", status: 200, [("content-length", "\(index.count)")], body: .empty)
        row(
            "GET", "/static/docs", status: 302,
            [
                ("location", "docs/"), ("cache-control", unhashedCache), ("content-length", "0"), origin,
                (hookField, nil),
            ],
            body: .empty)
        row("GET", "/static/docs?x=1", status: 302, [("location", "docs/")], body: .empty)
        row(
            "GET", "/static/docs/index.html", status: 302, [("location", "./"), ("cache-control", unhashedCache)],
            body: .empty)
        for path in [
            "/static/", "/static/css/", "/static/nodir/", "/static/nodir", "/static/docs//", "/static/%2e%2e/",
        ] {
            row("GET", path, status: 404, refusal(404), body: .empty)
        }

        // WHITENOISE_ROOT: files at `/`, unhashed caching, variants, the index file, `.well-known/`.
        let robots = rootData("robots.txt")
        row(
            "GET", "/favicon.ico", status: 200,
            [
                ("content-type", "image/vnd.microsoft.icon"), ("cache-control", unhashedCache), origin,
                (hookField, "favicon.ico"), ("content-length", "\(rootData("favicon.ico").count)"), ("vary", nil),
            ], body: .bytes(rootData("favicon.ico")))
        row(
            "GET", "/robots.txt", status: 200,
            [
                ("content-type", "text/markdown; charset=utf-8"), ("cache-control", "no-store"), origin,
                (hookField, "robots.txt"), ("vary", "Accept-Encoding"), ("content-encoding", nil),
            ], body: .bytes(robots))
        row(
            "GET", "/robots.txt", [("Accept-Encoding", "gzip, br")], status: 200,
            [("content-encoding", "gzip"), ("vary", "Accept-Encoding"), origin], body: .bytes(rootData("robots.txt.gz"))
        )
        row("HEAD", "/robots.txt", status: 200, [("content-length", "\(robots.count)")], body: .empty)
        row(
            "GET", "/robots.txt", [("Range", "bytes=0-4")], status: 206,
            [("content-range", "bytes 0-4/\(robots.count)")],
            body: .bytes(robots.subdata(in: 0..<5)))
        row(
            "GET", "/robots.txt?x=1", status: 200, [(hookField, "robots.txt")], body: .bytes(robots))
        row(
            "GET", "/.well-known/security.txt", status: 200,
            [("cache-control", unhashedCache), origin, (hookField, ".well-known/security.txt")],
            body: .bytes(rootData(".well-known/security.txt")))
        row(
            "GET", "/sub/", status: 200, [("content-type", "text/html; charset=utf-8"), (hookField, "sub/index.html")],
            body: .bytes(rootData("sub/index.html")))
        row("GET", "/sub", status: 302, [("location", "sub/")], body: .empty)
        row("POST", "/robots.txt", status: 405, refusal(405, [("allow", "GET, HEAD")]), body: .empty)
        // Anything else at `/` is the application's: misses, dotfiles, traversal, symlinks out, folders.
        for (method, path) in [
            ("GET", "/"), ("GET", "/hello"), ("POST", "/hello"), ("GET", "/missing.txt"), ("GET", "/.env"),
            ("GET", "/.well-known/.hidden"), ("GET", "/.well-known/../.env"), ("GET", "/.well-known/%2e%2e/.env"),
            ("GET", "/%2e%2e/outside/secret.css"), ("GET", "/../outside/secret.css"), ("GET", "/escape.css"),
            ("GET", "/sub/../robots.txt"), ("GET", "/robots.txt.gz"), ("GET", "/.well-known"), ("GET", "/nodir/"),
            ("GET", "/sub/index.html/"), ("GET", "/robots.txt%00"),
        ] {
            // Not `//robots.txt`: Vapor collapses a request target's leading slashes into one before any
            // middleware sees it (`URI(path:)`), so it is `/robots.txt` there and a pass-on elsewhere.
            row(method, path, status: 0, body: .passedOn)
        }
        return rows
    }

    /// Rows against a responder with `allowAllOrigins: false`: no `Access-Control-Allow-Origin` anywhere.
    public static func originsOffRows(_ site: ConformanceSite) -> [ConformanceRow] {
        let css = site.hashed("css/app.css")
        let off: (name: String, value: String?) = ("access-control-allow-origin", nil)
        return [
            ConformanceRow(
                request: ConformanceRequest("GET", "/static/\(css)"), status: 200, fields: [off],
                body: .bytes(site.data(css))),
            ConformanceRow(
                request: ConformanceRequest("GET", "/static/\(css)", [("If-None-Match", site.entityTag(css))]),
                status: 304, fields: [off], body: .empty),
            ConformanceRow(
                request: ConformanceRequest("GET", "/static/nope.css"), status: 404,
                fields: [("content-length", "0"), off], body: .empty),
            ConformanceRow(
                request: ConformanceRequest("DELETE", "/static/\(css)"), status: 405, fields: [off], body: .empty),
        ]
    }

    /// Rows against the development responder over ``ConformanceSite/sourceRoots`` (`assets` holding
    /// `css/app.css`, `vendor` holding `lib.js`).
    public static func developmentRows(_ site: ConformanceSite) -> [ConformanceRow] {
        let assets = URL(fileURLWithPath: site.sourceRoots[0].path)
        let vendor = URL(fileURLWithPath: site.sourceRoots[1].path)
        let css = (try? Data(contentsOf: assets.appendingPathComponent("css/app.css"))) ?? Data()
        let lib = (try? Data(contentsOf: vendor.appendingPathComponent("lib.js"))) ?? Data()
        var rows: [ConformanceRow] = [
            ConformanceRow(
                request: ConformanceRequest("GET", "/static/css/app.css", [("Accept-Encoding", "br, gzip")]),
                status: 200,
                fields: [
                    ("content-type", Self.css), ("cache-control", "no-cache"), ("content-encoding", nil),
                    ("content-length", "\(css.count)"),
                ], body: .bytes(css)),
            ConformanceRow(
                request: ConformanceRequest("GET", "/static/vendor/lib.js"), status: 200,
                fields: [("content-type", Self.js), ("cache-control", "no-cache")], body: .bytes(lib)),
            ConformanceRow(
                request: ConformanceRequest("HEAD", "/static/css/app.css"), status: 200,
                fields: [("content-length", "\(css.count)"), ("cache-control", "no-cache")], body: .empty),
            ConformanceRow(
                request: ConformanceRequest("GET", "/static/css/app.css", [("Range", "bytes=1-3")]), status: 206,
                fields: [("content-range", "bytes 1-3/\(css.count)")], body: .bytes(css.subdata(in: 1..<4))),
            ConformanceRow(
                request: ConformanceRequest("POST", "/static/css/app.css"), status: 405,
                fields: refusal(405, [("allow", "GET, HEAD")]), body: .empty),
            ConformanceRow(
                request: ConformanceRequest("GET", "/hello"), status: 0, fields: [], body: .passedOn),
        ]
        for path in [
            "/static/vendor/../css/app.css", "/static/css/missing.css", "/static/.secret", "/static/%2e%2e/x",
            "/static/css/app.3f2a9c1b7d4e.css",
        ] {
            rows.append(
                ConformanceRow(
                    request: ConformanceRequest("GET", path), status: 404, fields: refusal(404), body: .empty))
        }
        return rows
    }
}
