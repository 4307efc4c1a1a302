/// The content codings of RFC 9842 (Compression Dictionary Transport): a file compressed against a
/// previous version of it that the browser already holds. The collector writes them beside the file
/// (`app.3f2a.js.<first 16 hex digits of the dictionary's SHA-256>.dcz`), the manifest records them
/// under the file keyed by the dictionary's SHA-256, and the server sends one when the request's
/// `Available-Dictionary` names that dictionary.
public enum DeltaCoding: String, Sendable, CaseIterable, Codable, Comparable {
    /// Dictionary-Compressed Zstandard: zstd with the dictionary as a raw prefix.
    case dcz
    /// Dictionary-Compressed Brotli: brotli with the dictionary as a raw prefix (libbrotli ≥ 1.1.0).
    case dcb

    /// The `Content-Encoding` token, the manifest key and the file suffix (without the dot).
    public var token: String { rawValue }

    /// The suffix of the files holding deltas of this coding.
    public var fileSuffix: String { "." + rawValue }

    /// The size of the header in front of the compressed stream: a magic number and the
    /// dictionary's SHA-256 (8 + 32 for `dcz`, 4 + 32 for `dcb`).
    public var headerSize: Int {
        switch self {
        case .dcz: 40
        case .dcb: 36
        }
    }

    /// Orders as declared: dcz before dcb (the server's choice when both are as small).
    public static func < (lhs: DeltaCoding, rhs: DeltaCoding) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}
