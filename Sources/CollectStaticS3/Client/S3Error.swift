/// A failed request to the bucket. `description` is one line naming bucket, endpoint and what to
/// check; it never contains a secret.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server answered with an error status (and usually an S3 error code).
        case response(status: Int, code: String?, message: String?)
        /// No answer: connection refused or reset, timeout.
        case transport(String)
        /// A response we could not read.
        case malformed(String)
    }

    public let kind: Kind
    public let operation: String
    public let key: String?
    public let bucket: String
    public let endpoint: String
    public let region: String

    public var status: Int? {
        if case .response(let status, _, _) = kind { return status }
        return nil
    }

    public var code: String? {
        if case .response(_, let code, _) = kind { return code }
        return nil
    }

    public var description: String {
        let target = "bucket '\(bucket)' at \(endpoint)"
        let object = key.map { " (\(operation) '\($0)')" } ?? " (\(operation))"
        switch kind {
        case .transport(let detail):
            return
                "cannot reach \(target)\(object): \(detail); check the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or endpoint=) and the network"
        case .malformed(let detail):
            return "unexpected answer from \(target)\(object): \(detail); check that the endpoint is an S3 API"
        case .response(let status, let code, _):
            let what = code ?? "HTTP \(status)"
            return "\(what) from \(target)\(object): \(Self.advice(status: status, code: code, region: region))"
        }
    }

    static func advice(status: Int, code: String?, region: String) -> String {
        switch code {
        case "InvalidAccessKeyId":
            return "the access key is not known there; check AWS_ACCESS_KEY_ID (or the key in the storage URL)"
        case "SignatureDoesNotMatch":
            return
                "the request signature was refused; check AWS_SECRET_ACCESS_KEY (or the secret in the storage URL) and the region '\(region)'"
        case "NoSuchBucket":
            return "the bucket does not exist; check the bucket name and the endpoint"
        case "AccessDenied":
            return
                "access denied; check that the credentials' policy allows s3:GetObject, s3:PutObject, s3:ListBucket and s3:DeleteObject on the bucket"
        case "AccessControlListNotSupported":
            return "the bucket refuses ACLs; do not configure an ACL for it"
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
            return "the region '\(region)' is wrong for this bucket; check AWS_REGION (or region=)"
        case "ExpiredToken", "InvalidToken":
            return "the session token is expired or invalid; check AWS_SESSION_TOKEN"
        case "PreconditionFailed":
            return "the object changed since it was read (another publisher?)"
        case "SlowDown":
            return "the server kept asking to slow down; retry later"
        default:
            if status == 301 || status == 400 && code == nil {
                return "check the region '\(region)' and the addressing style (addressing=path|virtual)"
            }
            if status == 403 { return "access denied; check the credentials and the bucket policy" }
            if status >= 500 { return "the server failed after retries; retry later" }
            return "check the bucket, the endpoint and the credentials"
        }
    }
}
