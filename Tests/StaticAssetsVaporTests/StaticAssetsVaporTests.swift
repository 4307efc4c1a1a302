import CollectStatic
import Foundation
import Leaf
import StaticAssets
import StaticAssetsServer
import StaticAssetsVaporLeaf
import TestSupport
import Testing
import Vapor
import VaporTesting

@testable import StaticAssetsVapor

/// `app.staticAssets` (boot, environment), `req.staticAssets`, the Leaf tags through Vapor's renderer,
/// and how the middleware builds its responses. Serving itself is checked row by row against the
/// responder and the Hummingbird middleware in ConformanceTests.
@Suite struct StaticAssetsVaporTests {
    @discardableResult
    static func withApp<T>(
        _ environment: Environment, _ test: (Application) async throws -> T
    ) async throws -> T {
        let app = try await Application.make(environment)
        app.logger.logLevel = .warning
        do {
            let result = try await test(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    @Test func aMissingManifestStopsTheBootWithOneLineSayingWhatToRun() async throws {
        let empty = TestSupport.temporaryDirectory("vapor-uncollected").appendingPathComponent("static")
        try await Self.withApp(.production) { app in
            let middlewareBefore = app.middleware.resolve().count
            #expect {
                try app.staticAssets.setUp(.init(staticRoot: empty.path, sourceRoots: [(nil, CollectedSite.assets)]))
            } throws: { error in
                "\(error)"
                    == "static assets: cannot read manifest '\(empty.path)/staticfiles.json': no such file; run `collectstatic --noinput` first to collect the static files"
            }
            #expect(app.staticAssets.configured == nil)
            #expect(app.middleware.resolve().count == middlewareBefore)
            #expect(throws: StaticAssetsSetupError.notSetUp) { try app.staticAssets.resolver }
            #expect(throws: StaticAssetsSetupError.notSetUp) { try app.leaf.useStaticAssets() }
        }
        // A corrupt manifest is reported the same way.
        TestSupport.write("{", to: empty.appendingPathComponent("staticfiles.json"))
        try await Self.withApp(.production) { app in
            #expect {
                try app.staticAssets.setUp(.init(staticRoot: empty.path))
            } throws: { error in
                "\(error)".hasPrefix("static assets: corrupt manifest '\(empty.path)/staticfiles.json'")
            }
        }
    }

    /// Development mode follows `app.environment` when source roots are given; an explicit setting wins.
    @Test func developmentModeComesFromTheEnvironment() async throws {
        let root = try await CollectedSite.shared.value
        let cases: [(Environment, [(prefix: String?, path: String)], Bool?, Bool)] = [
            (.development, [(nil, CollectedSite.assets)], nil, true),
            (.production, [(nil, CollectedSite.assets)], nil, false),
            (.testing, [(nil, CollectedSite.assets)], nil, false),
            (.development, [], nil, false),
            (.development, [(nil, CollectedSite.assets)], false, false),
            (.production, [(nil, CollectedSite.assets)], true, true),
        ]
        let hashedCSS = try CollectedSite.manifest(root).paths["css/app.css"]!
        for (environment, roots, development, expected) in cases {
            try await Self.withApp(environment) { app in
                let configured = try app.staticAssets.setUp(
                    .init(staticRoot: root.path, sourceRoots: roots, development: development))
                #expect(
                    configured.isDevelopment == expected,
                    "\(environment.name) \(roots.count) \(String(describing: development))")
                app.get("url") { req in try req.staticAssets.url(for: "css/app.css") }
                try await app.testing().test(.GET, "url") { response in
                    #expect(response.body.string == (expected ? "/static/css/app.css" : "/static/\(hashedCSS)"))
                }
                // The middleware serves the source file in development mode, the collected one otherwise.
                try await app.testing().test(.GET, "static/css/app.css") { response in
                    #expect(response.status == .ok)
                    #expect(
                        response.headers.first(name: .cacheControl)
                            == (expected ? "no-cache" : "public, max-age=60"))
                }
            }
        }
        try await Self.withApp(.development) { app in
            #expect(throws: StaticAssetsSetupError.missingSourceRoot("/nonexistent/assets")) {
                try app.staticAssets.setUp(.init(staticRoot: root.path, sourceRoots: [(nil, "/nonexistent/assets")]))
            }
        }
    }

    @Test func routeHandlersResolveURLsAndIntegrity() async throws {
        let root = try await CollectedSite.shared.value
        let manifest = try CollectedSite.manifest(root)
        try await Self.withApp(.production) { app in
            try app.staticAssets.setUp(.init(staticRoot: root.path, staticURL: "https://cdn.example.com/static/"))
            app.get("asset", ":name") { req -> String in
                let name = try req.parameters.require("name").replacingOccurrences(of: "_", with: "/")
                return try req.staticAssets.url(for: name) + " " + (req.staticAssets.integrity(for: name) ?? "-")
            }
            let css = manifest.paths["css/app.css"]!
            try await app.testing().test(.GET, "asset/css_app.css") { response in
                #expect(response.status == .ok)
                #expect(
                    response.body.string == "https://cdn.example.com/static/\(css) \(manifest.files[css]!.integrity)")
            }
            try await app.testing().test(.GET, "asset/css_nope.css") { response in
                #expect(response.status == .internalServerError)
            }
            // The middleware answers the CDN URL's path.
            try await app.testing().test(.GET, "static/\(css)", headers: ["Accept-Encoding": "br"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers.first(name: .contentEncoding) == "br")
                #expect(response.headers.first(name: .cacheControl) == "public, max-age=31536000, immutable")
            }
        }
    }

    @Test func leafTagsRenderThroughVaporsRenderer() async throws {
        let root = try await CollectedSite.shared.value
        let manifest = try CollectedSite.manifest(root)
        let views = TestSupport.temporaryDirectory("vapor-views")
        TestSupport.write(
            ##"<link href="#static("css/app.css")" integrity="#staticIntegrity("css/app.css")"><script src="#static(script)"></script>"##,
            to: views.appendingPathComponent("page.leaf"))
        try await Self.withApp(.production) { app in
            try app.staticAssets.setUp(.init(staticRoot: root.path))
            app.directory.viewsDirectory = views.path + "/"
            app.views.use(.leaf)
            try app.leaf.useStaticAssets()
            app.get("page") { req async throws -> View in try await req.view.render("page", ["script": "js/app.js"]) }
            let css = manifest.paths["css/app.css"]!
            try await app.testing().test(.GET, "page") { response in
                #expect(response.status == .ok)
                #expect(
                    response.body.string
                        == #"<link href="/static/\#(css)" integrity="\#(manifest.files[css]!.integrity)"><script src="/static/\#(manifest.paths["js/app.js"]!)"></script>"#
                )
            }
        }
    }

    /// docs/benchmarks.md ("Vapor's 5 MB rate"): streamed bodies go in 256 KB chunks by default, from the
    /// middleware made by hand and from `app.staticAssets.setUp`'s settings (128 KB ran at 0.7 of it).
    @Test func streamedBodiesGoIn256KBChunksByDefault() {
        #expect(StaticAssetsSettings().chunkLength == 256 * 1024)
        let resolver = AssetResolver(manifest: Manifest(paths: [:], hash: "000000000000"), staticURL: "/static/")
        let middleware = StaticAssetsMiddleware(
            StaticFileResponder(staticRoot: "/nonexistent", resolver: resolver), reload: .off)
        #expect(middleware.chunkLength == 256 * 1024)
    }

    /// A file body larger than a chunk is a stream of the announced length (never read whole into
    /// memory), a smaller one one buffer; a memory body
    /// is the bytes held; HEAD keeps the GET's Content-Length with no body.
    @Test func fileBodiesAreStreamedWithTheResponderFields() async throws {
        let folder = TestSupport.temporaryDirectory("vapor-stream")
        let file = folder.appendingPathComponent("big.bin")
        TestSupport.write(Data(repeating: 42, count: 3_000_000), to: file)
        try await Self.withApp(.testing) { app in
            let request = Request(application: app, method: .GET, url: "/static/big.bin", on: app.eventLoopGroup.next())
            let open = try #require(OpenFile.open(path: file.path))
            let streamed = try await StaticAssetsMiddleware.response(
                StaticResponse(
                    status: 206,
                    headers: [("Content-Length", "2000000"), ("Content-Range", "bytes 10-2000009/3000000")],
                    body: .file(open, range: 10..<2_000_010)), for: request, chunkLength: 64 * 1024)
            #expect(streamed.status == .partialContent)
            #expect(streamed.body.buffer == nil)
            #expect(streamed.body.count == 2_000_000)
            #expect(streamed.headers.first(name: .contentLength) == "2000000")
            #expect(streamed.headers.first(name: .transferEncoding) == nil)

            // A range that fits one chunk is read at once, into one buffer.
            let small = try await StaticAssetsMiddleware.response(
                StaticResponse(status: 206, headers: [("Content-Length", "5")], body: .file(open, range: 7..<12)),
                for: request, chunkLength: 64 * 1024)
            #expect(small.body.buffer.map { Array($0.readableBytesView) } == [42, 42, 42, 42, 42])

            let memory = try await StaticAssetsMiddleware.response(
                StaticResponse(
                    status: 200, headers: [("Content-Length", "3")], body: .memory([1, 2, 3, 4], range: 1..<4)),
                for: request, chunkLength: 64 * 1024)
            #expect(memory.body.buffer.map { Array($0.readableBytesView) } == [2, 3, 4])

            let head = try await StaticAssetsMiddleware.response(
                StaticResponse(status: 200, headers: [("Content-Length", "3000000")], body: .none), for: request,
                chunkLength: 64 * 1024)
            #expect(head.body.count == 0)
            #expect(head.headers.first(name: .contentLength) == "3000000")
        }
    }

    /// A streamed body comes from the descriptor the responder opened, chunk by chunk straight into the
    /// buffers written out: the file replaced at its path (a new release's file renamed over it) after
    /// the response was made changes none of its bytes, and every chunk boundary is right.
    @Test func aStreamedBodyComesWhollyFromTheFileOpened() async throws {
        let folder = TestSupport.temporaryDirectory("vapor-snapshot")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("big.bin")
        let old = Data((0..<1_000_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) })
        TestSupport.write(old, to: file)
        try await Self.withApp(.testing) { app in
            let request = Request(application: app, method: .GET, url: "/static/big.bin", on: app.eventLoopGroup.next())
            let open = try #require(OpenFile.open(path: file.path))
            let response = try await StaticAssetsMiddleware.response(
                StaticResponse(
                    status: 200, headers: [("Content-Length", "\(old.count - 5)")],
                    body: .file(open, range: 5..<old.count)),
                for: request, chunkLength: 64 * 1024)
            let next = folder.appendingPathComponent("next.bin")
            TestSupport.write(Data(repeating: 0xEE, count: old.count), to: next)
            #expect(rename(next.path, file.path) == 0)
            let body = try await response.body.collect(on: app.eventLoopGroup.next()).get()
            #expect(body.map { Data($0.readableBytesView) } == old.subdata(in: 5..<old.count))
        }
    }

    /// A collect run publishing a new release while the app runs: `req.staticAssets` and the middleware
    /// move to it by themselves (the watch `setUp` starts), no restart, no reload call.
    @Test func aNewReleaseIsServedWithoutARestart() async throws {
        let dir = TestSupport.temporaryDirectory("vapor-reload")
        let source = dir.appendingPathComponent("assets")
        let root = dir.appendingPathComponent("static")
        func release(_ css: String) async throws {
            TestSupport.write(css, to: source.appendingPathComponent("css/app.css"))
            let configuration = Configuration(
                sourceRoots: [SourceRoot(path: source.path)], staticRoot: root.path,
                compression: CompressionPolicy(brotliQuality: 5))
            _ = try await Collector(configuration: configuration).run()
        }
        try await release("body { color: red; }\n")
        try await Self.withApp(.production) { app in
            try app.staticAssets.setUp(.init(staticRoot: root.path, reload: .watch(every: .milliseconds(200))))
            app.get("url") { req in try req.staticAssets.url(for: "css/app.css") }
            let first = try await app.testing().performTest(
                request: .init(method: .GET, url: "/url", headers: [:], body: ByteBuffer())
            ).body.string
            try await release("body { color: blue; }\n")
            var current = first
            let deadline = ContinuousClock.now + .seconds(10)
            while current == first && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                current = try await app.testing().performTest(
                    request: .init(method: .GET, url: "/url", headers: [:], body: ByteBuffer())
                ).body.string
            }
            #expect(current != first)
            let hashed = try CollectedSite.manifest(root).paths["css/app.css"]!
            #expect(current == "/static/\(hashed)")
            try await app.testing().test(.GET, current) { response in
                #expect(response.status == .ok)
                #expect(response.body.string == "body { color: blue; }\n")
            }
        }
    }
}
