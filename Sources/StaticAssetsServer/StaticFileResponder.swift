import StaticAssets

/// Answers requests under STATIC_URL from a collected STATIC_ROOT (its manifest is the index: no
/// directory walk, no disk access for unknown names) or, in development mode, from the source roots.
///
/// Framework-neutral: a ``StaticRequest`` in, a ``StaticResponse`` out (status, fields and an open
/// file region to stream). `respond(to:)` returns nil for paths outside STATIC_URL, so an adapter
/// passes those on.
///
/// One release per request: each request takes the resolver's release once (``AssetResolver/loaded``:
/// the manifest and the tree it was read from, held open) and is answered wholly from it. Files are
/// opened relative to that tree, and `Content-Length`, `ETag`, `Last-Modified` and the body all
/// come from the one open file, so a publish that switches STATIC_ROOT to the next tree meanwhile
/// changes nothing in a response already begun. A new release (`resolver.reloadIfChanged()`, or
/// the watch ``watchForReleases(every:)`` starts) takes effect at once for the next requests,
/// without blocking any.
///
/// Range requests apply to the identity representation only: when a `.br`/`.gz` variant is chosen the
/// `Range` field is ignored and the whole compressed body is sent with 200.
///
/// Small hashed files and their variants are answered from memory (``Options/memory``): read at their
/// first request from the file opened in that request's release, kept only when their size and
/// digest are the ones that release's manifest records, and belonging to that release only (a new
/// release starts empty). Status and fields are the same as from disk; only the body's source
/// differs (``StaticResponse/Body/memory(_:range:)``).
public struct StaticFileResponder: Sendable {
    public struct Options: Sendable {
        /// The URL path files are served under, ending in `/`. Nil: the path of the resolver's STATIC_URL
        /// (`https://cdn.example.com/static/` → `/static/`), `/static/` in development mode.
        public var urlPrefix: String?
        public var cachePolicy: CachePolicy
        /// The manifest's file name in STATIC_ROOT; it is served only when `serveManifest` is set.
        public var manifestName: String
        public var serveManifest: Bool
        /// Folders symlinks in STATIC_ROOT may point into (e.g. the source roots after
        /// `collectstatic --link`). Any other symlink out of STATIC_ROOT is refused.
        public var trustedSymlinkTargets: [String]
        /// Small hashed files and their variants answered from memory (default: up to 64 KB each,
        /// 64 MB in all); `.disabled` reads every body from disk.
        public var memory: MemoryLimits

        public init(
            urlPrefix: String? = nil, cachePolicy: CachePolicy = CachePolicy(),
            manifestName: String = "staticfiles.json", serveManifest: Bool = false,
            trustedSymlinkTargets: [String] = [], memory: MemoryLimits = MemoryLimits()
        ) {
            self.memory = memory
            self.urlPrefix = urlPrefix
            self.cachePolicy = cachePolicy
            self.manifestName = manifestName
            self.serveManifest = serveManifest
            self.trustedSymlinkTargets = trustedSymlinkTargets
        }
    }

    /// The URL path prefix this responder answers, `/static/`.
    public let urlPrefix: String
    let catalog: AssetCatalog
    let cachePolicy: CachePolicy

    /// Production: serves STATIC_ROOT, indexed by the manifest `resolver` holds. When the resolver was
    /// made from `STATIC_ROOT/<manifest>` (the usual case), files are opened in the folder it holds
    /// with that manifest, release by release; otherwise STATIC_ROOT is opened by path per request.
    public init(staticRoot: String, resolver: AssetResolver, options: Options = Options()) {
        let prefix = Self.normalizedPrefix(options.urlPrefix ?? resolver.staticURL)
        urlPrefix = prefix
        cachePolicy = options.cachePolicy
        catalog = .manifest(
            ManifestCatalog(
                resolver: resolver, root: RootFolder(staticRoot),
                trusted: options.trustedSymlinkTargets.map(RootFolder.init),
                manifestName: options.manifestName, serveManifest: options.serveManifest,
                cachePolicy: options.cachePolicy, memory: MemoryCache(limits: options.memory), urlPrefix: prefix))
    }

    /// Development: serves logical names straight from the source roots (no collect run, no manifest,
    /// unhashed names, `Cache-Control: no-cache`, weak ETags from size and modification time).
    public init(development sources: SourceRootLookup, options: Options = Options()) {
        urlPrefix = Self.normalizedPrefix(options.urlPrefix ?? "/static/")
        cachePolicy = options.cachePolicy
        catalog = .sources(sources, cacheControl: options.cachePolicy.uncached)
    }

    /// Bytes of file content held in memory now (0 in development mode).
    public var bytesInMemory: Int {
        guard case .manifest(let catalog) = catalog else { return 0 }
        return catalog.memory.bytesHeld
    }

    /// The resolver whose releases are served (nil in development mode).
    public var resolver: AssetResolver? {
        guard case .manifest(let catalog) = catalog else { return nil }
        return catalog.resolver
    }

    /// Makes the resolver notice new releases by itself (``AssetResolver/watchForReleases(every:report:)``);
    /// nothing in development mode.
    public func watchForReleases(every interval: Duration = .seconds(1)) {
        resolver?.watchForReleases(every: interval)
    }

    /// Whether `path` (a request target) lies under STATIC_URL.
    public func handles(path: String) -> Bool { RequestPath.relative(path, under: urlPrefix) != nil }

    /// The response for a request under STATIC_URL, or nil when the path is not under it.
    public func respond(to request: StaticRequest) -> StaticResponse? {
        guard let encoded = RequestPath.relative(request.path, under: urlPrefix) else { return nil }
        guard request.method == "GET" || request.method == "HEAD" else {
            return error(405, extra: [("Allow", "GET, HEAD")])
        }
        guard let asset = catalog.asset(encoded: encoded) else {
            return error(404)
        }
        let response = RepresentationResponder(asset: asset, request: request, cachePolicy: cachePolicy).response()
        // A name the manifest lists whose file is missing: the tree held may have been retired by a
        // publish the watch has not picked up yet. Look once, and answer from the new release if any.
        if response.status == 404, let resolver, case .reloaded = resolver.reloadIfChanged(),
            let current = catalog.asset(encoded: encoded)
        {
            return RepresentationResponder(asset: current, request: request, cachePolicy: cachePolicy).response()
        }
        return response
    }

    func error(_ status: Int, extra: [(name: String, value: String)] = []) -> StaticResponse {
        StaticResponse(
            status: status, headers: [("Content-Length", "0"), ("Cache-Control", cachePolicy.uncached)] + extra)
    }

    /// `/static/` from `/static`, `static/` or `https://cdn.example.com/static/`.
    static func normalizedPrefix(_ staticURL: String) -> String {
        var path = Substring(staticURL)
        if let scheme = path.range(of: "://") {
            path = path[scheme.upperBound...]
            path = path[(path.firstIndex(of: "/") ?? path.endIndex)...]
        } else if path.hasPrefix("//") {
            path = path.dropFirst(2)
            path = path[(path.firstIndex(of: "/") ?? path.endIndex)...]
        }
        var result = String(path)
        if !result.hasPrefix("/") { result = "/" + result }
        if !result.hasSuffix("/") { result += "/" }
        return result
    }
}
