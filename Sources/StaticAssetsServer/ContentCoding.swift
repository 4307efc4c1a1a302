/// The representations the responder can serve, in the server's order of preference.
public enum ContentCoding: String, Sendable, CaseIterable, Comparable {
    case br
    case gzip
    case identity

    /// The manifest `encodings` key and `Content-Encoding` token (`nil` for identity).
    public var token: String? { self == .identity ? nil : rawValue }

    /// The suffix of the file holding this representation (`css/app.css.br`).
    public var fileSuffix: String {
        switch self {
        case .br: return ".br"
        case .gzip: return ".gz"
        case .identity: return ""
        }
    }

    /// Server preference: br before gzip before identity.
    public static func < (lhs: ContentCoding, rhs: ContentCoding) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
