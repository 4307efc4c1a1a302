import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StaticAssetsHummingbird
import StaticAssetsServer

/// Runs a real Hummingbird server on 127.0.0.1 (ephemeral port, read back from `onServerRunning`)
/// with the middleware in front of two ordinary routes, for the duration of `body`; then shuts it
/// down gracefully.
enum LiveServer {
    static func with(
        _ responder: StaticFileResponder, chunkLength: Int = 128 * 1024, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let router = Router()
        router.add(middleware: StaticAssetsMiddleware(responder, chunkLength: chunkLength))
        router.get("/hello") { _, _ in "hello from the app" }
        router.get("/static-like/{name}") { _, _ in "app route" }
        var logger = Logger(label: "static-assets-test")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                guard port > 0 else { throw CurlError(message: "server did not start") }
                try await body(port)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
        }
    }
}
