/// How a file's bytes travel: a precompressed variant written next to the file (`app.css.br`), or the
/// file itself (identity). The one vocabulary of the collector (which writes variants), the manifest
/// (which records them) and the server (which negotiates them).
///
/// Cases are declared in the server's order of preference, which is also the order in which the
/// collector produces variants (WhiteNoise only tries gzip after brotli paid off). Zstandard
/// (RFC 8878) sits between them: it usually beats gzip and loses to brotli at their best settings.
public enum ContentEncoding: String, Sendable, CaseIterable, Codable, Comparable {
    case brotli = "br"
    case zstd
    case gzip
    case identity

    /// The precompressed variants, most preferred first (every case but identity).
    public static let variants: [ContentEncoding] = allCases.filter { $0 != .identity }

    /// The `Content-Encoding` token and the manifest's `encodings` key; nil for identity.
    public var token: String? { self == .identity ? nil : rawValue }

    /// The token as written in configuration and `Accept-Encoding` (`identity` for identity).
    public var httpToken: String { rawValue }

    /// The variant whose token (case-insensitive) is `token`; `x-gzip` means gzip. Nil for unknown tokens.
    public init?(token: some StringProtocol) {
        switch token.lowercased() {
        case "br": self = .brotli
        case "zstd": self = .zstd
        case "gzip", "x-gzip": self = .gzip
        case "identity": self = .identity
        default: return nil
        }
    }

    /// The suffix of the file holding this representation: `app.3f2a.css` → `app.3f2a.css.br`.
    public var fileSuffix: String {
        switch self {
        case .brotli: ".br"
        case .zstd: ".zst"
        case .gzip: ".gz"
        case .identity: ""
        }
    }

    /// Position in the order of preference (0 is the most preferred).
    public var preferenceRank: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }

    /// Orders by preference: brotli < zstd < gzip < identity.
    public static func < (lhs: ContentEncoding, rhs: ContentEncoding) -> Bool {
        lhs.preferenceRank < rhs.preferenceRank
    }
}
