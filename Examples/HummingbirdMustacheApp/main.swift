// Example app: Hummingbird + Mustache, serving a page whose asset URLs come from the manifest
// (`{{#static}}css/app.css{{/static}}`) and the collected files through StaticAssetsMiddleware
// (precompressed, immutable caching for hashed names).
//
//   swift run collectstatic --noinput      # collects Fixtures/site into public/static
//   swift run StaticAssetsExample          # then open http://127.0.0.1:8080/
//
// Settings (environment): STATIC_ROOT (public/static), STATIC_URL (/static/), TEMPLATES
// (Fixtures/site/templates), PORT (8080; 0 picks a free port), DEBUG_ASSETS=1 to serve straight from
// the source roots in Fixtures/site without collecting, STATIC_RELOAD_INTERVAL (seconds between
// checks for a new release, 1; 0 turns the watch off).
//
// A re-collect while the app runs is picked up by itself: the page and the files switch to the new
// release together (one resolver for both), and every response comes from one release.
//
// A missing or unreadable manifest (no collect run yet) or templates folder is one message on
// stderr and exit status 1.
import Foundation
import Hummingbird
import Mustache
import StaticAssets
import StaticAssetsHummingbird
import StaticAssetsMustache
import StaticAssetsServer

/// An HTML page as a Hummingbird response.
struct Page: ResponseGenerator {
    var html: String
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

func serve() async throws {
    let environment = ProcessInfo.processInfo.environment
    let staticRoot = environment["STATIC_ROOT"] ?? "public/static"
    let staticURL = environment["STATIC_URL"] ?? "/static/"
    let templates = environment["TEMPLATES"] ?? "Fixtures/site/templates"
    let port = Int(environment["PORT"] ?? "8080") ?? 8080
    let debug = environment["DEBUG_ASSETS"] == "1"
    let interval = Double(environment["STATIC_RELOAD_INTERVAL"] ?? "1") ?? 1

    let assets: AssetResolver
    let responder: StaticFileResponder
    if debug {
        assets = AssetResolver(manifest: Manifest(paths: [:], hash: ""), staticURL: staticURL, mode: .debug)
        responder = StaticFileResponder(
            development: SourceRootLookup(roots: [(nil, "Fixtures/site/assets"), ("vendor", "Fixtures/site/vendor")]))
    } else {
        assets = try AssetResolver(manifestPath: staticRoot + "/staticfiles.json", staticURL: staticURL)
        responder = StaticFileResponder(staticRoot: staticRoot, resolver: assets)
    }
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: templates, isDirectory: &isFolder), isFolder.boolValue else {
        throw ExampleError("templates folder \(templates) does not exist (set TEMPLATES)")
    }
    let library = try await MustacheLibrary(directory: templates)

    let router = Router()
    router.add(
        middleware: StaticAssetsMiddleware(
            responder, reload: interval > 0 ? .watch(every: .milliseconds(Int(interval * 1000))) : .off))
    router.get("/") { _, _ -> Page in
        let context = ["title": "collectstatic for Swift", "message": "Every asset URL on this page is fingerprinted."]
        return Page(html: try library.render(context, withTemplate: "index", assets: assets) ?? "")
    }
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: port)),
        onServerRunning: { channel in
            // Unbuffered, so a parent reading the pipe sees it at once.
            FileHandle.standardOutput.write(
                Data("listening on http://127.0.0.1:\(channel.localAddress?.port ?? port)/\n".utf8))
        })
    try await app.runService()
}

struct ExampleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

do {
    try await serve()
} catch {
    FileHandle.standardError.write(Data("StaticAssetsExample: error: \(error)\n".utf8))
    exit(1)
}
