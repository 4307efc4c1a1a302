import Foundation

/// `COLLECTSTATIC_STORAGE` / `--storage`: `s3://BUCKET/PREFIX?region=…&endpoint=…&addressing=path|virtual`,
/// or with credentials inline as django-storage-url writes DSNs: `s3://KEY:SECRET@BUCKET.ENDPOINT/PREFIX?…`.
///
/// - endpoint: `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, then `endpoint=`, then the `ENDPOINT`
///   after the bucket of an inline-credentials URL, then AWS (`https://s3.REGION.amazonaws.com`);
/// - region: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `region=`, then `us-east-1`;
/// - credentials: inline `KEY:SECRET@` when given, else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`
///   (`AWS_SESSION_TOKEN` with them);
/// - addressing: `addressing=`, else path style for custom endpoints and dotted bucket names,
///   virtual-hosted for AWS.
public enum StorageURL {
    public struct Problem: Error, Sendable, CustomStringConvertible, Equatable {
        public let message: String
        public var description: String { message }
    }

    /// `setting` names the URL's setting in messages (`COLLECTSTATIC_CACHE` takes the same URLs).
    public static func parse(
        _ text: String, environment: [String: String], setting: String = "COLLECTSTATIC_STORAGE"
    ) throws(Problem) -> S3Configuration {
        func fail(_ reason: String) -> Problem {
            Problem(message: "\(setting) \(redacted(text)): \(reason)")
        }
        guard text.hasPrefix("s3://") else { throw fail("expected s3://BUCKET/PREFIX") }
        guard let components = URLComponents(string: text) else {
            throw fail("not a URL (percent-encode '/', '+' and '@' in an inline secret)")
        }
        guard let host = components.host, !host.isEmpty else { throw fail("no bucket after s3://") }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard ["region", "endpoint", "addressing"].contains(item.name) else {
                throw fail("unknown parameter '\(item.name)' (expected region, endpoint, addressing)")
            }
            guard let value = item.value, !value.isEmpty else { throw fail("\(item.name)= needs a value") }
            query[item.name] = value
        }
        if components.port != nil { throw fail("a port belongs in the endpoint (endpoint=http://HOST:PORT)") }

        // Credentials inline, or from the environment.
        let inlineUser = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        let inlineSecret = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        var bucket = host.removingPercentEncoding ?? host
        var inlineEndpoint: String?
        let credentials: Credentials
        if let user = inlineUser, !user.isEmpty {
            guard let secret = inlineSecret, !secret.isEmpty else { throw fail("inline credentials need KEY:SECRET@") }
            credentials = Credentials(
                accessKeyID: user, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]))
            if let dot = bucket.firstIndex(of: ".") {
                inlineEndpoint = "https://" + String(bucket[bucket.index(after: dot)...])
                bucket = String(bucket[..<dot])
            }
        } else {
            guard let key = nonEmpty(environment["AWS_ACCESS_KEY_ID"]),
                let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
            else {
                throw fail(
                    "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write s3://KEY:SECRET@BUCKET.ENDPOINT/PREFIX"
                )
            }
            credentials = Credentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]))
        }
        guard isValidBucket(bucket) else {
            throw fail("'\(bucket)' is not a bucket name (3-63 characters: a-z, 0-9, '.', '-')")
        }

        let region =
            nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) ?? query["region"]
            ?? "us-east-1"
        let endpointText =
            nonEmpty(environment["AWS_ENDPOINT_URL_S3"]) ?? nonEmpty(environment["AWS_ENDPOINT_URL"])
            ?? query["endpoint"] ?? inlineEndpoint
        var scheme = "https"
        var endpointHost = "s3.\(region).amazonaws.com"
        var port: Int?
        if let endpointText {
            guard let endpoint = URLComponents(string: endpointText), let parsedScheme = endpoint.scheme?.lowercased(),
                parsedScheme == "http" || parsedScheme == "https", let parsedHost = endpoint.host, !parsedHost.isEmpty,
                endpoint.path.isEmpty || endpoint.path == "/", endpoint.query == nil, endpoint.user == nil
            else { throw fail("the endpoint '\(endpointText)' is not http(s)://HOST[:PORT]") }
            scheme = parsedScheme
            endpointHost = parsedHost
            port = endpoint.port
        }

        let addressing: S3Configuration.Addressing
        if let value = query["addressing"] {
            guard let parsed = S3Configuration.Addressing(rawValue: value) else {
                throw fail("addressing= must be path or virtual, got '\(value)'")
            }
            addressing = parsed
        } else {
            addressing = endpointText == nil && !bucket.contains(".") ? .virtual : .path
        }

        let path = components.percentEncodedPath.removingPercentEncoding ?? components.path
        let prefix = path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        if prefix.contains("//") || path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) {
            throw fail("the prefix must not contain '.' or '..' segments")
        }
        return S3Configuration(
            bucket: bucket, prefix: prefix, scheme: scheme, host: endpointHost, port: port, region: region,
            credentials: credentials, addressing: addressing)
    }

    /// The URL as it may be shown: an inline secret replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), text.hasPrefix("s3://") else { return text }
        let userInfo = text[text.index(text.startIndex, offsetBy: 5)..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return "s3://" + String(userInfo[..<colon]) + ":***" + String(text[at...])
    }

    static func isValidBucket(_ name: String) -> Bool {
        (3...63).contains(name.count)
            && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
            && name.first != "." && name.first != "-" && name.last != "." && name.last != "-"
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
