import StaticAssets

/// What the responder needs from an HTTP request, independent of any server framework.
public struct StaticRequest: Sendable {
    /// `GET`, `HEAD`, … (compared case-sensitively, as HTTP methods are).
    public var method: String
    /// The request target's path as received, still percent-encoded; a `?query` is ignored.
    public var path: String
    /// Header fields; names are matched case-insensitively, repeated fields are joined with `, `.
    public var headers: [(name: String, value: String)]

    public init(method: String, path: String, headers: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.headers = headers
    }

    /// The combined value of every field called `name`, or nil when there is none.
    public func header(_ name: String) -> String? {
        var result: String?
        for field in headers where field.name.equalsIgnoringASCIICase(name) {
            result = result.map { $0 + ", " + field.value } ?? field.value
        }
        return result
    }
}

extension String {
    /// ASCII case-insensitive equality, without allocating (header names are ASCII).
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { asciiLowercase($0) == asciiLowercase($1) }
    }
}

/// `A`…`Z` → `a`…`z`; every other byte unchanged.
func asciiLowercase(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
}
