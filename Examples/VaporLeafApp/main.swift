// Example app: Vapor + Leaf, serving a page whose asset URLs and integrity values come from the
// manifest (`#static("css/app.css")`, `#staticIntegrity("css/app.css")`) and the collected files
// through StaticAssetsMiddleware (precompressed, immutable caching for hashed names).
//
//   swift run collectstatic --noinput                           # collects Fixtures/site into public/static
//   swift run StaticAssetsVaporExample serve --env production   # then open http://127.0.0.1:8080/
//   swift run StaticAssetsVaporExample                          # development: the source folders, no collect
//
// Settings (environment): STATIC_ROOT (public/static), STATIC_URL (/static/), TEMPLATES
// (Fixtures/site/templates), PORT (8080; 0 picks a free port); Vapor's `--env`/`VAPOR_ENV` chooses the
// environment (development by default, where the files come straight from Fixtures/site).
//
// In production a missing or unreadable manifest (no collect run yet) is one message on stderr and
// exit status 1.
import Foundation
import Leaf
import StaticAssetsVapor
import StaticAssetsVaporLeaf
import Vapor

func configure(_ app: Application) throws {
    let environment = ProcessInfo.processInfo.environment
    try app.staticAssets.setUp(
        StaticAssetsSettings(
            staticRoot: environment["STATIC_ROOT"] ?? "public/static",
            staticURL: environment["STATIC_URL"] ?? "/static/",
            sourceRoots: [(nil, "Fixtures/site/assets"), ("vendor", "Fixtures/site/vendor")]))

    let templates = environment["TEMPLATES"] ?? "Fixtures/site/templates"
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: templates, isDirectory: &isFolder), isFolder.boolValue else {
        throw ExampleError("templates folder \(templates) does not exist (set TEMPLATES)")
    }
    app.directory.viewsDirectory = URL(fileURLWithPath: templates).path + "/"
    app.views.use(.leaf)
    try app.leaf.useStaticAssets()

    let mode = app.staticAssets.configured?.isDevelopment == true ? "development: source folders" : "collected"
    app.get { req async throws -> View in
        try await req.view.render(
            "index",
            [
                "title": "collectstatic for Swift", "message": "Every asset URL on this page is fingerprinted.",
                "mode": mode,
            ])
    }
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = Int(environment["PORT"] ?? "8080") ?? 8080
}

struct ExampleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func run() async throws {
    var env = try Environment.detect()
    try LoggingSystem.bootstrap(from: &env)
    let app = try await Application.make(env)
    do {
        try configure(app)
        try await app.execute()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("StaticAssetsVaporExample: error: \(error)\n".utf8))
    exit(1)
}
