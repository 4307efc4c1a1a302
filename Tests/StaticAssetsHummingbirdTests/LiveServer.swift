import Foundation
import Hummingbird
import StaticAssetsHummingbird
import StaticAssetsServer

/// Runs a real Hummingbird server on 127.0.0.1 (ephemeral port) with the middleware in front of one
/// ordinary route, for the duration of `body`.
enum LiveServer {
    static func with(
        _ responder: StaticFileResponder, chunkLength: Int = 128 * 1024, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let router = Router()
        router.add(middleware: StaticAssetsMiddleware(responder, chunkLength: chunkLength))
        router.get("/hello") { _, _ in "hello from the app" }
        router.get("/static-like/{name}") { _, _ in "app route" }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "static-assets-test"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw CurlError(message: "server did not start") }
            do {
                try await body(port)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}
