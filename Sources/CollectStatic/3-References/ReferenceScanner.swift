// ReferenceScanner: finds asset references in CSS and JavaScript, the way
// Django 6.1's `HashedFilesMixin` (ManifestStaticFilesStorage) finds them.
//
// Django applies one regex per construct, one pass after another, each pass on
// the previous pass's output, and leaves a match alone when its start lies
// strictly inside an "ignored block" (block comment, escape, '...' or "..."
// string; for JS also // line comments and `...` template literals) computed
// by `_css_ignored_re` / `_js_ignored_re` on the current content. This file
// does the same in one left-to-right pass over UTF-8 bytes: a small tokenizer
// that skips exactly the blocks those ignored-block regexes find (including
// their fallbacks: an unterminated string, JS comment or template literal is
// not a block, its opening character is just skipped), and recognises the
// constructs at every position that is not inside a block. For realistic input
// the result, fed to `ReferenceRewriter`, is byte-identical to Django's output;
// `ReferenceRewriterDjangoTests` checks that against Django itself.
//
// DELIBERATE DIFFERENCES FROM DJANGO 6.1 (each one is a Django bug or quirk;
// the cases marked [tested] have a test asserting that Django really differs):
//
//  1. Whitespace inside url(): `url( "a.png" )`, `url('a.png' )`, `url( 'a.png')`
//     are references to `a.png`. Django captures the quotes and spaces as part
//     of the url (`"a.png" `), fails to find that file and aborts. [tested]
//  2. Leading/trailing whitespace is never part of `url`. Django keeps trailing
//     whitespace (`url(a.png?v=1 )` → `url("a.HASH.png?v=1 ")`) and leading
//     whitespace after `sourceMappingURL=`. For plain paths the output is the
//     same, because Django strips whitespace when it looks the file up. [tested]
//  3. CRLF line endings: `//# sourceMappingURL=x.map\r\n` keeps its `\r`
//     (Django's `.*` swallows the `\r` and the rewrite drops it), and
//     `/*# sourceMappingURL=x.map */\r\n` is a reference (Django's `\*/$` does
//     not match before `\r`, so it never rewrites it). Spaces or tabs after the
//     closing `*/` of a CSS source map are allowed too (Django: not a reference).
//     [tested]
//  4. Quotes must pair: in `@import "a.css"`, `url("a.png")` and the JS forms the
//     closing quote is the first unescaped quote of the same kind. Django takes
//     the first quote of either kind (`'./it\'s.js'`, `"it's.css"` get cut at
//     the apostrophe); mismatched quotes (`@import "a.css'`) are no reference.
//     Backslash escapes inside quoted urls are honoured (the url text keeps
//     them raw, undecoded, like Django's capture). [tested]
//  5. JS keywords are case-sensitive and whole words: `import`/`export`/`from`
//     only in lower case and not preceded by an identifier character, `.` or
//     `#`. Django matches with re.IGNORECASE and no word boundary, so e.g.
//     `isImport = x\nexport {a} from "./a.js"` is rewritten by Django into
//     `isimport = ...` (corrupting the identifier) and `obj.import("./x.js")`
//     is treated as a dynamic import. [tested]
//  6. JS `import`/`export ... from` clauses are parsed as ES clauses
//     (identifiers, `,`, `*`, one `{...}` group, comments), not as Django's
//     `[^;]*?`. Django's lazy clause can start at an earlier `import`/`export`
//     and run across lines up to the next `from "./..."` when there is no `;`
//     in between. Consequences in Django, which we do not reproduce:
//       a. the word `import` in a comment or string right before a real import
//          (`// import helpers\nimport {h} from "./h.js";`) makes Django skip
//          the real import, because the combined match starts in the comment;
//       b. a statement without `;` before an `export ... from` (e.g. ASI style
//          `import x from "lib"\nexport * from "./y.js"`) makes the import
//          pattern rewrite the export, and then the export pattern rewrites it
//          again, hashing the name twice (`y.HASH.HASH.js`);
//       c. conversely Django rewrites an import inside a comment or string
//          when the combined match starts at a real `import` before it
//          (`import "./a.js"\n/* import x from './old.js' */`).
//     When Django's combined match starts at a real lowercase keyword and ends
//     at a real reference, the bytes it produces are the same as ours. [tested]
//  7. `export*from"./x.js"` and `export*as ns from"./x.js"` (minifier output)
//     are references; Django's export pattern requires whitespace or `{` after
//     `export` and silently leaves them unhashed. [tested]
//  8. Identity replacements are not re-templated: if the new url equals the old
//     one (e.g. a directory url such as `url(fonts/)`, which Django does not
//     hash) the construct is left byte for byte as written, whereas Django
//     still normalises it (`url(fonts/)` → `url("fonts/")`). [tested]
//  9. `.mjs` files are scanned as JavaScript (Django only processes `*.js`).
// 10. A Django match can also start at a `url(`, `@import` or `import` that is
//     inside a comment or string and then swallow a real reference after the
//     block (`/* see url( */ a { b: url(x.png) }` on one line); Django leaves
//     that real reference alone, we report it.
// 11. Whitespace means ASCII whitespace (space, \t, \n, \r, \f, \v); Python's
//     `\s` also matches Unicode spaces such as U+00A0.
// 12. Text inside an unquoted `url(...)` never opens a string or comment for
//     what follows it (an apostrophe in `url(it's.png)` does not hide the rest
//     of the line, as it does for Django's ignored-block regex). A CSS source
//     map comment ends at its first `*/` (Django's greedy `.*` runs to the last
//     `*/` of the line).
// 13. Django's later passes run on the earlier passes' output, so the `"` that
//     the `url("...")` template adds can pair with a stray unbalanced `"` on the
//     same line and hide a later `@import "..."` from Django's @import pass.
//     We always judge constructs against the original text.
// 14. A CSS block comment that is never closed runs to the end of the file, as
//     CSS Syntax says (a 20 MB stylesheet cut after a `/*` is one comment, not
//     millions of references to files that are not there). Django's ignored-block
//     regex finds no block and scans the rest as code. JavaScript keeps Django's
//     rule (an unclosed comment is a syntax error there anyway). [tested]
//
// NOT DONE HERE (the engine's job, listed in docs/differences-from-django.md): Django's converter
// skips only lowercase schemes (`re.match(r"^[a-z]+:", url)`), so it treats
// `url(HTTP://x/a.png)` as a relative path and fails; the scanner just reports
// the url text, and the engine should test schemes case-insensitively.
//
// SHARED LIMITATIONS (same as Django, on purpose): no regex-literal detection in
// JS (a quote inside `/'/` opens a string), `${...}` inside template literals is
// not parsed (imports there are not found), `import( "./x.js" )` with spaces,
// `import("./x.js", {...})` and template-literal specifiers are not references,
// and module forms are only recognised when module mode is on.

/// Finds every asset reference in a CSS or JavaScript file. Pure, no I/O.
package enum ReferenceScanner {
    /// Scans `bytes` (expected to be UTF-8; invalid sequences never crash it)
    /// and returns the references in source order, non-overlapping.
    ///
    /// Every syntactic reference is returned, including `data:`, `http:`,
    /// protocol-relative, fragment-only and empty urls: deciding which ones to
    /// rewrite is the caller's job (see ``ReferenceRewriter``).
    package static func scan(_ bytes: [UInt8], syntax: ReferenceSyntax) -> [Reference] {
        var references: [Reference] = []
        forEach(in: bytes, syntax: syntax) { references.append($0) }
        return references
    }

    /// Calls `body` with each reference of `bytes`, in source order, holding only a small batch of
    /// them at a time: a stylesheet of millions of references is scanned in memory near its size.
    package static func forEach(
        in bytes: [UInt8], syntax: ReferenceSyntax, _ body: (Reference) throws -> Void
    ) rethrows {
        try bytes.withUnsafeBufferPointer { buffer in
            var tokenizer = ReferenceTokenizer(buffer, syntax: syntax)
            // Line/column bookkeeping, advanced monotonically (references are sorted),
            // so minified one-line files stay linear.
            var position = 0
            var line = 1
            var column = 1
            while tokenizer.position < buffer.count {
                tokenizer.run(limit: 1024)
                for r in tokenizer.found {
                    let start = r.match.lowerBound
                    while position < start {
                        let byte = buffer[position]
                        if byte == UInt8(ascii: "\n") {
                            line += 1
                            column = 1
                        } else if byte & 0xC0 != 0x80 {
                            column += 1  // count Unicode scalars, not continuation bytes
                        }
                        position += 1
                    }
                    try body(
                        Reference(
                            url: String(decoding: buffer[r.url], as: UTF8.self),
                            matchRange: r.match,
                            urlRange: r.url,
                            line: line,
                            column: column,
                            form: r.form,
                            matchedText: String(decoding: buffer[r.match], as: UTF8.self),
                            clauseEnd: r.clauseEnd
                        ))
                }
                tokenizer.found.removeAll(keepingCapacity: true)
            }
        }
    }
}

/// A reference before line/column and strings are computed.
private struct RawReference {
    var form: Reference.Form
    var match: Range<Int>
    var url: Range<Int>
    var clauseEnd: Int
}

// MARK: - Byte classes

fileprivate extension UInt8 {
    /// ASCII whitespace: space, \t, \n, \v, \f, \r.
    @inline(__always) var isASCIIWhitespace: Bool {
        self == 0x20 || (self >= 0x09 && self <= 0x0D)
    }
    /// A byte that can continue a JS identifier (ASCII letters, digits, `_`, `$`,
    /// and any byte of a non-ASCII character).
    @inline(__always) var isIdentifierByte: Bool {
        (self >= 0x61 && self <= 0x7A) || (self >= 0x41 && self <= 0x5A)
            || (self >= 0x30 && self <= 0x39) || self == 0x5F || self == 0x24 || self >= 0x80
    }
    @inline(__always) var isQuote: Bool { self == 0x22 || self == 0x27 }
    @inline(__always) var asciiLowercased: UInt8 {
        (self >= 0x41 && self <= 0x5A) ? self | 0x20 : self
    }
}

// MARK: - Tokenizer

/// The single-pass tokenizer. Positions are byte offsets into `b`.
private struct ReferenceTokenizer {
    let b: UnsafeBufferPointer<UInt8>
    let n: Int
    let isCSS: Bool
    let modules: Bool
    var found: [RawReference] = []

    // Memoised failures, so unterminated constructs cannot make scanning
    // quadratic. A failed string scan from `p` that stopped at `f` means every
    // same-kind quote in `p..<f` fails too (it was escaped in that scan, so its
    // own scan continues in lockstep). A missing `*/` or closing backtick after
    // `p` is missing after any later position as well.
    var failedString: [Range<Int>] = [0..<0, 0..<0]  // for `"` and `'`
    var commentUnterminatedFrom = Int.max
    // Where the last unquoted `url(` scan stopped (`)`, newline or end): a scan
    // starting anywhere in `from...stop` stops there too.
    var unquotedURLStop = (from: -1, stop: -1)
    var templateUnterminatedFrom = Int.max

    init(_ buffer: UnsafeBufferPointer<UInt8>, syntax: ReferenceSyntax) {
        b = buffer
        n = buffer.count
        switch syntax {
        case .css:
            isCSS = true
            modules = false
        case .javaScript(let m):
            isCSS = false
            modules = m
        }
    }

    /// Where scanning goes on from.
    var position = 0

    /// Scans on from `position` until the end, or until `found` holds `limit` references.
    mutating func run(limit: Int = .max) {
        var i = position
        defer { position = i }
        while i < n && found.count < limit {
            switch b[i] {
            case UInt8(ascii: "/"):
                i = slash(at: i)
            case UInt8(ascii: "\\"):
                i = min(i + 2, n)  // `\\.` (DOTALL): backslash plus one character
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                i = stringEnd(at: i) ?? i + 1
            case UInt8(ascii: "`") where !isCSS:
                i = templateEnd(at: i) ?? i + 1
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                if isCSS, hasPrefix("url(", at: i, caseInsensitive: true) {
                    i = cssURL(at: i) ?? i + 4
                } else {
                    i += 1
                }
            case UInt8(ascii: "@"):
                if isCSS, hasPrefix("@import", at: i, caseInsensitive: true) {
                    i = cssImport(at: i) ?? i + 7
                } else {
                    i += 1
                }
            case UInt8(ascii: "i"):
                if modules, hasPrefix("import", at: i), isKeywordStart(i) {
                    i = jsImport(at: i) ?? i + 6
                } else {
                    i += 1
                }
            case UInt8(ascii: "e"):
                if modules, hasPrefix("export", at: i), isKeywordStart(i) {
                    i = jsExport(at: i) ?? i + 6
                } else {
                    i += 1
                }
            default:
                i += 1
            }
        }
    }

    // MARK: Primitives

    func hasPrefix(_ literal: StaticString, at i: Int, caseInsensitive: Bool = false) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= n else { return false }
        let p = literal.utf8Start
        for k in 0..<count {
            let byte = caseInsensitive ? b[i + k].asciiLowercased : b[i + k]
            if byte != p[k] { return false }
        }
        return true
    }

    @inline(__always) func isLineStart(_ i: Int) -> Bool {
        i == 0 || b[i - 1] == UInt8(ascii: "\n")
    }

    /// A JS keyword must not continue an identifier, a member access or a
    /// private name.
    @inline(__always) func isKeywordStart(_ i: Int) -> Bool {
        guard i > 0 else { return true }
        let c = b[i - 1]
        return !(c.isIdentifierByte || c == UInt8(ascii: ".") || c == UInt8(ascii: "#"))
    }

    func skipWhitespace(from i: Int) -> Int {
        var i = i
        while i < n && b[i].isASCIIWhitespace { i += 1 }
        return i
    }

    /// `range` without leading and trailing ASCII whitespace.
    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi && b[lo].isASCIIWhitespace { lo += 1 }
        while hi > lo && b[hi - 1].isASCIIWhitespace { hi -= 1 }
        return lo..<hi
    }

    /// `'(?:[^'\\\n]|\\.)*'` (and the `"` twin) at `i`: the end of the string, or
    /// nil when it is unterminated on its line (then it is no block).
    mutating func stringEnd(at i: Int) -> Int? {
        let q = b[i]
        let slot = q == UInt8(ascii: "\"") ? 0 : 1
        if failedString[slot].contains(i) { return nil }
        var j = i + 1
        while j < n {
            let c = b[j]
            if c == q { return j + 1 }
            if c == UInt8(ascii: "\n") { break }
            if c == UInt8(ascii: "\\") {
                if j + 1 >= n { break }
                j += 2
            } else {
                j += 1
            }
        }
        failedString[slot] = i..<min(j, n)
        return nil
    }

    /// `` `(?:[^`\\]|\\.)*` `` at `i` (may span lines; `${}` is not parsed).
    mutating func templateEnd(at i: Int) -> Int? {
        if i >= templateUnterminatedFrom { return nil }
        var j = i + 1
        while j < n {
            let c = b[j]
            if c == UInt8(ascii: "`") { return j + 1 }
            j += c == UInt8(ascii: "\\") ? 2 : 1
        }
        templateUnterminatedFrom = i
        return nil
    }

    /// `/\*.*?\*/` at `i` (b[i] == "/", b[i+1] == "*"): the offset after `*/`.
    mutating func blockCommentEnd(at i: Int) -> Int? {
        if i >= commentUnterminatedFrom { return nil }
        var j = i + 2
        while j + 1 < n {
            if b[j] == UInt8(ascii: "*") && b[j + 1] == UInt8(ascii: "/") { return j + 2 }
            j += 1
        }
        commentUnterminatedFrom = i
        return nil
    }

    /// The offset of the closing `quote` of a quoted url or specifier whose
    /// content starts at `from`; nil if the line (or the buffer) ends first.
    func closingQuote(_ quote: UInt8, from: Int) -> Int? {
        var j = from
        while j < n {
            let c = b[j]
            if c == quote { return j }
            if c == UInt8(ascii: "\n") { return nil }
            if c == UInt8(ascii: "\\") {
                if j + 1 >= n || b[j + 1] == UInt8(ascii: "\n") { return nil }
                j += 2
            } else {
                j += 1
            }
        }
        return nil
    }

    mutating func record(_ form: Reference.Form, _ match: Range<Int>, url: Range<Int>, clauseEnd: Int? = nil) {
        found.append(RawReference(form: form, match: match, url: url, clauseEnd: clauseEnd ?? match.lowerBound))
    }

    // MARK: Comments and source maps

    /// `/` in code: a block comment (CSS source map candidate), a JS line
    /// comment (JS source map candidate), or a plain character.
    mutating func slash(at i: Int) -> Int {
        guard i + 1 < n else { return i + 1 }
        if b[i + 1] == UInt8(ascii: "*") {
            // CSS Syntax: a comment left open runs to the end of the file. (Django's ignored-block
            // regex finds no block there and scans the rest as code, difference 14.)
            guard let end = blockCommentEnd(at: i) else { return isCSS ? n : i + 1 }
            if isCSS { cssSourceMap(at: i, commentEnd: end) }
            return end
        }
        if !isCSS && b[i + 1] == UInt8(ascii: "/") {
            var lineEnd = i + 2
            while lineEnd < n && b[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            if isLineStart(i) && hasPrefix("//# sourceMappingURL=", at: i) {
                // `^//# sourceMappingURL=(?P<url>.*)$`, but a CR before the LF
                // stays outside the construct.
                var end = lineEnd
                if end > i + 21 && b[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                record(.jsSourceMap, i..<end, url: trimmed(i + 21..<end))
            }
            return lineEnd
        }
        return i + 1
    }

    /// `^/\*#[ \t]sourceMappingURL=(?P<url>.*)[ \t]*\*/$`, with `[ \t]*\r?`
    /// tolerated after the `*/`.
    mutating func cssSourceMap(at i: Int, commentEnd end: Int) {
        guard isLineStart(i), i + 4 < n, b[i + 2] == UInt8(ascii: "#"),
            b[i + 3] == UInt8(ascii: " ") || b[i + 3] == UInt8(ascii: "\t"),
            hasPrefix("sourceMappingURL=", at: i + 4)
        else { return }
        let urlStart = i + 4 + 17
        let urlEnd = end - 2
        guard urlStart <= urlEnd else { return }
        for k in urlStart..<urlEnd where b[k] == UInt8(ascii: "\n") { return }
        var k = end
        while k < n && (b[k] == UInt8(ascii: " ") || b[k] == UInt8(ascii: "\t")) { k += 1 }
        if k < n && b[k] == UInt8(ascii: "\r") { k += 1 }
        guard k == n || b[k] == UInt8(ascii: "\n") else { return }
        record(.cssSourceMap, i..<end, url: trimmed(urlStart..<urlEnd))
    }

    // MARK: CSS

    /// `url(` at `i`: `url(x)`, `url('x')`, `url("x")`, whitespace allowed
    /// around the url. Returns the offset after `)`.
    mutating func cssURL(at i: Int) -> Int? {
        let j = skipWhitespace(from: i + 4)
        guard j < n else { return nil }
        if b[j].isQuote {
            guard let close = closingQuote(b[j], from: j + 1) else { return nil }
            let paren = skipWhitespace(from: close + 1)
            guard paren < n, b[paren] == UInt8(ascii: ")") else { return nil }
            record(.cssURL, i..<paren + 1, url: trimmed(j + 1..<close))
            return paren + 1
        }
        // The url runs to the first `)`; a newline (or the end) first means no match.
        let k: Int
        if unquotedURLStop.from <= j && j <= unquotedURLStop.stop {
            k = unquotedURLStop.stop
        } else {
            var stop = j
            while stop < n && b[stop] != UInt8(ascii: ")") && b[stop] != UInt8(ascii: "\n") { stop += 1 }
            unquotedURLStop = (j, stop)
            k = stop
        }
        guard k < n, b[k] == UInt8(ascii: ")") else { return nil }
        record(.cssURL, i..<k + 1, url: trimmed(j..<k))
        return k + 1
    }

    /// `@import` at `i` followed by a quoted url. Returns the offset after the
    /// closing quote.
    mutating func cssImport(at i: Int) -> Int? {
        let j = skipWhitespace(from: i + 7)
        guard j < n, b[j].isQuote, let close = closingQuote(b[j], from: j + 1) else { return nil }
        record(.cssImport, i..<close + 1, url: trimmed(j + 1..<close))
        return close + 1
    }

    // MARK: JavaScript modules

    /// A module specifier that Django's patterns accept: quote at `q`, content
    /// starting with `.` or `/`, closing quote on the same line. Returns the
    /// offset of the closing quote.
    func relativeSpecifier(at q: Int) -> Int? {
        guard q + 1 < n, b[q].isQuote,
            b[q + 1] == UInt8(ascii: ".") || b[q + 1] == UInt8(ascii: "/")
        else { return nil }
        return closingQuote(b[q], from: q + 1)
    }

    /// `import` keyword at `i`: dynamic import, side-effect import or
    /// `import ... from`. Returns the offset after the construct.
    mutating func jsImport(at i: Int) -> Int? {
        let k = i + 6
        guard k < n else { return nil }
        let c = b[k]
        if c == UInt8(ascii: "(") {
            // import("./x.js") — no whitespace allowed, as in Django.
            guard let close = relativeSpecifier(at: k + 1), close + 1 < n,
                b[close + 1] == UInt8(ascii: ")")
            else { return nil }
            record(.jsDynamicImport, i..<close + 2, url: trimmed(k + 2..<close))
            return close + 2
        }
        if c.isASCIIWhitespace || c.isQuote {
            let q = skipWhitespace(from: k)
            if q < n && b[q].isQuote {
                guard let close = relativeSpecifier(at: q) else { return nil }
                record(.jsImport, i..<close + 1, url: trimmed(q + 1..<close))
                return close + 1
            }
        }
        guard c.isASCIIWhitespace || c == UInt8(ascii: "{") || c == UInt8(ascii: "*") else {
            return nil
        }
        return fromClause(keyword: i, form: .jsImportFrom)
    }

    /// `export` keyword at `i`: only `export ... from "..."` is a reference.
    mutating func jsExport(at i: Int) -> Int? {
        let k = i + 6
        guard k < n else { return nil }
        let c = b[k]
        guard c.isASCIIWhitespace || c == UInt8(ascii: "{") || c == UInt8(ascii: "*") else {
            return nil
        }
        return fromClause(keyword: i, form: .jsExportFrom)
    }

    /// Parses `<clause> from "<specifier>"` after the 6-byte keyword at `i` and
    /// records it if the specifier is relative. The clause is a sequence of
    /// identifiers, `,`, `*` and at most one `{...}` group, with whitespace and
    /// comments anywhere; statement keywords, `;` and other punctuation end the
    /// attempt, so a clause never runs into the next statement.
    mutating func fromClause(keyword i: Int, form: Reference.Form) -> Int? {
        let clauseStart = i + 6
        var p = clauseStart
        var sawBraces = false
        while true {
            guard let q = skipTrivia(from: p), q < n else { return nil }
            p = q
            let c = b[p]
            if c == UInt8(ascii: "{") {
                guard !sawBraces, let end = bracesEnd(at: p) else { return nil }
                sawBraces = true
                p = end
            } else if c == UInt8(ascii: ",") || c == UInt8(ascii: "*") {
                p += 1
            } else if c.isIdentifierByte {
                let wordStart = p
                while p < n && b[p].isIdentifierByte { p += 1 }
                let word = wordStart..<p
                if isWord(word, "from") {
                    let quote = skipWhitespace(from: p)
                    if quote < n && b[quote].isQuote {
                        guard let close = relativeSpecifier(at: quote) else { return nil }
                        // Django's group ends where `\s*from` begins (at least
                        // one character after the keyword).
                        var clauseEnd = wordStart
                        while clauseEnd > clauseStart + 1 && b[clauseEnd - 1].isASCIIWhitespace {
                            clauseEnd -= 1
                        }
                        record(form, i..<close + 1, url: trimmed(quote + 1..<close), clauseEnd: clauseEnd)
                        return close + 1
                    }
                    // Otherwise `from` is a binding name (`import from from "./x.js"`).
                } else if isStatementKeyword(word) {
                    return nil
                }
            } else {
                return nil
            }
        }
    }

    /// Skips whitespace and comments; nil on an unterminated block comment.
    mutating func skipTrivia(from i: Int) -> Int? {
        var p = i
        while p < n {
            if b[p].isASCIIWhitespace {
                p += 1
            } else if b[p] == UInt8(ascii: "/") && p + 1 < n && b[p + 1] == UInt8(ascii: "*") {
                guard let end = blockCommentEnd(at: p) else { return nil }
                p = end
            } else if b[p] == UInt8(ascii: "/") && p + 1 < n && b[p + 1] == UInt8(ascii: "/") {
                while p < n && b[p] != UInt8(ascii: "\n") { p += 1 }
            } else {
                break
            }
        }
        return p
    }

    /// `{ ... }` of an import/export clause at `i`: names, `as`, `,`, strings
    /// (arbitrary module namespace names) and comments. Returns the offset
    /// after `}`.
    mutating func bracesEnd(at i: Int) -> Int? {
        var p = i + 1
        while true {
            guard let q = skipTrivia(from: p), q < n else { return nil }
            p = q
            switch b[p] {
            case UInt8(ascii: "}"):
                return p + 1
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                guard let end = stringEnd(at: p) else { return nil }
                p = end
            case UInt8(ascii: "{"), UInt8(ascii: ";"), UInt8(ascii: "`"), UInt8(ascii: "("),
                UInt8(ascii: ")"), UInt8(ascii: "="), UInt8(ascii: "\\"):
                return nil
            default:
                p += 1
            }
        }
    }

    func isWord(_ range: Range<Int>, _ word: StaticString) -> Bool {
        range.count == word.utf8CodeUnitCount && hasPrefix(word, at: range.lowerBound)
    }

    /// Reserved words that cannot appear at the top level of an import/export
    /// clause; seeing one means the text is some other statement.
    func isStatementKeyword(_ range: Range<Int>) -> Bool {
        guard range.count >= 2 && range.count <= 10 else { return false }
        for keyword in Self.statementKeywords where isWord(range, keyword) { return true }
        return false
    }

    static let statementKeywords: [StaticString] = [
        "import", "export", "default", "const", "let", "var", "function", "class", "return",
        "new", "if", "else", "for", "while", "do", "switch", "case", "try", "catch", "finally",
        "throw", "await", "yield", "delete", "void", "in", "instanceof", "extends", "this",
        "super", "null", "true", "false", "with", "debugger", "break", "continue",
    ]
}
