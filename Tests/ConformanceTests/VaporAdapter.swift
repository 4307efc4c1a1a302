import Foundation
import StaticAssetsServer
import StaticAssetsVapor
import TestSupport
import Vapor

/// The Vapor middleware over real HTTP: `app.server` on 127.0.0.1 (ephemeral port) with the
/// middleware in front of an application that answers everything else with "passed on".
enum VaporAdapter {
    static func exchanges(_ responder: StaticFileResponder, _ requests: [ConformanceRequest]) async throws
        -> [ConformanceExchange]
    {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        app.middleware.use(StaticAssetsMiddleware(responder, chunkLength: 16 * 1024))
        app.middleware.use(PassedOn())
        var results: [ConformanceExchange] = []
        do {
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            guard let port = app.http.server.shared.localAddress?.port else {
                throw ConformanceError("the Vapor server did not start")
            }
            for request in requests { results.append(try await ConformanceHTTP.send(request, port: port)) }
        } catch {
            await app.server.shutdown()
            try await app.asyncShutdown()
            throw error
        }
        await app.server.shutdown()
        try await app.asyncShutdown()
        return results.map(ConformanceExchange.passedOnMarked)
    }

    /// The application behind the middleware: "passed on" for anything that reaches it.
    struct PassedOn: AsyncMiddleware {
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            Response(status: .ok, headers: ["X-Passed-On": "1"], body: .init(string: ConformanceTable.passedOnBody))
        }
    }
}
