import Foundation
import StaticAssetsServer
import TestSupport

/// The responder called directly, no HTTP: the reference the middleware adapters are held to.
enum ResponderAdapter {
    static func exchange(_ responder: StaticFileResponder, _ request: ConformanceRequest) -> ConformanceExchange {
        guard
            let answer = responder.respond(
                to: StaticRequest(method: request.method, path: request.path, headers: request.headers))
        else {
            return ConformanceExchange(status: 0, headers: [], body: Data())
        }
        return ConformanceExchange(status: answer.status, headers: answer.headers, body: body(answer.body))
    }

    /// The bytes a body stands for (the one place that reads a `StaticResponse.Body`).
    static func body(_ body: StaticResponse.Body) -> Data {
        switch body {
        case .none:
            return Data()
        case .memory(let bytes, let range):
            return Data(bytes[range])
        case .file(let file, let range):
            return Data(file.read(offset: range.lowerBound, count: range.count) ?? Array("unreadable".utf8))
        }
    }
}
