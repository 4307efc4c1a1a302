/// Where a bucket is and how to reach it: endpoint, region, credentials, addressing style.
public struct S3Configuration: Sendable, Equatable {
    public enum Addressing: String, Sendable, Equatable {
        /// `https://ENDPOINT/BUCKET/KEY`: custom endpoints (MinIO, moto) and dotted bucket names.
        case path
        /// `https://BUCKET.ENDPOINT/KEY`: AWS's default.
        case virtual
    }

    public var bucket: String
    /// Key prefix without leading or trailing `/` ("" for the bucket's root).
    public var prefix: String
    /// `https` or `http`.
    public var scheme: String
    /// Host of the endpoint, without the bucket (`s3.eu-west-1.amazonaws.com`, `127.0.0.1`).
    public var host: String
    public var port: Int?
    public var region: String
    public var credentials: Credentials
    public var addressing: Addressing
    /// Requests in flight at most.
    public var concurrency: Int
    public var retry: RetryPolicy

    public init(
        bucket: String, prefix: String = "", scheme: String = "https", host: String, port: Int? = nil,
        region: String, credentials: Credentials, addressing: Addressing = .path, concurrency: Int = 16,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.bucket = bucket
        self.prefix = prefix
        self.scheme = scheme
        self.host = host
        self.port = port
        self.region = region
        self.credentials = credentials
        self.addressing = addressing
        self.concurrency = concurrency
        self.retry = retry
    }

    /// The endpoint as a user would write it (never with credentials), for messages.
    public var endpointDescription: String {
        "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }

    /// `host[:port]` of the requests, the bucket in front in virtual-hosted style.
    var requestHost: String {
        let base = addressing == .virtual ? "\(bucket).\(host)" : host
        return base + (port.map { ":\($0)" } ?? "")
    }

    /// The decoded request path of an object key (`""` for the bucket itself).
    func requestPath(key: String) -> String {
        addressing == .virtual ? "/\(key)" : "/\(bucket)" + (key.isEmpty ? "" : "/\(key)")
    }

    /// The full key of a name relative to the prefix.
    public func key(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix)/\(name)" }
}

/// Retries with exponential backoff and full jitter.
public struct RetryPolicy: Sendable, Equatable {
    public var attempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var requestTimeout: Duration

    public init(
        attempts: Int = 5, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(60)
    ) {
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.requestTimeout = requestTimeout
    }

    /// Delay before retry number `attempt` (1-based): uniform in [0, min(max, base * 2^(attempt-1))].
    func delay(beforeRetry attempt: Int) -> Duration {
        let cap = min(maxDelay, baseDelay * (1 << min(attempt - 1, 20)))
        let nanos = cap.components.seconds * 1_000_000_000 + cap.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...max(0, nanos)))
    }
}
