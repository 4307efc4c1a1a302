import Hummingbird
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
/// File bodies are streamed in chunks read on NIO's thread pool (Hummingbird's `FileIO`), except
/// the small hashed files the responder holds in memory, which are sent from there; HEAD, 304 and
/// error responses carry no body.
public struct StaticAssetsMiddleware<Context: RequestContext>: RouterMiddleware {
    public let responder: StaticFileResponder
    let fileIO: FileIO
    let chunkLength: Int

    /// - Parameters:
    ///   - fileIO: reads file bodies (default: on NIO's singleton thread pool).
    ///   - chunkLength: bytes read from disk per chunk of a streamed body.
    public init(_ responder: StaticFileResponder, fileIO: FileIO = FileIO(), chunkLength: Int = 128 * 1024) {
        self.responder = responder
        self.fileIO = fileIO
        self.chunkLength = chunkLength
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
            let body = try await fileIO.loadFile(
                path: file, range: range.lowerBound...(range.upperBound - 1), context: context,
                chunkLength: chunkLength)
            return Response(status: status, headers: headers, body: body)
        default:
            return Response(status: status, headers: headers, body: ResponseBody())
        }
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
