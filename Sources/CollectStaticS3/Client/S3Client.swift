import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The S3 operations publishing needs, over AsyncHTTPClient: signed with SigV4 (real payload
/// SHA-256), at most `concurrency` requests in flight, retried with backoff and jitter on 500, 503,
/// SlowDown, timeouts and lost connections.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    private let http: HTTPClient
    private let ownsHTTP: Bool
    private let signer: SigV4Signer
    private let limiter: RequestLimiter
    private let counter = RequestCounter()

    public init(configuration: S3Configuration) {
        self.configuration = configuration
        var http = HTTPClient.Configuration()
        http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, configuration.concurrency)
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        self.ownsHTTP = true
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.limiter = RequestLimiter(limit: configuration.concurrency)
    }

    /// Runs `body` with a client for `configuration`, shut down afterwards however `body` ends.
    public static func using<R, E: Error>(
        _ configuration: S3Configuration, _ body: (S3Client) async throws(E) -> R
    ) async throws(E) -> R {
        let client = S3Client(configuration: configuration)
        let result: Result<R, E>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        await client.shutdown()
        return try result.get()
    }

    /// Closes the connections. Call once when done.
    public func shutdown() async {
        if ownsHTTP { try? await http.shutdown() }
    }

    /// Requests sent so far (each attempt counts), by method; copies count as `COPY`, not `PUT`.
    public func requestCounts() async -> [String: Int] { await counter.counts }

    // MARK: Operations

    public enum Condition: Sendable, Equatable {
        case none
        /// Create only: `If-None-Match: *`.
        case absent
        /// Replace only this version: `If-Match: etag`.
        case matches(String)
    }

    public struct Object: Sendable {
        public let body: Data
        public let etag: String
    }

    public struct Head: Sendable, Equatable {
        public let size: Int
        public let etag: String
        public let contentType: String?
        public let contentEncoding: String?
        public let cacheControl: String?
    }

    public struct ListedObject: Sendable, Equatable {
        public let key: String
        public let size: Int
        public let etag: String
        /// When the object was last written (nil when the listing did not say).
        public var lastModified: Date? = nil
    }

    public struct PutOptions: Sendable, Equatable {
        public var contentType: String?
        public var contentEncoding: String?
        public var cacheControl: String?
        public var condition: Condition

        public init(
            contentType: String? = nil, contentEncoding: String? = nil, cacheControl: String? = nil,
            condition: Condition = .none
        ) {
            self.contentType = contentType
            self.contentEncoding = contentEncoding
            self.cacheControl = cacheControl
            self.condition = condition
        }
    }

    /// PutObject with `Content-MD5` and the body's SHA-256. Returns the new ETag. A failed condition
    /// throws an `S3Error` with status 412 (or 409 where a provider answers ConditionalRequestConflict).
    @discardableResult
    public func putObject(key: String, body: Data, options: PutOptions = PutOptions()) async throws -> String {
        let headers = Self.putHeaders(md5Base64: Data(Insecure.MD5.hash(data: body)).base64EncodedString(), options)
        let response = try await send("PUT", operation: "PutObject", key: key, headers: headers, body: body)
        return response.headers.first(name: "etag") ?? ""
    }

    /// PutObject of the file at `path`, as `putObject(key:body:options:)`, its bytes read in chunks
    /// (for the digests, then for each attempt) rather than held: a release's record and pointer
    /// manifest of a large tree are tens of megabytes.
    @discardableResult
    public func putObject(key: String, file path: String, options: PutOptions = PutOptions()) async throws -> String {
        try await putObject(key: key, payload: try FilePayload(path: path), options: options)
    }

    /// PutObject of a file whose size and digests were read already.
    @discardableResult
    func putObject(key: String, payload: FilePayload, options: PutOptions = PutOptions()) async throws -> String {
        let headers = Self.putHeaders(md5Base64: payload.md5Base64, options)
        let response = try await send("PUT", operation: "PutObject", key: key, headers: headers, file: payload)
        return response.headers.first(name: "etag") ?? ""
    }

    /// A PutObject's headers: the body's MD5, then what `options` sets.
    private static func putHeaders(md5Base64: String, _ options: PutOptions) -> [(String, String)] {
        var headers: [(String, String)] = [("Content-MD5", md5Base64)]
        if let value = options.contentType { headers.append(("Content-Type", value)) }
        if let value = options.contentEncoding { headers.append(("Content-Encoding", value)) }
        if let value = options.cacheControl { headers.append(("Cache-Control", value)) }
        switch options.condition {
        case .none: break
        case .absent: headers.append(("If-None-Match", "*"))
        case .matches(let etag): headers.append(("If-Match", etag))
        }
        return headers
    }

    /// CopyObject: the object `source` (a key of this bucket) copied server-side to `key`, with the
    /// headers of `options` (`x-amz-metadata-directive: REPLACE`). A copy that S3 answers with 200
    /// and an error document (it can, once the copy has started) is an error, and retried as one.
    public func copyObject(from source: String, to key: String, options: PutOptions = PutOptions()) async throws {
        var headers: [(String, String)] = [
            ("x-amz-copy-source", URIEncoding.encode("\(configuration.bucket)/\(source)", keepSlash: true)),
            ("x-amz-metadata-directive", "REPLACE"),
        ]
        if let value = options.contentType { headers.append(("Content-Type", value)) }
        if let value = options.contentEncoding { headers.append(("Content-Encoding", value)) }
        if let value = options.cacheControl { headers.append(("Cache-Control", value)) }
        _ = try await send("PUT", operation: "CopyObject", key: key, headers: headers)
    }

    /// GetObject: the bytes and ETag, or nil when there is no such key.
    public func getObject(key: String) async throws -> Object? {
        let response = try await send("GET", operation: "GetObject", key: key, allow404: true)
        if response.status == 404 { return nil }
        return Object(body: response.body, etag: response.headers.first(name: "etag") ?? "")
    }

    /// GetObject without holding the body: its SHA-256 (hex) and ETag, or nil when there is no such
    /// key. For the pointer manifest, whose bytes name the release (tens of megabytes for a large tree).
    public func objectDigest(key: String) async throws -> (sha256: String, etag: String)? {
        let sink = BodySink(file: nil)
        let response = try await send("GET", operation: "GetObject", key: key, allow404: true, sink: sink)
        if response.status == 404 { return nil }
        return (sink.sha256Hex(), response.headers.first(name: "etag") ?? "")
    }

    /// GetObject into a temporary file (removed with `DownloadedObject.remove()`), or nil when there
    /// is no such key: for a release record, which holds a line per object and the manifest's text.
    func download(key: String) async throws -> DownloadedObject? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "collectstatic-download-\(UInt64.random(in: 0...UInt64.max))"
        ).path
        let sink = BodySink(file: path)
        defer { sink.close() }
        let response: Response
        do {
            response = try await send("GET", operation: "GetObject", key: key, allow404: true, sink: sink)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        if response.status == 404 {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
        return DownloadedObject(path: path, sha256: sink.sha256Hex())
    }

    /// HeadObject, or nil when there is no such key.
    public func headObject(key: String) async throws -> Head? {
        let response = try await send("HEAD", operation: "HeadObject", key: key, allow404: true)
        if response.status == 404 { return nil }
        let headers = response.headers
        return Head(
            size: Int(headers.first(name: "content-length") ?? "") ?? 0, etag: headers.first(name: "etag") ?? "",
            contentType: headers.first(name: "content-type"), contentEncoding: headers.first(name: "content-encoding"),
            cacheControl: headers.first(name: "cache-control"))
    }

    /// Every object under `prefix` (a full key prefix), following continuation tokens.
    public func listObjects(prefix: String, pageSize: Int = 1000) async throws -> [ListedObject] {
        var objects: [ListedObject] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("max-keys", String(pageSize)), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", operation: "ListObjectsV2", key: "", query: query)
            let page: XMLResponses.ListPage
            do {
                page = try XMLResponses.listPage(response.body)
            } catch {
                throw failure(.malformed("cannot read the listing: \(error)"), operation: "ListObjectsV2", key: nil)
            }
            objects += page.objects
            token = page.nextToken
        } while token != nil
        return objects
    }

    /// DeleteObject: one key (absent counts as deleted).
    public func deleteObject(key: String) async throws {
        _ = try await send("DELETE", operation: "DeleteObject", key: key, allow404: true)
    }

    /// Deletes the keys: DeleteObjects in batches of at most 1,000; single DELETEs where the
    /// provider answers NotImplemented. Keys that were already absent count as deleted.
    public func deleteObjects(keys: [String]) async throws {
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(start + 1000, keys.count)])
            start += batch.count
            let body = XMLResponses.deleteRequest(keys: batch)
            let response: Response
            do {
                response = try await send(
                    "POST", operation: "DeleteObjects", key: "", query: [("delete", "")],
                    headers: [
                        ("Content-MD5", Data(Insecure.MD5.hash(data: body)).base64EncodedString()),
                        ("Content-Type", "application/xml"),
                    ], body: body)
            } catch let error as S3Error where error.code == "NotImplemented" || error.status == 501 {
                try await deleteEach(batch)
                continue
            }
            let result: XMLResponses.DeleteResult
            do {
                result = try XMLResponses.deleteResult(response.body)
            } catch {
                throw failure(.malformed("cannot read the DeleteObjects result"), operation: "DeleteObjects", key: nil)
            }
            if let first = result.errors.first {
                throw failure(
                    .response(status: 200, code: first.code, message: nil), operation: "DeleteObjects", key: first.key)
            }
        }
    }

    private func deleteEach(_ keys: [String]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for key in keys {
                group.addTask { try await self.deleteObject(key: key) }
            }
            try await group.waitForAll()
        }
    }

    // MARK: Sending

    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data
    }

    private func failure(_ kind: S3Error.Kind, operation: String, key: String?) -> S3Error {
        S3Error(
            kind: kind, operation: operation, key: key, bucket: configuration.bucket,
            endpoint: configuration.endpointDescription, region: configuration.region)
    }

    func send(
        _ method: String, operation: String, key: String, query: [(String, String)] = [],
        headers: [(String, String)] = [], body: Data = Data(), file: FilePayload? = nil, allow404: Bool = false,
        sink: BodySink? = nil
    ) async throws -> Response {
        let retry = configuration.retry
        var attempt = 1
        while true {
            let outcome: Result<Response, S3Error>
            do {
                let response = try await limiter.run {
                    try await self.sendOnce(
                        method, counted: operation == "CopyObject" ? "COPY" : method, key: key, query: query,
                        headers: headers, body: body, file: file, sink: sink)
                }
                let succeeded = (200..<300).contains(response.status)
                // Only error answers (and a copy's answer) are read as XML: a GET's body is the object.
                // A copy's 200 is an error only with an `<Error>` document.
                let isDocument =
                    !succeeded || (operation == "CopyObject" && XMLResponses.rootName(response.body) == "Error")
                let parsed = isDocument ? XMLResponses.error(response.body) : XMLResponses.ErrorBody()
                let copyFailed = operation == "CopyObject" && parsed.code != nil
                if (succeeded && !copyFailed) || (allow404 && response.status == 404) {
                    return response
                }
                outcome = .failure(
                    failure(
                        .response(
                            status: copyFailed ? 500 : response.status, code: parsed.code, message: parsed.message),
                        operation: operation, key: key.isEmpty ? nil : key))
            } catch let error as HTTPClientError {
                outcome = .failure(failure(.transport("\(error)"), operation: operation, key: key.isEmpty ? nil : key))
            } catch let error as CancellationError {
                throw error
            } catch {
                outcome = .failure(failure(.transport("\(error)"), operation: operation, key: key.isEmpty ? nil : key))
            }
            guard case .failure(let error) = outcome else { continue }
            if attempt >= retry.attempts || !Self.isRetryable(error) { throw error }
            try await Task.sleep(for: retry.delay(beforeRetry: attempt))
            attempt += 1
        }
    }

    static func isRetryable(_ error: S3Error) -> Bool {
        switch error.kind {
        case .transport: return true
        case .malformed: return false
        case .response(let status, let code, _):
            // 409 OperationAborted: "a conflicting conditional operation is in progress; try again".
            return status == 500 || status == 502 || status == 503 || status == 504 || code == "SlowDown"
                || code == "InternalError" || code == "RequestTimeout" || code == "OperationAborted"
        }
    }

    private func sendOnce(
        _ method: String, counted: String, key: String, query: [(String, String)], headers: [(String, String)],
        body: Data, file: FilePayload?, sink: BodySink?
    ) async throws -> Response {
        let path = configuration.requestPath(key: key)
        let signed = signer.sign(
            .init(
                method: method, host: configuration.requestHost, path: path, query: query, headers: headers,
                payloadSHA256: file?.sha256Hex ?? SigV4Signer.sha256Hex(body)),
            at: Date())
        var url = "\(configuration.scheme)://\(configuration.requestHost)\(URIEncoding.encode(path, keepSlash: true))"
        if !query.isEmpty {
            url +=
                "?"
                + query.map {
                    URIEncoding.encode($0.0, keepSlash: false) + "=" + URIEncoding.encode($0.1, keepSlash: false)
                }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
        if let file {
            request.body = .stream(FileChunks(path: file.path), length: .known(Int64(file.size)))
        } else if method == "PUT" || method == "POST" || !body.isEmpty {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        await counter.record(counted)
        let timeout = configuration.retry.requestTimeout.components.seconds
        let response = try await http.execute(request, timeout: .seconds(max(1, timeout)))
        if let sink, (200..<300).contains(Int(response.status.code)) {
            // A successful body goes to the sink as it arrives (from its start again on a retry).
            try sink.restart()
            for try await chunk in response.body { try sink.write(chunk) }
            return Response(status: Int(response.status.code), headers: response.headers, body: Data())
        }
        let collected = try await response.body.collect(upTo: 1 << 30)
        return Response(
            status: Int(response.status.code), headers: response.headers, body: Data(buffer: collected))
    }
}

/// Requests sent, by method (for tests and `-v 3`).
actor RequestCounter {
    private(set) var counts: [String: Int] = [:]
    func record(_ method: String) { counts[method, default: 0] += 1 }
}
