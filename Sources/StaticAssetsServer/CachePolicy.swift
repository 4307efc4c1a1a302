import StaticAssets

/// The `Cache-Control` values the responder sends.
public struct CachePolicy: Sendable, Equatable {
    /// Hashed names listed in the manifest: their content never changes.
    public var hashed: String
    /// Unhashed names (`css/app.css`): they change with every deploy.
    public var unhashed: String
    /// Misses and errors under STATIC_URL, development mode and the manifest itself: a CDN must not
    /// keep a 404 seen during a rolling deploy.
    public var uncached: String

    public init(
        hashed: String = "public, max-age=31536000, immutable", unhashed: String = "public, max-age=60",
        uncached: String = "no-cache"
    ) {
        self.hashed = hashed
        self.unhashed = unhashed
        self.uncached = uncached
    }

    /// `unhashed` with a different max-age.
    public static func unhashedMaxAge(_ seconds: Int) -> CachePolicy {
        CachePolicy(unhashed: "public, max-age=\(seconds)")
    }
}
