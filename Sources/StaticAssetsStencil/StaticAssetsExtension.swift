import StaticAssets
import Stencil

/// Stencil tags for manifest-resolved static assets, with Django's spelling:
///
/// ```
/// <link rel="stylesheet" href="{% static "css/app.css" %}"
///       integrity="{% static_integrity "css/app.css" %}" crossorigin="anonymous">
/// <script src="{% static script_name %}"></script>
/// {% static "img/logo.png" as logo %}<img src="{{ logo }}">
/// ```
///
/// The argument is a string literal or a variable (filters allowed) resolved from the context.
/// `static` writes the URL HTML-escaped, as Django's tag does with autoescaping on (`&` in a query
/// becomes `&amp;`; the percent-encoding the resolver applied is left alone). `static_integrity`
/// writes the `sha384-…` value, or nothing in debug mode. With `as name` nothing is written and the
/// unescaped value is stored in the current context level.
///
/// A name missing from the manifest (strict mode) fails the render. Stencil wraps any error a tag
/// throws in a `TemplateSyntaxError` whose `reason` is the `AssetLookupError`'s description.
///
/// ```swift
/// let environment = Environment(loader: loader, extensions: [StaticAssetsExtension(resolver: assets)])
/// ```
public final class StaticAssetsExtension: Extension {
    public let resolver: AssetResolver

    /// Registers `static` and `static_integrity` under those names.
    public init(resolver: AssetResolver) {
        self.resolver = resolver
        super.init()
        registerStaticAssetTags(resolver: resolver)
    }
}

extension Extension {
    /// Registers the `static` and `static_integrity` tags on an existing extension.
    public func registerStaticAssetTags(
        resolver: AssetResolver, urlTag: String = "static", integrityTag: String = "static_integrity"
    ) {
        registerTag(urlTag) { parser, token in
            try StaticAssetNode.parse(parser, token, kind: .url, resolver: resolver)
        }
        registerTag(integrityTag) { parser, token in
            try StaticAssetNode.parse(parser, token, kind: .integrity, resolver: resolver)
        }
    }
}

final class StaticAssetNode: NodeType {
    enum Kind {
        case url, integrity
    }

    let name: any Resolvable
    let kind: Kind
    let variable: String?
    let resolver: AssetResolver
    let token: Token?

    init(name: any Resolvable, kind: Kind, variable: String?, resolver: AssetResolver, token: Token) {
        self.name = name
        self.kind = kind
        self.variable = variable
        self.resolver = resolver
        self.token = token
    }

    /// `{% tag NAME %}` or `{% tag NAME as VARIABLE %}`.
    static func parse(_ parser: TokenParser, _ token: Token, kind: Kind, resolver: AssetResolver) throws -> NodeType {
        let bits = token.components
        let tag = bits.first ?? "static"
        let variable: String?
        switch bits.count {
        case 2:
            variable = nil
        case 4 where bits[2] == "as":
            variable = bits[3]
        default:
            throw TemplateSyntaxError(
                reason: "'\(tag)' takes one argument, the asset name, optionally followed by 'as variable'",
                token: token)
        }
        let name = try parser.compileFilter(bits[1], containedIn: token)
        return StaticAssetNode(name: name, kind: kind, variable: variable, resolver: resolver, token: token)
    }

    func render(_ context: Context) throws -> String {
        guard let resolved = try name.resolve(context) else {
            throw TemplateSyntaxError(
                reason: "'\(token?.components.first ?? "static")' needs an asset name", token: token)
        }
        let assetName = resolved as? String ?? String(describing: resolved)
        let value: String
        switch kind {
        case .url: value = try resolver.url(for: assetName)
        case .integrity: value = try resolver.integrity(for: assetName) ?? ""
        }
        guard let variable else { return HTMLEscaping.escape(value) }
        context[variable] = value
        if context[variable] == nil {
            // Stencil's Context has no level to write into when rendered with an empty dictionary.
            throw TemplateSyntaxError(
                reason: "'as \(variable)' needs a render context with at least one variable", token: token)
        }
        return ""
    }
}
