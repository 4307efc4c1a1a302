// A tiny server for Benchmarks/serve/run.sh: one STATIC_ROOT served two ways on two loopback ports.
//
//   StaticAssetsServeBenchmark --root DIR --ours PORT --file-middleware PORT
//
// `--ours`: StaticAssetsMiddleware (manifest index, precompressed variants, strong ETags).
// `--file-middleware`: Hummingbird's own FileMiddleware over the same folder (identity only).
// Runs until SIGINT/SIGTERM.
//
//   StaticAssetsServeBenchmark --root DIR --measure-responder PATH [COUNT]
//
// Times `StaticFileResponder.respond(to:)` alone (no network) for one request path, and exits.
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
    let responder = StaticFileResponder(staticRoot: root, resolver: resolver)
    let request = StaticRequest(method: "GET", path: path, headers: [("accept-encoding", "gzip, deflate, br, zstd")])
    let count = CommandLine.arguments.last.flatMap(Int.init) ?? 200_000
    let clock = ContinuousClock()
    var statuses = 0
    let elapsed = clock.measure {
        for _ in 0..<count { statuses &+= responder.respond(to: request)?.status ?? 0 }
    }
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    print("respond(to: \(path)): \(count) calls, \(String(format: "%.2f", nanoseconds / Double(count) / 1000)) µs each")
    print("status of the last: \(responder.respond(to: request)?.status ?? 0) (checksum \(statuses))")
    exit(0)
}

guard let root = option("--root"), let ours = option("--ours").flatMap(Int.init),
    let theirs = option("--file-middleware").flatMap(Int.init)
else {
    print("usage: StaticAssetsServeBenchmark --root DIR --ours PORT --file-middleware PORT")
    exit(2)
}

let resolver = try AssetResolver(manifestPath: root + "/staticfiles.json", staticURL: "/static/")
let ourRouter = Router()
ourRouter.add(middleware: StaticAssetsMiddleware(StaticFileResponder(staticRoot: root, resolver: resolver)))
let theirRouter = Router()
theirRouter.add(middleware: FileMiddleware(root, urlBasePath: "/static"))

let ourApp = Application(router: ourRouter, configuration: .init(address: .hostname("127.0.0.1", port: ours)))
let theirApp = Application(router: theirRouter, configuration: .init(address: .hostname("127.0.0.1", port: theirs)))
try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await ourApp.runService() }
    group.addTask { try await theirApp.runService() }
    try await group.waitForAll()
}
