import Leaf
import StaticAssets
import StaticAssetsLeaf
import StaticAssetsVapor
import Vapor

extension Application.Leaf {
    /// Registers `#static("css/app.css")` and `#staticIntegrity("css/app.css")` (StaticAssetsLeaf's tags)
    /// with Vapor's Leaf renderer, over the resolver `app.staticAssets.setUp(…)` made:
    ///
    /// ```swift
    /// try app.staticAssets.setUp(.init(staticRoot: "public/static"))
    /// app.views.use(.leaf)
    /// try app.leaf.useStaticAssets()
    /// ```
    ///
    /// Throws ``StaticAssetsSetupError/notSetUp`` when called before `setUp`.
    public func useStaticAssets() throws(StaticAssetsSetupError) {
        useStaticAssets(try application.staticAssets.resolver)
    }

    /// Registers the tags over another resolver (an app that does not use `app.staticAssets`).
    public func useStaticAssets(_ resolver: AssetResolver) {
        tags.merge(resolver.leafTags) { $1 }
    }
}
