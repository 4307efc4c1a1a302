import Crypto
import Foundation

/// AWS Signature Version 4 for S3 over swift-crypto, header-based, with a signed payload (the real
/// SHA-256 of the body in `x-amz-content-sha256`; never `UNSIGNED-PAYLOAD`).
public struct SigV4Signer: Sendable {
    public let credentials: Credentials
    public let region: String
    public let service: String

    public init(credentials: Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign. `path` is the decoded path (`/bucket/key with space`); `query` the decoded
    /// parameters, in any order.
    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var payloadSHA256: String

        public init(
            method: String, host: String, path: String, query: [(String, String)] = [],
            headers: [(String, String)] = [], payloadSHA256: String
        ) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadSHA256 = payloadSHA256
        }
    }

    /// What signing adds: the headers to send (the request's own plus `host`, `x-amz-date`,
    /// `x-amz-content-sha256`, `x-amz-security-token` if any, and `authorization`), and the
    /// intermediate strings for tests.
    public struct Signed: Sendable {
        public let headers: [(String, String)]
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
        public let authorization: String
    }

    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public static func sha256Hex(_ data: some DataProtocol) -> String { hex(SHA256.hash(data: data)) }

    public func sign(_ request: Request, at date: Date) -> Signed {
        let (amzDate, day) = Self.timestamps(date)
        var headers = request.headers
        func has(_ name: String) -> Bool { headers.contains { $0.0.lowercased() == name } }
        if !has("host") { headers.append(("host", request.host)) }
        if !has("x-amz-date") { headers.append(("x-amz-date", amzDate)) }
        if !has("x-amz-content-sha256") { headers.append(("x-amz-content-sha256", request.payloadSHA256)) }
        if let token = credentials.sessionToken, !has("x-amz-security-token") {
            headers.append(("x-amz-security-token", token))
        }

        // Canonical headers: lower-case names, values trimmed with inner runs of spaces folded,
        // same names joined by commas, sorted by name.
        var grouped: [String: [String]] = [:]
        for (name, value) in headers {
            grouped[name.lowercased(), default: []].append(Self.normalizedValue(value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\((grouped[$0] ?? []).joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        var encodedQuery: [(name: String, value: String)] = []
        for (name, value) in request.query {
            encodedQuery.append(
                (URIEncoding.encode(name, keepSlash: false), URIEncoding.encode(value, keepSlash: false)))
        }
        encodedQuery.sort { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        let canonicalQuery = encodedQuery.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
        let canonicalPath = URIEncoding.encode(request.path.isEmpty ? "/" : request.path, keepSlash: true)

        let canonicalRequest = [
            request.method, canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, request.payloadSHA256,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.sha256Hex(Data(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        let key = signingKey(day: day)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        headers.append(("authorization", authorization))
        return Signed(
            headers: headers, canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization)
    }

    private func signingKey(day: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
        }
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] { key = hmac(key, part) }
        return key
    }

    static func normalizedValue(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for character in value.trimmingCharacters(in: .whitespaces) {
            if character == " " {
                if !lastWasSpace { out.append(character) }
                lastWasSpace = true
            } else {
                out.append(character)
                lastWasSpace = false
            }
        }
        return out
    }

    /// `20130524T000000Z` and `20130524`, in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let day = pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2)
        return (day + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z", day)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
