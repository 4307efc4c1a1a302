import StaticAssetsServer
import Vapor

/// Serves STATIC_URL through a ``StaticFileResponder`` (precompressed variants, strong ETags,
/// immutable caching for hashed names, ranges, deltas) and passes every other request on.
///
/// Usually set up through ``StaticAssetsApplication/setUp(_:)`` (`app.staticAssets`), which adds it to
/// `app.middleware`; it can also be made and placed by hand:
///
/// ```swift
/// let assets = try AssetResolver(manifestPath: "public/static/staticfiles.json", staticURL: "/static/")
/// app.middleware.use(StaticAssetsMiddleware(StaticFileResponder(staticRoot: "public/static", resolver: assets)))
/// ```
///
/// Status and fields are the responder's, unchanged (Vapor adds only `Date` and `Connection`). File
/// bodies are streamed in chunks read with Vapor's file I/O (NIO's file system), never held whole;
/// the small hashed files the responder keeps in memory are sent from there; HEAD, 304 and error
/// responses carry no body.
public struct StaticAssetsMiddleware: AsyncMiddleware {
    public let responder: StaticFileResponder
    let chunkLength: Int

    /// - Parameter chunkLength: bytes read from disk per chunk of a streamed body.
    public init(_ responder: StaticFileResponder, chunkLength: Int = 128 * 1024) {
        self.responder = responder
        self.chunkLength = max(1, chunkLength)
    }

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Still percent-encoded, without the query: what the responder expects.
        let path = request.url.path
        guard responder.handles(path: path),
            let answer = responder.respond(to: Self.staticRequest(request, path: path))
        else {
            return try await next.respond(to: request)
        }
        return Self.response(answer, for: request, chunkLength: chunkLength)
    }

    /// The one place a ``StaticResponse`` becomes a Vapor `Response`: the responder's status and
    /// fields as they are (no `Content-Length` recomputed by Vapor: a HEAD keeps the GET's), and its
    /// body from memory or streamed from the file.
    static func response(_ answer: StaticResponse, for request: Request, chunkLength: Int) -> Response {
        var headers = HTTPHeaders()
        headers.reserveCapacity(answer.headers.count + 2)
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        let body: Response.Body
        switch answer.body {
        case .memory(let bytes, let range) where !range.isEmpty:
            body = Response.Body(buffer: ByteBuffer(bytes: bytes[range]))
        case .file(let path, let range) where !range.isEmpty:
            let fileIO = request.fileio
            // Opened inside the stream, so a response that is never sent leaves no descriptor open.
            body = Response.Body(
                asyncStream: { writer in
                    do {
                        let chunks = try await fileIO.readFile(
                            at: path, chunkSize: chunkLength, offset: Int64(range.lowerBound), byteCount: range.count)
                        do {
                            // The iterator closes the file at its end.
                            for try await chunk in chunks { try await writer.writeBuffer(chunk) }
                        } catch {
                            try? await chunks.closeHandle()
                            throw error
                        }
                        try await writer.write(.end)
                    } catch {
                        try? await writer.write(.error(error))
                    }
                }, count: range.count)
        default:
            body = .empty
        }
        return Response(
            status: HTTPResponseStatus(statusCode: answer.status), version: request.version,
            headersNoUpdate: headers, body: body)
    }

    /// The fields the responder reads, copied out of the request.
    static func staticRequest(_ request: Request, path: String) -> StaticRequest {
        var headers: [(name: String, value: String)] = []
        for name in Self.readFields {
            for value in request.headers[name] { headers.append((name, value)) }
        }
        return StaticRequest(method: request.method.rawValue, path: path, headers: headers)
    }

    /// Negotiation, conditional and range fields, and Compression Dictionary Transport's (RFC 9842): the
    /// dictionary held, and where the request comes from.
    static let readFields = [
        "Accept-Encoding", "If-None-Match", "If-Modified-Since", "Range", "If-Range", "Available-Dictionary",
        "Sec-Fetch-Site", "Sec-Fetch-Mode",
    ]
}
