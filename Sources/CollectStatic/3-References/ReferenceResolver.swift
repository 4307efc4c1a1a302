import StaticAssets

/// Decides what a reference written in an asset points at, and what it is rewritten to, with the
/// rules of Django 6.1's `HashedFilesMixin` (`url_converter`, `_url`, `hashed_name`, `_stored_name`):
///
/// - Left alone: scheme URLs (any case: `data:`, `http:`, `HTTP:`, `blob:`), protocol-relative
///   `//host`, fragment-only `#id`, folder paths ending in `/` (also `%2F`) and absolute paths
///   outside STATIC_URL.
/// - Looked up: `/static/...` from STATIC_URL, anything else relative to the referencing file; the
///   path (without `?query` and `#fragment`) is percent-decoded once, stripped of surrounding
///   whitespace and normalised. A path that climbs out of the tree never resolves.
/// - Rewritten (see ``rewritten(_:hashedName:)``): the last path segment becomes the target's
///   hashed file name; an empty query or fragment is dropped; `?#` before a fragment is re-added
///   whenever the url contains `?#` (`x.eot?abc?#iefix` → `x.HASH.eot?abc??#iefix`); the result is
///   percent-decoded like Django's final `unquote`.
///
/// Deliberate differences (each shown against Django in `ReferenceRewriterDjangoTests`): Django
/// decodes the looked-up path twice (`a%2520b.png` names `a b.png`; we look for `a%20b.png`) and
/// reads a decoded `?` or `#` as a query or fragment (`a%3Fb.png`; for us it is part of the name),
/// and its final `unquote` can write a `"`, `\` or control character into the quoted construct
/// (`url(a%22b.png)` → `url("a"b.HASH.png")`, broken CSS); such a piece keeps its percent-encoding.
/// A folder of the tree written without its slash (`url(../img)`, `url(.)`) is left as written by
/// `ReferenceGraph`, as Django leaves `../img` (Django turns `url(.)` into `url("css")`).
struct ReferenceResolver: Sendable {
    let staticURL: String

    enum Resolution: Equatable {
        /// Not a reference to a collected file; leave it as written.
        case external
        /// A logical path (may or may not exist among the sources).
        case asset(String)
        /// Climbs above the root of the tree (`../../etc/passwd`): never looked up, always missing.
        case escapes(String)
    }

    func resolve(_ url: String, from source: String) -> Resolution {
        let parts = URLParts(url)
        let path = parts.path
        if Self.hasScheme(path) || path.hasPrefix("//") { return .external }
        if path.hasPrefix("/") && !path.hasPrefix(staticURL) { return .external }
        if path.isEmpty || path.hasSuffix("/") { return .external }
        let joined: String
        if path.hasPrefix("/") {
            joined = String(path.dropFirst(staticURL.count))
        } else {
            let slash = source.lastIndex(of: "/")
            joined = (slash.map { String(source[...$0]) } ?? "") + path
        }
        // Django: `urlsplit(unquote(name)).path.strip()`; a decoded path ending in `/` is a folder.
        let decoded = Self.percentDecoded(joined).trimmingWhitespace()
        if decoded.hasSuffix("/") { return .external }
        let normalized = IgnorePattern.normpath(decoded)
        if normalized == ".." || normalized.hasPrefix("../") || normalized.hasPrefix("/") || normalized == "." {
            return .escapes(normalized)
        }
        return .asset(normalized)
    }

    /// The reference as Django's `url_converter` writes it once its target has `hashedName`:
    /// `../img/a.png?v=1#x` + `img/a.3f2a9c1b7d4e.png` → `../img/a.3f2a9c1b7d4e.png?v=1#x`.
    static func rewritten(_ url: String, hashedName: String) -> String {
        let parts = URLParts(url)
        func decoded(_ piece: String) -> String {
            let text = percentDecoded(piece)
            return text.unicodeScalars.contains(where: { isUnsafe($0) }) ? piece : text
        }
        var result: String
        if parts.query.contains("/") {
            // Django joins the url's folders with the last `/`-segment of the hashed url, which
            // then lies inside the query: the url keeps its written, unhashed name.
            result = decoded(parts.path + "?" + parts.query)
        } else {
            let slash = parts.path.lastIndex(of: "/")
            let directory = slash.map { String(parts.path[...$0]) } ?? ""
            let basename = hashedName.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init)
            result = decoded(directory) + encodedSegment(basename ?? hashedName)
            if !parts.query.isEmpty { result += decoded("?" + parts.query) }
        }
        if !parts.fragment.isEmpty {
            result += (parts.hasQuestionHash ? "?#" : "#") + decoded(parts.fragment)
        }
        return result
    }

    /// A file name as a url path segment: written as it is (Django writes the decoded name), except
    /// for the characters that would change its meaning (`%`, `?`, `#`) or break the construct.
    static func encodedSegment(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            if scalar == "%" || scalar == "?" || scalar == "#" || isUnsafe(scalar) {
                for byte in String(scalar).utf8 {
                    out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Characters that cannot stand in the rewritten construct: they would end the `"…"` string
    /// Django's templates write, or the line of a source-map comment.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\"" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7F
    }

    /// RFC 3986 scheme followed by `:`; any letter case.
    static func hasScheme(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCIILetter else { return false }
        return scheme.unicodeScalars.allSatisfy {
            $0.isASCIILetter || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)
        }
    }

    /// Python's `urllib.parse.unquote`: `%XX` escapes decoded as UTF-8, invalid sequences replaced
    /// by U+FFFD, a `%` not followed by two hex digits kept.
    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%"), let bytes = URLPath.decode(text) else { return text }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A reference split the way Django's `urldefrag` and `urlsplit` split it: path, query (after the
/// first `?` before the fragment; empty when absent or empty) and fragment (after the first `#`).
struct URLParts {
    var path: String
    var query: String
    var fragment: String
    /// Django re-adds `?#` before the fragment whenever the url contains `?#` anywhere.
    var hasQuestionHash: Bool

    init(_ url: String) {
        let body = Substring(url).trimmingWhitespace()
        let hash = body.firstIndex(of: "#")
        let beforeFragment = hash.map { body[..<$0] } ?? body
        fragment = hash.map { String(body[body.index(after: $0)...]) } ?? ""
        if let question = beforeFragment.firstIndex(of: "?") {
            path = String(beforeFragment[..<question])
            query = String(beforeFragment[beforeFragment.index(after: question)...])
        } else {
            path = String(beforeFragment)
            query = ""
        }
        hasQuestionHash = body.contains("?#")
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}

extension StringProtocol {
    /// Without leading and trailing whitespace (Python's `str.strip()`).
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
