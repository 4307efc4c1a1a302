import StaticAssets

/// Decides what a reference written in an asset points at, with Django's `url_converter` rules:
/// scheme URLs (any case: `data:`, `http:`, `HTTP:`, `blob:`), protocol-relative `//host`,
/// fragment-only `#id`, folder paths ending in `/` and absolute paths outside STATIC_URL are left
/// alone; `/static/...` resolves from STATIC_URL; anything else relative to the referencing file.
/// The target is percent-decoded and normalised; a path that climbs out of the tree never resolves.
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
        let decoded = Self.percentDecoded(joined)
        let normalized = IgnorePattern.normpath(decoded)
        if normalized == ".." || normalized.hasPrefix("../") || normalized.hasPrefix("/") || normalized == "." {
            return .escapes(normalized)
        }
        return .asset(normalized)
    }

    /// The reference with its last path segment replaced by the hashed file name: `../img/a.png?v=1#x`
    /// + `3f2a9c1b7d4e` → `../img/a.3f2a9c1b7d4e.png?v=1#x`. Everything else stays as written.
    static func rewritten(_ url: String, hash: String) -> String {
        let parts = URLParts(url)
        let slash = parts.path.lastIndex(of: "/")
        let directory = slash.map { String(parts.path[...$0]) } ?? ""
        let segment = slash.map { String(parts.path[parts.path.index(after: $0)...]) } ?? parts.path
        return parts.leading + directory + HashedName.make(segment, hash: hash) + parts.suffix + parts.trailing
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

    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%"), let bytes = URLPath.decode(text) else { return text }
        return String(validating: bytes, as: UTF8.self) ?? text
    }
}

/// A reference split into surrounding whitespace, path, and `?query#fragment` suffix.
struct URLParts {
    var leading: String
    var path: String
    var suffix: String
    var trailing: String

    init(_ url: String) {
        var body = Substring(url)
        var leading = ""
        var trailing = ""
        while let first = body.first, first.isWhitespace {
            leading.append(first)
            body = body.dropFirst()
        }
        while let last = body.last, last.isWhitespace {
            trailing.insert(last, at: trailing.startIndex)
            body = body.dropLast()
        }
        let cut = body.firstIndex { $0 == "?" || $0 == "#" } ?? body.endIndex
        self.leading = leading
        self.path = String(body[..<cut])
        self.suffix = String(body[cut...])
        self.trailing = trailing
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
