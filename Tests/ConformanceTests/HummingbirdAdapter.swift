import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import StaticAssetsHummingbird
import StaticAssetsServer
import TestSupport

/// The Hummingbird middleware over real HTTP: a server on 127.0.0.1 (ephemeral port) with the
/// middleware in front of an application that answers everything else with "passed on". With
/// `fileRegions`, the server's HTTP/1 channel has a `StaticAssetsFileRegionHandler` counting into it:
/// file bodies go to the socket as file regions (`sendfile`).
enum HummingbirdAdapter {
    static func exchanges(
        _ responder: StaticFileResponder, _ requests: [ConformanceRequest], fileRegions: FileRegionCounter? = nil
    ) async throws -> [ConformanceExchange] {
        let router = Router()
        router.add(middleware: StaticAssetsMiddleware(responder, chunkLength: 16 * 1024))
        router.add(middleware: PassedOn())
        var logger = Logger(label: "conformance-hummingbird")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server: HTTPServerBuilder =
            if let fileRegions {
                .http1(
                    configuration: .init(additionalChannelHandlers: [
                        StaticAssetsFileRegionHandler(counter: fileRegions)
                    ]))
            } else {
                .http1()
            }
        let app = Application(
            router: router, server: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            var results: [ConformanceExchange] = []
            do {
                guard port > 0 else { throw ConformanceError("the Hummingbird server did not start") }
                for request in requests { results.append(try await ConformanceHTTP.send(request, port: port)) }
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return results.map(ConformanceExchange.passedOnMarked)
        }
    }

    /// The application behind the middleware: "passed on" for anything that reaches it.
    struct PassedOn<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            Response(
                status: .ok, headers: [HTTPField.Name("X-Passed-On")!: "1"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ConformanceTable.passedOnBody)))
        }
    }
}

typealias HTTPField = HTTPFields.Element
