import StaticAssets
import StaticAssetsNIO
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
/// New releases are noticed by themselves (``Reload``, on by default): the resolver watches its
/// manifest path and swaps in the next release (manifest and tree) as a whole; each request is
/// answered wholly from the release it started on.
///
/// Status and fields are the responder's, unchanged (Vapor adds only `Date` and `Connection`). File
/// bodies are read from the file the responder opened, in chunks on the application's thread pool
/// straight into the buffers written out (the next chunk read while one is written), never held
/// whole; the small hashed files the responder keeps in memory are sent from there; HEAD, 304 and
/// error responses carry no body.
public struct StaticAssetsMiddleware: AsyncMiddleware {
    /// Whether the middleware makes the resolver watch for new releases.
    public enum Reload: Sendable, Equatable {
        /// `AssetResolver.watchForReleases(every:)`: inotify wakes it at once on Linux, and it checks
        /// (two `stat` calls) every `interval` in any case.
        case watch(every: Duration)
        /// No watch: the release changes only when the application reloads the resolver.
        case off

        /// A check every second.
        public static var `default`: Reload { .watch(every: .seconds(1)) }
    }

    public let responder: StaticFileResponder
    let chunkLength: Int

    /// Bytes per chunk of a streamed body: 256 KB. Vapor writes each chunk and waits for the socket to
    /// take it before the next (`AsyncBodyStreamWriter`), so fewer, larger chunks go faster: on a 5 MB
    /// file 256 KB and 512 KB chunks gave 1.4 times the rate of 128 KB ones (and of Vapor's
    /// `FileMiddleware`, which reads 128 KB), 1 MB less (docs/benchmarks.md). Two chunks are in memory
    /// per streamed response (one written, the next read ahead).
    public static let defaultChunkLength = 256 * 1024

    /// - Parameters:
    ///   - reload: whether to watch the resolver's manifest path for new releases (default: every
    ///     second), as the Hummingbird middleware does.
    ///   - chunkLength: bytes read from disk per chunk of a streamed body.
    public init(
        _ responder: StaticFileResponder, reload: Reload = .default, chunkLength: Int = defaultChunkLength
    ) {
        self.responder = responder
        self.chunkLength = max(1, chunkLength)
        if case .watch(let interval) = reload { responder.watchForReleases(every: interval) }
    }

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Still percent-encoded, without the query: what the responder expects.
        let path = request.url.path
        guard responder.handles(path: path),
            let answer = responder.respond(to: Self.staticRequest(request, path: path))
        else {
            return try await next.respond(to: request)
        }
        return try await Self.response(answer, for: request, chunkLength: chunkLength)
    }

    /// The one place a ``StaticResponse`` becomes a Vapor `Response`: the responder's status and
    /// fields as they are (no `Content-Length` recomputed by Vapor: a HEAD keeps the GET's), and its
    /// body from memory or read from the file the responder opened (its size and validators came
    /// from that same open file), on the application's thread pool: in one buffer when it fits one
    /// chunk, else streamed chunk by chunk, never held whole. A file that turns out shorter than the
    /// fields said ends the response with an error (the connection is closed) rather than sending
    /// fewer bytes than `Content-Length`.
    static func response(_ answer: StaticResponse, for request: Request, chunkLength: Int) async throws -> Response {
        var headers = HTTPHeaders()
        headers.reserveCapacity(answer.headers.count + 2)
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        let body: Response.Body
        switch answer.body {
        case .memory(let bytes, let range) where !range.isEmpty:
            body = Response.Body(buffer: ByteBuffer(bytes: bytes[range]))
        case .file(let file, let range) where !range.isEmpty:
            let pool = request.application.threadPool
            @Sendable func read(_ offset: Int, _ count: Int) async throws -> ByteBuffer {
                try await pool.runIfActive { try FileChunk.read(file, offset: offset, count: count) }
            }
            if range.count <= chunkLength {
                body = Response.Body(buffer: try await read(range.lowerBound, range.count))
            } else {
                body = Response.Body(
                    asyncStream: { writer in
                        do {
                            var offset = range.lowerBound + chunkLength
                            var current = try await read(range.lowerBound, chunkLength)
                            while offset < range.upperBound {
                                let count = min(chunkLength, range.upperBound - offset)
                                let start = offset
                                async let next = read(start, count)
                                try await writer.writeBuffer(current)
                                current = try await next
                                offset += count
                            }
                            try await writer.writeBuffer(current)
                            try await writer.write(.end)
                        } catch {
                            try? await writer.write(.error(error))
                        }
                    }, count: range.count)
            }
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
