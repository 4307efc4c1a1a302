import Mustache
import StaticAssets

extension MustacheTemplate {
    /// Renders `object` with two lambdas added to the context, visible from every section:
    ///
    /// ```
    /// <link rel="stylesheet" href="{{#static}}css/app.css{{/static}}"
    ///       integrity="{{#static_integrity}}css/app.css{{/static_integrity}}" crossorigin="anonymous">
    /// ```
    ///
    /// The section text is the literal asset name (surrounding whitespace ignored; Mustache tags in it
    /// are not expanded). `static` writes the URL HTML-escaped (`&` → `&amp;`; percent-encoding is left
    /// alone), `static_integrity` the `sha384-…` value, or nothing in debug mode. A key of the same
    /// name in `object` or a section object shadows the lambda.
    ///
    /// Mustache rendering cannot fail, so a name missing from the manifest (strict mode) renders as
    /// nothing and the first such `AssetLookupError` is thrown once the render has finished.
    public func render(
        _ object: Any, library: MustacheLibrary? = nil, assets: AssetResolver
    ) throws(AssetLookupError) -> String {
        let context = StaticAssetsContext(wrapping: object, resolver: assets)
        let output = render(context, library: library)
        if let error = context.failures.first { throw error }
        return output
    }
}

extension MustacheLibrary {
    /// Renders the template registered as `name` (and its partials) with the `static` and
    /// `static_integrity` lambdas; see `MustacheTemplate.render(_:library:assets:)`. Returns nil when no
    /// template has that name.
    public func render(_ object: Any, withTemplate name: String, assets: AssetResolver) throws(AssetLookupError)
        -> String?
    {
        guard let template = getTemplate(named: name) else { return nil }
        return try template.render(object, library: self, assets: assets)
    }
}

/// The root of the context stack: answers every key from the wrapped object the way swift-mustache
/// itself would, and `static` / `static_integrity` when the object has no such key.
struct StaticAssetsContext: MustacheParent {
    static let urlKey = "static"
    static let integrityKey = "static_integrity"

    let base: Any
    let resolver: AssetResolver
    let failures = Failures()

    init(wrapping base: Any, resolver: AssetResolver) {
        self.base = base
        self.resolver = resolver
    }

    func child(named name: String) -> Any? {
        if let value = Self.child(named: name, of: base) { return value }
        switch name {
        case Self.urlKey:
            return lambda { (name) throws(AssetLookupError) in
                HTMLText(HTMLEscaping.escape(try resolver.url(for: name)))
            }
        case Self.integrityKey:
            return lambda { (name) throws(AssetLookupError) in try resolver.integrity(for: name).map(HTMLText.init) }
        default:
            return nil
        }
    }

    private func lambda(_ resolve: @escaping (String) throws(AssetLookupError) -> HTMLText?) -> MustacheLambda {
        MustacheLambda { [failures] text in
            do throws(AssetLookupError) {
                return try resolve(text.trimmingWhitespace())
            } catch {
                failures.record(error)
                return nil
            }
        }
    }

    /// swift-mustache's own lookup of a key in an object: custom representation, `MustacheParent`
    /// (dictionaries), then a reflected stored property, one level of optional unwrapped.
    static func child(named name: String, of object: Any) -> Any? {
        var object: Any? = object
        if let custom = object as? MustacheCustomRepresentation { object = custom.representation }
        guard let object else { return nil }
        if let parent = object as? MustacheParent { return parent.child(named: name) }
        guard let value = Mirror(reflecting: object).children.first(where: { $0.label == name })?.value else {
            return nil
        }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }

    final class Failures {
        private(set) var first: AssetLookupError?

        func record(_ error: AssetLookupError) {
            if first == nil { first = error }
        }
    }
}

/// Finished output of a lambda. Returned as a non-`String` so swift-mustache writes it as is instead of
/// parsing it as a template.
struct HTMLText: CustomStringConvertible {
    let description: String

    init(_ text: String) { description = text }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
