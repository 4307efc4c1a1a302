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
// Runs until SIGINT/SIGTERM.
//
//   StaticAssetsServeBenchmark --root DIR --measure-responder PATH [COUNT]
//
// Times `StaticFileResponder.respond(to:)` alone (no network) for one request path, with memory
// serving and without, and exits.
import Foundation
import Hummingbird
import StaticAssets
import StaticAssetsHummingbird
import StaticAssetsServer

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
let ourRouter = Router()
ourRouter.add(middleware: StaticAssetsMiddleware(StaticFileResponder(staticRoot: root, resolver: resolver)))
let diskRouter = Router()
diskRouter.add(
    middleware: StaticAssetsMiddleware(
        StaticFileResponder(staticRoot: root, resolver: resolver, options: .init(memory: .disabled))))
let theirRouter = Router()
theirRouter.add(middleware: FileMiddleware(root, urlBasePath: "/static"))

let bytes = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: ceilingBody)))
var ceilingHeaders = HTTPFields()
ceilingHeaders[.contentType] = ceilingType
if let encoding = option("--ceiling-encoding") { ceilingHeaders[.contentEncoding] = encoding }
let fixedHeaders = ceilingHeaders
/// Answers everything under /static/ with the same bytes and fields.
struct FixedResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    let headers: HTTPFields
    let body: ByteBuffer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.uri.path.hasPrefix("/static/") else { return try await next(request, context) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
let ceilingRouter = Router()
ceilingRouter.add(middleware: FixedResponseMiddleware(headers: fixedHeaders, body: bytes))

func server(_ router: Router<BasicRequestContext>, _ port: Int) -> Application<RouterResponder<BasicRequestContext>> {
    Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
}
let apps = [
    server(ourRouter, ours), server(diskRouter, oursDisk), server(theirRouter, theirs), server(ceilingRouter, ceiling),
]
try await withThrowingTaskGroup(of: Void.self) { group in
    for app in apps { group.addTask { try await app.runService() } }
    try await group.waitForAll()
}
