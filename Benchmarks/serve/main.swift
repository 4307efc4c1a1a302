// A tiny server for Benchmarks/serve/run.sh: one STATIC_ROOT served several ways on loopback ports.
//
//   StaticAssetsServeBenchmark --root DIR --ours PORT --ours-disk PORT --file-middleware PORT
//                              --ceiling PORT --ceiling-body FILE --ceiling-type TYPE --ceiling-encoding TOKEN
//
// `--ours`: StaticAssetsMiddleware with its defaults (small hashed files answered from memory).
// `--ours-disk`: the same with `memory: .disabled` (every body read from disk, as before memory serving).
// `--file-middleware`: Hummingbird's own FileMiddleware over the same folder (identity only).
// `--ceiling`: Hummingbird answering every request under /static/ with the bytes of FILE, read once at
//   start-up, with `Content-Type` and `Content-Encoding` set, from a middleware in the same place as
//   ours: the framework's ceiling for a small file.
// With `--vapor PORT --vapor-file PORT --vapor-ceiling PORT`, the same for Vapor 4, each a Vapor
// application on its own port with Vapor's default middleware (error and route logging):
// `--vapor`: StaticAssetsVapor's StaticAssetsMiddleware with its defaults; `--vapor-file`: Vapor's own
// FileMiddleware over the folder holding STATIC_ROOT (identity only); `--vapor-ceiling`: a middleware
// in the same place as ours answering every request under /static/ with the ceiling bytes and fields.
// `--ours-copying PORT`: the responder with file bodies streamed as before (each chunk read into an
// array, then copied into a ByteBuffer): the "before" of the 5 MB comparison.
// `--ours-regions PORT`: StaticAssetsMiddleware with its defaults in a server whose HTTP/1 channel has a
// StaticAssetsFileRegionHandler (file bodies as file regions: sendfile).
// `--vapor-chunks PORT=BYTES,PORT=BYTES...`: more Vapor servers like `--vapor`, each with that chunk length.
// Runs until SIGINT/SIGTERM.
//
//   StaticAssetsServeBenchmark --root DIR --measure-responder PATH [COUNT]
//
// Times `StaticFileResponder.respond(to:)` alone (no network) for one request path, with memory
// serving and without, and exits.
import Foundation
import Hummingbird
import HummingbirdCore
import NIOPosix
import StaticAssets
import StaticAssetsHummingbird
import StaticAssetsServer
import StaticAssetsVapor
import Vapor

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

if let root = option("--root"), let path = option("--measure-responder") {
    let resolver = try AssetResolver(manifestPath: root + "/staticfiles.json", staticURL: "/static/")
    let request = StaticRequest(method: "GET", path: path, headers: [("accept-encoding", "gzip, deflate, br, zstd")])
    let count = CommandLine.arguments.last.flatMap(Int.init) ?? 200_000
    for (label, memory) in [("memory", MemoryLimits()), ("disk", MemoryLimits.disabled)] {
        let responder = StaticFileResponder(staticRoot: root, resolver: resolver, options: .init(memory: memory))
        let clock = ContinuousClock()
        var statuses = 0
        let elapsed = clock.measure {
            for _ in 0..<count { statuses &+= responder.respond(to: request)?.status ?? 0 }
        }
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        let each = String(format: "%.2f", nanoseconds / Double(count) / 1000)
        print("respond(to: \(path)) [\(label)]: \(count) calls, \(each) µs each")
        print("status of the last: \(responder.respond(to: request)?.status ?? 0) (checksum \(statuses))")
    }
    exit(0)
}

guard let root = option("--root"), let ours = option("--ours").flatMap(Int.init),
    let oursDisk = option("--ours-disk").flatMap(Int.init),
    let theirs = option("--file-middleware").flatMap(Int.init), let ceiling = option("--ceiling").flatMap(Int.init),
    let ceilingBody = option("--ceiling-body"), let ceilingType = option("--ceiling-type")
else {
    print(
        "usage: StaticAssetsServeBenchmark --root DIR --ours PORT --ours-disk PORT --file-middleware PORT"
            + " --ceiling PORT --ceiling-body FILE --ceiling-type TYPE [--ceiling-encoding TOKEN]")
    exit(2)
}

let resolver = try AssetResolver(manifestPath: root + "/staticfiles.json", staticURL: "/static/")
let ourRouter = Hummingbird.Router()
ourRouter.add(
    middleware: StaticAssetsHummingbird.StaticAssetsMiddleware(
        StaticFileResponder(staticRoot: root, resolver: resolver)))
let diskRouter = Hummingbird.Router()
diskRouter.add(
    middleware: StaticAssetsHummingbird.StaticAssetsMiddleware(
        StaticFileResponder(staticRoot: root, resolver: resolver, options: .init(memory: .disabled))))
let theirRouter = Hummingbird.Router()
theirRouter.add(middleware: Hummingbird.FileMiddleware(root, urlBasePath: "/static"))

let bytes = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: ceilingBody)))
var ceilingHeaders = HTTPFields()
ceilingHeaders[.contentType] = ceilingType
if let encoding = option("--ceiling-encoding") { ceilingHeaders[.contentEncoding] = encoding }
let fixedHeaders = ceilingHeaders
/// Answers everything under /static/ with the same bytes and fields.
struct FixedResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    let headers: HTTPFields
    let body: ByteBuffer

    func handle(
        _ request: Hummingbird.Request, context: Context,
        next: (Hummingbird.Request, Context) async throws -> Hummingbird.Response
    )
        async throws -> Hummingbird.Response
    {
        guard request.uri.path.hasPrefix("/static/") else { return try await next(request, context) }
        return Hummingbird.Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
let ceilingRouter = Hummingbird.Router()
ceilingRouter.add(middleware: FixedResponseMiddleware(headers: fixedHeaders, body: bytes))

/// The middleware's file bodies as they were before reading into the written buffer: each chunk read
/// into a `[UInt8]` (`OpenFile.read(offset:count:)`), then copied into a `ByteBuffer`, one chunk at a
/// time (the "before" of the 5 MB comparison; same responder, same fields).
struct CopyingBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    let responder: StaticFileResponder
    let chunk = 128 * 1024

    func handle(
        _ request: Hummingbird.Request, context: Context,
        next: (Hummingbird.Request, Context) async throws -> Hummingbird.Response
    ) async throws -> Hummingbird.Response {
        guard let answer = responder.respond(to: StaticRequest(method: request.method.rawValue, path: request.uri.path))
        else { return try await next(request, context) }
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { headers.append(HTTPField(name: name, value: value)) }
        }
        guard case .file(let file, let range) = answer.body else {
            guard case .memory(let bytes, let range) = answer.body else {
                return Hummingbird.Response(status: .init(code: answer.status), headers: headers, body: ResponseBody())
            }
            return Hummingbird.Response(
                status: .init(code: answer.status), headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes[range])))
        }
        let chunk = chunk
        @Sendable func read(_ offset: Int, _ count: Int) async throws -> ByteBuffer {
            let bytes = try await NIOThreadPool.singleton.runIfActive { file.read(offset: offset, count: count) }
            return ByteBuffer(bytes: bytes ?? [])
        }
        return Hummingbird.Response(
            status: .init(code: answer.status), headers: headers,
            body: ResponseBody(contentLength: range.count) { writer in
                var offset = range.lowerBound
                while offset < range.upperBound {
                    let count = min(chunk, range.upperBound - offset)
                    try await writer.write(try await read(offset, count))
                    offset += count
                }
                try await writer.finish(nil)
            })
    }
}
typealias HTTPField = HTTPFields.Element

func server(_ router: Hummingbird.Router<BasicRequestContext>, _ port: Int)
    -> Hummingbird.Application<RouterResponder<BasicRequestContext>>
{
    Hummingbird.Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
}
var apps = [
    server(ourRouter, ours), server(diskRouter, oursDisk), server(theirRouter, theirs), server(ceilingRouter, ceiling),
]
if let port = option("--ours-regions").flatMap(Int.init) {
    let router = Hummingbird.Router()
    router.add(
        middleware: StaticAssetsHummingbird.StaticAssetsMiddleware(
            StaticFileResponder(staticRoot: root, resolver: resolver)))
    apps.append(
        Hummingbird.Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [StaticAssetsFileRegionHandler()])),
            configuration: .init(address: .hostname("127.0.0.1", port: port))))
}
if let port = option("--ours-copying").flatMap(Int.init) {
    let router = Hummingbird.Router()
    router.add(middleware: CopyingBodyMiddleware(responder: StaticFileResponder(staticRoot: root, resolver: resolver)))
    apps.append(server(router, port))
}

/// Answers everything under /static/ with the same bytes and fields (Vapor's ceiling).
struct VaporFixedResponse: AsyncMiddleware {
    let headers: HTTPHeaders
    let body: ByteBuffer

    func respond(to request: Vapor.Request, chainingTo next: any AsyncResponder) async throws -> Vapor.Response {
        guard request.url.path.hasPrefix("/static/") else { return try await next.respond(to: request) }
        return Vapor.Response(status: .ok, headers: headers, body: .init(buffer: body))
    }
}

/// A Vapor application (production environment, Vapor's default middleware) with `middleware` added,
/// listening on 127.0.0.1:`port`.
func vaporServer(_ port: Int, _ middleware: any Vapor.Middleware) async throws -> Vapor.Application {
    let app = try await Vapor.Application.make(.production)
    app.logger.logLevel = .error
    app.middleware.use(middleware)
    try await app.server.start(address: .hostname("127.0.0.1", port: port))
    return app
}
var vaporApps: [Vapor.Application] = []
if let port = option("--vapor").flatMap(Int.init) {
    vaporApps.append(
        try await vaporServer(
            port, StaticAssetsVapor.StaticAssetsMiddleware(StaticFileResponder(staticRoot: root, resolver: resolver))))
}
for entry in (option("--vapor-chunks") ?? "").split(separator: ",") {
    let parts = entry.split(separator: "=")
    guard parts.count == 2, let port = Int(parts[0]), let chunk = Int(parts[1]) else { continue }
    vaporApps.append(
        try await vaporServer(
            port,
            StaticAssetsVapor.StaticAssetsMiddleware(
                StaticFileResponder(staticRoot: root, resolver: resolver), chunkLength: chunk)))
}
if let port = option("--vapor-file").flatMap(Int.init) {
    let parent = URL(fileURLWithPath: root).deletingLastPathComponent().path + "/"
    vaporApps.append(try await vaporServer(port, Vapor.FileMiddleware(publicDirectory: parent)))
}
if let port = option("--vapor-ceiling").flatMap(Int.init) {
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: ceilingType)
    if let encoding = option("--ceiling-encoding") { headers.add(name: "Content-Encoding", value: encoding) }
    vaporApps.append(try await vaporServer(port, VaporFixedResponse(headers: headers, body: bytes)))
}
try await withThrowingTaskGroup(of: Void.self) { group in
    for app in apps { group.addTask { try await app.runService() } }
    try await group.waitForAll()
}
for app in vaporApps { try await app.asyncShutdown() }
