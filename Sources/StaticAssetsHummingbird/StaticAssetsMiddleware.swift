import Hummingbird
import NIOCore
import NIOPosix
import StaticAssets
import StaticAssetsNIO
import StaticAssetsServer

/// Serves STATIC_URL through a ``StaticFileResponder`` (precompressed variants, strong ETags,
/// immutable caching for hashed names, ranges) and passes every other request to the next handler.
///
/// ```swift
/// let assets = try AssetResolver(manifestPath: "public/static/staticfiles.json", staticURL: "/static/")
/// let router = Router()
/// router.add(middleware: StaticAssetsMiddleware(StaticFileResponder(staticRoot: "public/static", resolver: assets)))
/// ```
///
/// New releases are noticed by themselves (``Reload``, on by default): the resolver watches its
/// manifest path and swaps in the next release (manifest and tree) as a whole; templates rendered
/// with the same resolver see the same release. Each request is answered wholly from the release it
/// started on.
///
/// File bodies come from the file the responder opened (its size and validators came from the same
/// open file): handed to the kernel as a file region (`sendfile`) on a connection whose pipeline has a
/// ``StaticAssetsFileRegionHandler`` and no TLS, else read in chunks on NIO's thread pool straight into
/// the buffers written out; the small hashed files the responder holds in memory are sent from there;
/// HEAD, 304 and error responses carry no body.
public struct StaticAssetsMiddleware<Context: RequestContext>: RouterMiddleware {
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
    let threadPool: NIOThreadPool
    let chunkLength: Int

    /// - Parameters:
    ///   - reload: whether to watch the resolver's manifest path for new releases (default: every second).
    ///   - threadPool: where file bodies are read (default: NIO's singleton pool).
    ///   - chunkLength: bytes read from disk per chunk of a streamed body.
    public init(
        _ responder: StaticFileResponder, reload: Reload = .default, threadPool: NIOThreadPool = .singleton,
        chunkLength: Int = 128 * 1024
    ) {
        self.responder = responder
        self.threadPool = threadPool
        self.chunkLength = max(1, chunkLength)
        if case .watch(let interval) = reload { responder.watchForReleases(every: interval) }
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard responder.handles(path: path),
            let answer = responder.respond(to: Self.staticRequest(request, path: path))
        else {
            return try await next(request, context)
        }
        var headers = HTTPFields()
        headers.reserveCapacity(answer.headers.count)
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: answer.status)
        switch answer.body {
        case .memory(let bytes, let range) where !range.isEmpty:
            return Response(
                status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes[range])))
        case .file(let file, let range) where !range.isEmpty:
            if let id = Self.handOver(file, range, request) {
                headers[FileRegionFields.region] = String(id)
                return Response(status: status, headers: headers, body: ResponseBody())
            }
            return Response(status: status, headers: headers, body: try await body(file, range))
        default:
            return Response(status: status, headers: headers, body: ResponseBody())
        }
    }

    /// The bytes `range` of the open file: in one buffer when they fit one chunk, else streamed, the
    /// next chunk read while the previous one is written. Each chunk is read (`pread` on the open
    /// descriptor, on the thread pool) straight into the `ByteBuffer` NIO writes to the socket: no
    /// intermediate copy. A file that turns out shorter than the fields said ends the response with
    /// an error (the connection is closed) rather than sending fewer bytes than `Content-Length`.
    ///
    /// The path without a ``StaticAssetsFileRegionHandler``: Hummingbird's response body writer
    /// (`ResponseBodyWriter`) takes `ByteBuffer`s only, and its channel's outbound type
    /// (`HTTPResponsePart`, `HTTPPart<HTTPResponse, ByteBuffer>`) has no room for a `FileRegion`.
    func body(_ file: OpenFile, _ range: Range<Int>) async throws -> ResponseBody {
        let pool = threadPool
        let chunk = chunkLength
        @Sendable func read(_ offset: Int, _ count: Int) async throws -> ByteBuffer {
            try await pool.runIfActive { try FileChunk.read(file, offset: offset, count: count) }
        }
        if range.count <= chunk {
            return ResponseBody(byteBuffer: try await read(range.lowerBound, range.count))
        }
        return ResponseBody(contentLength: range.count) { writer in
            var offset = range.lowerBound + min(chunk, range.count)
            var current = try await read(range.lowerBound, min(chunk, range.count))
            while offset < range.upperBound {
                let count = min(chunk, range.upperBound - offset)
                let start = offset
                async let next = read(start, count)
                try await writer.write(current)
                current = try await next
                offset += count
            }
            try await writer.write(current)
            try await writer.finish(nil)
        }
    }

    /// Hands the bytes `range` of the open file to the request's connection as a file region (a new
    /// descriptor of the same file, which the connection's ``StaticAssetsFileRegionHandler`` closes):
    /// the id the response names, or nil when the request did not come through such a handler on a
    /// plain connection (or the connection has closed, or no descriptor is left).
    static func handOver(_ file: OpenFile, _ range: Range<Int>, _ request: Request) -> UInt64? {
        guard let token = request.headers[FileRegionFields.connection],
            let connection = FileRegionConnections.connection(token: token),
            let descriptor = file.duplicateDescriptor()
        else { return nil }
        let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
        let region = FileRegion(fileHandle: handle, readerIndex: range.lowerBound, endIndex: range.upperBound)
        guard let id = connection.handOver(region) else {
            try? handle.close()
            return nil
        }
        return id
    }

    /// The fields the responder reads, copied out of the request.
    static func staticRequest(_ request: Request, path: String) -> StaticRequest {
        var headers: [(name: String, value: String)] = []
        for name in [HTTPField.Name.acceptEncoding, .ifNoneMatch, .ifModifiedSince, .range, .ifRange] {
            for value in request.headers[values: name] { headers.append((name.canonicalName, value)) }
        }
        // Compression Dictionary Transport (RFC 9842): the dictionary held, and where the request comes from.
        for name in [Self.availableDictionary, Self.secFetchSite, Self.secFetchMode] {
            for value in request.headers[values: name] { headers.append((name.canonicalName, value)) }
        }
        return StaticRequest(method: request.method.rawValue, path: path, headers: headers)
    }
}

extension StaticAssetsMiddleware {
    static var availableDictionary: HTTPField.Name { HTTPField.Name("Available-Dictionary")! }
    static var secFetchSite: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }
    static var secFetchMode: HTTPField.Name { HTTPField.Name("Sec-Fetch-Mode")! }
}

/// `HTTPTypes.HTTPField`, reached through the `HTTPFields` that Hummingbird re-exports (so this target
/// needs no direct dependency on swift-http-types).
typealias HTTPField = HTTPFields.Element
