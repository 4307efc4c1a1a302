/// An access key pair (and session token) for SigV4. Its `description` never shows the secret.
public struct Credentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String { "Credentials(accessKeyID: \(accessKeyID), secret: <redacted>)" }
}
