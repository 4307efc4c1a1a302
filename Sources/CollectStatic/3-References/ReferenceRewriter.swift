/// Replaces the urls of chosen references, emitting each rewritten construct
/// through the template of the Django pattern that matched it, so the output is
/// byte-identical to what Django's ManifestStaticFilesStorage writes for the
/// same substitutions. Pure, no I/O.
///
/// Templates (`NEW` is the replacement url, inserted verbatim):
///
/// | ``Reference/Form``   | written as                         |
/// |----------------------|------------------------------------|
/// | `cssURL`             | `url("NEW")`                       |
/// | `cssImport`          | `@import url("NEW")`               |
/// | `cssSourceMap`       | `/*# sourceMappingURL=NEW */`      |
/// | `jsSourceMap`        | `//# sourceMappingURL=NEW`         |
/// | `jsImportFrom`       | `import<clause> from "NEW"`        |
/// | `jsExportFrom`       | `export<clause> from "NEW"`        |
/// | `jsImport`           | `import"NEW"`                      |
/// | `jsDynamicImport`    | `import("NEW")`                    |
///
/// `<clause>` is the original text between the keyword and the whitespace
/// before `from`, kept byte for byte. Everything outside rewritten constructs
/// is copied unchanged.
package enum ReferenceRewriter {
    /// Rewrites `bytes` (the buffer `references` were scanned from).
    ///
    /// - Parameters:
    ///   - references: references from ``ReferenceScanner/scan(_:syntax:)`` on
    ///     the same bytes. Order does not matter; references that overlap an
    ///     earlier one or lie outside the buffer are ignored.
    ///   - newURL: the replacement url text for a reference, or nil to leave
    ///     that construct byte for byte as written. A reference whose
    ///     replacement equals its ``Reference/url`` is also left untouched
    ///     (Django would still normalise its quoting; see the notes in
    ///     `ReferenceScanner.swift`).
    /// - Returns: the rewritten bytes; `bytes` itself when nothing changed.
    package static func rewrite(
        _ bytes: [UInt8], references: [Reference], newURL: (Reference) -> String?
    ) -> [UInt8] {
        var sorted = references
        if !zip(sorted, sorted.dropFirst()).allSatisfy({ $0.matchRange.lowerBound <= $1.matchRange.lowerBound }) {
            sorted.sort { $0.matchRange.lowerBound < $1.matchRange.lowerBound }
        }
        return rewrite(bytes, inOrder: sorted, reference: { $0 }, newURL: { _, reference in newURL(reference) })
    }

    /// Rewrites `bytes` with `items` already in source order, each made into its reference only
    /// when it is reached: a file of millions of references is rewritten without a list of them.
    static func rewrite<Items: Sequence>(
        _ bytes: [UInt8], inOrder items: Items, reference: (Items.Element) -> Reference,
        newURL: (Items.Element, Reference) -> String?
    ) -> [UInt8] {
        // Room for every construct to grow by a hashed name and quotes, so that the output of a
        // reference-dense file is not copied to twice its size as it grows.
        let capacity = bytes.count + 64 + items.underestimatedCount * 24
        var output: [UInt8] = []
        var copied = 0  // bytes[..<copied] are already in output (or unchanged so far)
        var changed = false
        for item in items {
            let reference = reference(item)
            let match = reference.matchRange
            guard match.lowerBound >= copied, match.upperBound <= bytes.count,
                let replacement = newURL(item, reference), replacement != reference.url
            else { continue }
            if !changed {
                output.reserveCapacity(capacity)
                changed = true
            }
            output.append(contentsOf: bytes[copied..<match.lowerBound])
            appendTemplate(for: reference, url: replacement, original: bytes, to: &output)
            copied = match.upperBound
        }
        guard changed else { return bytes }
        output.append(contentsOf: bytes[copied...])
        return output
    }

    /// The text Django's pattern template produces for `reference` with `url`.
    static func appendTemplate(
        for reference: Reference, url: String, original bytes: [UInt8], to output: inout [UInt8]
    ) {
        func put(_ text: String) { output.append(contentsOf: text.utf8) }
        switch reference.form {
        case .cssURL:
            put("url(\"")
            put(url)
            put("\")")
        case .cssImport:
            put("@import url(\"")
            put(url)
            put("\")")
        case .cssSourceMap:
            put("/*# sourceMappingURL=")
            put(url)
            put(" */")
        case .jsSourceMap:
            put("//# sourceMappingURL=")
            put(url)
        case .jsImportFrom, .jsExportFrom:
            let match = reference.matchRange
            let clause = match.lowerBound..<min(max(reference.clauseEnd, match.lowerBound), match.upperBound)
            output.append(contentsOf: bytes[clause])
            put(" from \"")
            put(url)
            put("\"")
        case .jsImport:
            put("import\"")
            put(url)
            put("\"")
        case .jsDynamicImport:
            put("import(\"")
            put(url)
            put("\")")
        }
    }
}
