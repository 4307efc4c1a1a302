import StaticAssets
import StaticAssetsServer

/// What `app.staticAssets.setUp(_:)` needs: where the collected files are, the URL they are served
/// under, and (for development mode) the source roots collectstatic reads.
public struct StaticAssetsSettings: Sendable {
    /// STATIC_ROOT: the folder collectstatic publishes into.
    public var staticRoot: String
    /// STATIC_URL: `/static/`, or a CDN's `https://cdn.example.com/static/` (the middleware then
    /// answers its path, `/static/`).
    public var staticURL: String
    /// The manifest's file name in STATIC_ROOT.
    public var manifestName: String
    /// STATICFILES_DIRS: the source roots (`prefix` nil, or `vendor` for `vendor=PATH`), served as they
    /// are in development mode. Empty: development mode is never used.
    public var sourceRoots: [SourceRootLookup.Root]
    /// Development mode: serve the source roots (unhashed URLs, `Cache-Control: no-cache`, no collect
    /// run needed). Nil (the default): on when the application's environment is `.development` and
    /// ``sourceRoots`` is not empty.
    public var development: Bool?
    /// The responder's options (cache policy, memory serving, trusted symlink targets, and WhiteNoise's
    /// serving options: `allowAllOrigins`, `rootFiles`, `addHeaders`, `mimeTypes`, `indexFile`,
    /// `maxAge`). Its `manifestName` is replaced by ``manifestName``.
    public var options: StaticFileResponder.Options
    /// Bytes read per chunk of a streamed body (``StaticAssetsMiddleware/defaultChunkLength``, 256 KB).
    public var chunkLength: Int
    /// Whether a new release (a collect run publishing a new manifest) is noticed by itself (default:
    /// checked every second, at once with inotify); not in development mode.
    public var reload: StaticAssetsMiddleware.Reload

    public init(
        staticRoot: String = "public/static", staticURL: String = "/static/",
        manifestName: String = "staticfiles.json", sourceRoots: [(prefix: String?, path: String)] = [],
        development: Bool? = nil, options: StaticFileResponder.Options = .init(),
        chunkLength: Int = StaticAssetsMiddleware.defaultChunkLength,
        reload: StaticAssetsMiddleware.Reload = .default
    ) {
        self.reload = reload
        self.staticRoot = staticRoot
        self.staticURL = staticURL
        self.manifestName = manifestName
        self.sourceRoots = sourceRoots.map { SourceRootLookup.Root(prefix: $0.prefix, path: $0.path) }
        self.development = development
        self.options = options
        self.chunkLength = chunkLength
    }

    /// The manifest's path: STATIC_ROOT/manifestName.
    public var manifestPath: String {
        (staticRoot.hasSuffix("/") ? staticRoot : staticRoot + "/") + manifestName
    }
}
