/// A precompressed variant format written next to each collected file, as WhiteNoise serves them.
///
/// Cases are declared in order of preference: `allCases` (and `<`) put brotli before gzip, which is
/// also the order in which variants are produced (WhiteNoise only tries gzip after brotli paid off).
/// The raw value is the HTTP `Content-Encoding` token for brotli ("br") and the case name for gzip
/// ("gzip"), so it doubles as the stable spelling used in configuration and JSON.
public enum ContentEncoding: String, Sendable, CaseIterable, Codable, Comparable {
    case brotli = "br"
    case gzip

    /// The suffix appended to the collected file's name: `app.3f2a.css` → `app.3f2a.css.br`.
    public var fileSuffix: String {
        switch self {
        case .brotli: ".br"
        case .gzip: ".gz"
        }
    }

    /// The token used in `Accept-Encoding` / `Content-Encoding` headers.
    public var httpToken: String {
        switch self {
        case .brotli: "br"
        case .gzip: "gzip"
        }
    }

    /// Position in the order of preference (0 is the most preferred).
    public var preferenceRank: Int {
        switch self {
        case .brotli: 0
        case .gzip: 1
        }
    }

    /// All encodings, most preferred first.
    public static var preferenceOrder: [ContentEncoding] { allCases }

    /// Orders by preference: `.brotli < .gzip`.
    public static func < (lhs: ContentEncoding, rhs: ContentEncoding) -> Bool {
        lhs.preferenceRank < rhs.preferenceRank
    }
}
