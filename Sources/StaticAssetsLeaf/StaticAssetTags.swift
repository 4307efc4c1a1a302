import LeafKit
import StaticAssets

/// `#static("css/app.css")` → `/static/css/app.3f2a9c1b7d4e.css`. The argument may be a string
/// literal or a context variable. Leaf HTML-escapes the output (`&` in a query becomes `&amp;`); the
/// resolver's percent-encoding is left alone. A name missing from the manifest (strict mode) fails the
/// render with the `AssetLookupError` itself.
public struct StaticTag: LeafTag, Sendable {
    public let resolver: AssetResolver

    public init(resolver: AssetResolver) {
        self.resolver = resolver
    }

    public func render(_ ctx: LeafContext) throws -> LeafData {
        .string(try resolver.url(for: assetName(ctx, tag: "static")))
    }
}

/// `#staticIntegrity("css/app.css")` → `sha384-…` for an `integrity` attribute; empty in debug mode.
public struct StaticIntegrityTag: LeafTag, Sendable {
    public let resolver: AssetResolver

    public init(resolver: AssetResolver) {
        self.resolver = resolver
    }

    public func render(_ ctx: LeafContext) throws -> LeafData {
        .string(try resolver.integrity(for: assetName(ctx, tag: "staticIntegrity")) ?? "")
    }
}

extension AssetResolver {
    /// `["static": StaticTag, "staticIntegrity": StaticIntegrityTag]`, to merge into a renderer's tags:
    ///
    /// ```swift
    /// LeafRenderer(configuration: configuration, tags: defaultTags.merging(assets.leafTags) { $1 },
    ///              sources: sources, eventLoop: eventLoop)
    /// ```
    public var leafTags: [String: any LeafTag] {
        ["static": StaticTag(resolver: self), "staticIntegrity": StaticIntegrityTag(resolver: self)]
    }
}

private func assetName(_ ctx: LeafContext, tag: String) throws -> String {
    guard ctx.parameters.count == 1 else {
        throw LeafError(.unknownError("#\(tag)() takes one argument, the asset name"))
    }
    guard let name = ctx.parameters[0].string else {
        throw LeafError(.unknownError("#\(tag)(): the asset name is not a string"))
    }
    return name
}
