/// Which reference grammar applies to a file.
///
/// Mirrors the file patterns of Django's `HashedFilesMixin.patterns`
/// (`*.css`, `*.js`, matched case-sensitively like Django's `fnmatchcase`),
/// plus `.mjs`, which Django does not process at all.
package enum ReferenceSyntax: Sendable, Hashable {
    /// Stylesheets: `url(...)`, `@import "..."` and `/*# sourceMappingURL=... */`.
    case css
    /// Scripts: `//# sourceMappingURL=...`, plus, when `modules` is true
    /// (Django's `support_js_module_import_aggregation`), ES module
    /// `import`/`export ... from`, side-effect `import "..."` and `import("...")`.
    case javaScript(modules: Bool)

    /// The syntax for a logical path: `.css` → ``css``, `.js`/`.mjs` →
    /// ``javaScript(modules:)``, anything else → `nil` (the file is not scanned).
    /// The extension comparison is case-sensitive, as in Django.
    package static func forPath(_ logicalPath: String, jsModules: Bool) -> ReferenceSyntax? {
        if logicalPath.hasSuffix(".css") { return .css }
        if logicalPath.hasSuffix(".js") || logicalPath.hasSuffix(".mjs") {
            return .javaScript(modules: jsModules)
        }
        return nil
    }
}

/// One syntactic reference to another asset, found by ``ReferenceScanner``.
///
/// Every construct that Django's patterns would match is reported, including
/// ones the engine will leave alone (`data:`, `http:`, `//host`, `#frag`,
/// absolute paths outside `STATIC_URL`, empty urls): classifying ``url`` is the
/// caller's job. Offsets are UTF-8 byte offsets into the scanned buffer.
package struct Reference: Sendable, Hashable {
    /// The construct a reference was found in. It decides the text a rewrite
    /// emits (Django's pattern template):
    package enum Form: Sendable, Hashable {
        /// `url(x)`, `url('x')`, `url("x")` (any case, also inside `@import url(...)`)
        /// → `url("NEW")`.
        case cssURL
        /// `@import "x"` / `@import 'x'` → `@import url("NEW")`.
        case cssImport
        /// `/*# sourceMappingURL=x */` at the start of a line
        /// → `/*# sourceMappingURL=NEW */`.
        case cssSourceMap
        /// `//# sourceMappingURL=x` at the start of a line → `//# sourceMappingURL=NEW`.
        case jsSourceMap
        /// `import <clause> from "x"` → `import<clause> from "NEW"` (the clause is
        /// kept byte for byte, whitespace around `from` becomes one space).
        case jsImportFrom
        /// `export <clause> from "x"` → `export<clause> from "NEW"`.
        case jsExportFrom
        /// `import "x"` (side-effect import) → `import"NEW"`.
        case jsImport
        /// `import("x")` → `import("NEW")`.
        case jsDynamicImport
    }

    /// The url text as Django's `url` group captures it, except that leading
    /// and trailing ASCII whitespace is never included (see the notes at the top
    /// of `ReferenceScanner.swift`). Query and fragment are kept, escapes and
    /// percent-encoding are not decoded.
    package var url: String
    /// UTF-8 byte offsets of the whole construct (what a rewrite replaces).
    package var matchRange: Range<Int>
    /// UTF-8 byte offsets of ``url`` inside the buffer (always within ``matchRange``).
    package var urlRange: Range<Int>
    /// 1-based line of the construct's start (lines end at `\n`).
    package var line: Int
    /// 1-based column of the construct's start, counted in Unicode scalars.
    package var column: Int
    /// Which construct this is.
    package var form: Form
    /// The whole construct as written, e.g. `url("../img/nope.png")`, for messages
    /// such as `css/app.css:12:18: url("../img/nope.png")`.
    package var matchedText: String
    /// For ``Form/jsImportFrom`` and ``Form/jsExportFrom``: the end of Django's
    /// `import`/`exports` group (the clause after the keyword, without the
    /// whitespace before `from`), which a rewrite keeps verbatim. For every other
    /// form it equals `matchRange.lowerBound`.
    var clauseEnd: Int
}
