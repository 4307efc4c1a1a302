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
        /// `Access-Control-Allow-Origin: *` on every response the responder gives (WhiteNoise's
        /// `WHITENOISE_ALLOW_ALL_ORIGINS`, on by default there too): fonts, ES modules and
        /// `crossorigin` resources from a STATIC_URL on another origin (a CDN) are usable.
        public var allowAllOrigins: Bool
        /// A folder whose files are served at `/` (`favicon.ico`, `robots.txt`, `.well-known/…`), as
        /// WhiteNoise's `WHITENOISE_ROOT`: unhashed, so with the unhashed names' `Cache-Control`
        /// (``maxAge``). A path that names no file in it is passed on to the application.
        public var rootFiles: String?
        /// Called with every response for a file (200, 206, 304; not refusals or redirects) before it
        /// is sent; may change its fields (WhiteNoise's `WHITENOISE_ADD_HEADERS_FUNCTION`).
        public var addHeaders: AddHeaders?
        /// Content types by file name (`"manifest.webmanifest"`) or by extension with its dot (`".js"`),
        /// matched case-insensitively, name first; they win over the built-in table (WhiteNoise's
        /// `WHITENOISE_MIMETYPES`). A `text/…` type without parameters gets `; charset=utf-8`.
        public var mimeTypes: [String: String]
        /// The file a folder's URL answers with (`/static/docs/` → `docs/index.html`), as WhiteNoise's
        /// `WHITENOISE_INDEX_FILE`: `/static/docs` redirects (302) to `docs/`, `/static/docs/index.html`
        /// to `./`. Nil (the default): folders are 404s.
        public var indexFile: String?
        /// Seconds an unhashed name (and a root file, and an index redirect) may be cached: sets
        /// `cachePolicy.unhashed` to `public, max-age=N` (WhiteNoise's `WHITENOISE_MAX_AGE`). Nil (the
        /// default): `cachePolicy.unhashed` as it is, `public, max-age=60`.
        public var maxAge: Int?

        public init(
            urlPrefix: String? = nil, cachePolicy: CachePolicy = CachePolicy(),
            manifestName: String = "staticfiles.json", serveManifest: Bool = false,
            trustedSymlinkTargets: [String] = [], memory: MemoryLimits = MemoryLimits(),
            allowAllOrigins: Bool = true, rootFiles: String? = nil, addHeaders: AddHeaders? = nil,
            mimeTypes: [String: String] = [:], indexFile: String? = nil, maxAge: Int? = nil
        ) {
            self.memory = memory
            self.urlPrefix = urlPrefix
            self.cachePolicy = cachePolicy
            self.manifestName = manifestName
            self.serveManifest = serveManifest
            self.trustedSymlinkTargets = trustedSymlinkTargets
            self.allowAllOrigins = allowAllOrigins
            self.rootFiles = rootFiles
            self.addHeaders = addHeaders
            self.mimeTypes = mimeTypes
            self.indexFile = indexFile
            self.maxAge = maxAge
        }

        /// ``cachePolicy`` with ``maxAge`` applied.
        var effectiveCachePolicy: CachePolicy {
            var policy = cachePolicy
            if let maxAge { policy.unhashed = "public, max-age=\(max(0, maxAge))" }
            return policy
        }
    }

    /// The hook of ``Options/addHeaders``: the file answered and the response's fields, to change.
    public typealias AddHeaders =
        @Sendable (_ file: ServedFile, _ headers: inout [(name: String, value: String)]) ->
        Void

    /// The URL path prefix this responder answers, `/static/`.
    public let urlPrefix: String
    let catalog: AssetCatalog
    let cachePolicy: CachePolicy
    /// How a response is finished: content types, index file, CORS, the headers hook, root files.
    let serving: ServingRules

    /// Production: serves STATIC_ROOT, indexed by the manifest `resolver` holds. When the resolver was
    /// made from `STATIC_ROOT/<manifest>` (the usual case), files are opened in the folder it holds
    /// with that manifest, release by release; otherwise STATIC_ROOT is opened by path per request.
    public init(staticRoot: String, resolver: AssetResolver, options: Options = Options()) {
        let prefix = Self.normalizedPrefix(options.urlPrefix ?? resolver.staticURL)
        urlPrefix = prefix
        cachePolicy = options.effectiveCachePolicy
        serving = ServingRules(options)
        catalog = .manifest(
            ManifestCatalog(
                resolver: resolver, root: RootFolder(staticRoot),
                trusted: options.trustedSymlinkTargets.map(RootFolder.init),
                manifestName: options.manifestName, serveManifest: options.serveManifest,
                cachePolicy: options.effectiveCachePolicy, memory: MemoryCache(limits: options.memory),
                urlPrefix: prefix))
    }

    /// Development: serves logical names straight from the source roots (no collect run, no manifest,
    /// unhashed names, `Cache-Control: no-cache`, weak ETags from size and modification time).
    public init(development sources: SourceRootLookup, options: Options = Options()) {
        urlPrefix = Self.normalizedPrefix(options.urlPrefix ?? "/static/")
        cachePolicy = options.effectiveCachePolicy
        serving = ServingRules(options)
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

    /// Whether the responder may answer `path` (a request target): it lies under STATIC_URL, or a
    /// folder of root files is served (``Options/rootFiles``; `respond(to:)` then tells).
    public func handles(path: String) -> Bool {
        serving.rootFiles != nil || RequestPath.relative(path, under: urlPrefix) != nil
    }

    /// The response for a request under STATIC_URL (or for a root file), or nil when the path is not
    /// under it (and names no root file): the application answers those.
    public func respond(to request: StaticRequest) -> StaticResponse? {
        guard let encoded = RequestPath.relative(request.path, under: urlPrefix) else {
            return serving.rootFiles.flatMap { rootFile(request, in: $0) }
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return finished(error(405, extra: [("Allow", "GET, HEAD")]), file: nil, request)
        }
        switch serving.resolve(encoded, find: { catalog.asset(encoded: $0) }) {
        case .missing:
            return finished(error(404), file: nil, request)
        case .redirect(let location):
            return finished(redirect(location), file: nil, request)
        case .asset(let asset):
            var response = represent(asset, request)
            // A name the manifest lists whose file is missing: the tree held may have been retired by a
            // publish the watch has not picked up yet. Look once, and answer from the new release if any.
            if response.status == 404, let resolver, case .reloaded = resolver.reloadIfChanged(),
                case .asset(let current) = serving.resolve(encoded, find: { catalog.asset(encoded: $0) })
            {
                response = represent(current, request)
            }
            return finished(response, file: Self.isFile(response) ? asset.name : nil, request)
        }
    }

    /// A response that carries (or, for HEAD and 304, describes) a file: 200, 206, 304.
    static func isFile(_ response: StaticResponse) -> Bool { [200, 206, 304].contains(response.status) }

    /// A file of ``Options/rootFiles`` at `/`: nil (passed on) unless the path names one (or a folder
    /// with the index file).
    private func rootFile(_ request: StaticRequest, in folder: RootFiles) -> StaticResponse? {
        guard let encoded = RequestPath.relative(request.path, under: "/") else { return nil }
        let found = serving.resolve(encoded) { folder.asset(encoded: $0, cacheControl: cachePolicy.unhashed) }
        switch found {
        case .missing:
            return nil
        case _ where request.method != "GET" && request.method != "HEAD":
            return finished(error(405, extra: [("Allow", "GET, HEAD")]), file: nil, request)
        case .redirect(let location):
            return finished(redirect(location), file: nil, request)
        case .asset(let asset):
            let response = represent(asset, request)
            return finished(response, file: Self.isFile(response) ? asset.name : nil, request)
        }
    }

    private func represent(_ asset: Asset, _ request: StaticRequest) -> StaticResponse {
        RepresentationResponder(
            asset: asset, request: request, cachePolicy: cachePolicy, contentType: serving.contentType(for:)
        ).response()
    }

    /// A relative redirect to a folder's URL (index file), cached as an unhashed name.
    private func redirect(_ location: String) -> StaticResponse {
        StaticResponse(
            status: 302,
            headers: [("Location", location), ("Cache-Control", cachePolicy.unhashed), ("Content-Length", "0")])
    }

    /// The fields every answer gets: `Access-Control-Allow-Origin`, then (for a file) the headers hook.
    private func finished(_ response: StaticResponse, file name: String?, _ request: StaticRequest) -> StaticResponse {
        var response = response
        if serving.allowAllOrigins { response.headers.append(("Access-Control-Allow-Origin", "*")) }
        if let name, let hook = serving.addHeaders {
            let path = RequestPath.withoutQuery(request.path)
            hook(ServedFile(name: name, urlPath: path, status: response.status), &response.headers)
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
