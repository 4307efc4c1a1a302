import StaticAssets
import Vapor

extension Request {
    /// URLs and integrity values of static assets in a route handler:
    /// `try req.staticAssets.url(for: "css/app.css")` → `/static/css/app.3f2a9c1b7d4e.css`.
    public var staticAssets: StaticAssetsRequest { StaticAssetsRequest(request: self) }
}

/// `req.staticAssets`: the resolver `app.staticAssets.setUp(…)` loaded, for this request's handler.
public struct StaticAssetsRequest: Sendable {
    public let request: Request

    /// The resolver in use (it follows `resolver.reload(…)`).
    public var resolver: AssetResolver {
        get throws(StaticAssetsSetupError) { try request.application.staticAssets.resolver }
    }

    /// `css/app.css` → `/static/css/app.3f2a9c1b7d4e.css` (the unhashed URL in development mode). A
    /// name missing from the manifest throws `AssetLookupError.notInManifest`.
    public func url(for name: String) throws -> String {
        try resolver.url(for: name)
    }

    /// The `integrity` attribute value (`sha384-…`), nil in development mode.
    public func integrity(for name: String) throws -> String? {
        try resolver.integrity(for: name)
    }
}
