import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import StaticAssetsHummingbird
import StaticAssetsServer

/// Runs a real Hummingbird server on 127.0.0.1 (ephemeral port, read back from `onServerRunning`)
/// with the middleware in front of two ordinary routes, for the duration of `body`; then shuts it
/// down gracefully.
enum LiveServer {
    /// One request as the server saw it: path, request fields, and the response's status and fields.
    struct Exchange: Sendable {
        var path: String
        var request: [String: String]
        var status: Int
        var response: [String: String]
    }

    /// - Parameters:
    ///   - server: the HTTP server (`.http1()`; with a `StaticAssetsFileRegionHandler`, or wrapped in TLS).
    ///   - outer: a middleware placed before the static one (it sees the static one's responses).
    static func with(
        _ responder: StaticFileResponder, chunkLength: Int = 128 * 1024,
        page: (@Sendable () -> String)? = nil, record: (@Sendable (Exchange) -> Void)? = nil,
        server: HTTPServerBuilder = .http1(),
        outer: (any MiddlewareProtocol<Request, Response, BasicRequestContext>)? = nil,
        _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let router = Router()
        if let record { router.add(middleware: Recorder(record: record)) }
        if let outer { router.add(middleware: outer) }
        router.add(middleware: StaticAssetsMiddleware(responder, chunkLength: chunkLength))
        if let page {
            router.get("/page") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: page())))
            }
        }
        router.get("/hello") { _, _ in "hello from the app" }
        router.get("/static-like/{name}") { _, _ in "app route" }
        var logger = Logger(label: "static-assets-test")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, server: server,
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

/// Records every exchange (for tests that drive a browser and check what it sent).
struct Recorder<Context: RequestContext>: RouterMiddleware {
    let record: @Sendable (LiveServer.Exchange) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let response = try await next(request, context)
        var sent: [String: String] = [:]
        for field in request.headers { sent[field.name.canonicalName.lowercased()] = field.value }
        var answered: [String: String] = [:]
        for field in response.headers { answered[field.name.canonicalName.lowercased()] = field.value }
        record(.init(path: request.uri.path, request: sent, status: Int(response.status.code), response: answered))
        return response
    }
}
