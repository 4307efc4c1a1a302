import StaticAssets

/// The responder's answer: status, header fields and where the body comes from. A framework
/// adapter copies the fields and streams `body` (nothing for HEAD, 304 and errors).
public struct StaticResponse: Sendable {
    public enum Body: Sendable, Equatable {
        /// No body (HEAD, 304, errors). `Content-Length` still says what a GET would carry.
        case none
        /// The bytes `range` of a file held open (found inside the root of the release the request
        /// was answered from). `Content-Length`, `ETag` and `Last-Modified` came from the same open
        /// file, so the bytes read from it are the ones those fields describe, even if the path has
        /// since been switched to another release. Read with ``OpenFile/read(offset:count:)``.
        case file(OpenFile, range: Range<Int>)
        /// The bytes `range` of a whole file held in memory (small hashed files, see ``MemoryLimits``):
        /// the same bytes `.file` would stream.
        case memory([UInt8], range: Range<Int>)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .none) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the field called `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}
