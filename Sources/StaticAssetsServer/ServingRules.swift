import StaticAssets

/// The WhiteNoise-style rules applied around every answer (``StaticFileResponder/Options``): content
/// type overrides, the index file of folders, `Access-Control-Allow-Origin`, the headers hook and the
/// folder of root files.
struct ServingRules: Sendable {
    /// What a request path leads to once the index file is taken into account.
    enum Found {
        case asset(Asset)
        /// A relative `Location` (`docs/` or `./`).
        case redirect(String)
        case missing
    }

    let allowAllOrigins: Bool
    let addHeaders: StaticFileResponder.AddHeaders?
    /// The index file's name, percent-encoded as it appears in a request path.
    let indexFile: String?
    /// ``StaticFileResponder/Options/mimeTypes`` with lowercased keys.
    let mimeTypes: [String: String]
    let rootFiles: RootFiles?

    init(_ options: StaticFileResponder.Options) {
        allowAllOrigins = options.allowAllOrigins
        addHeaders = options.addHeaders
        indexFile = options.indexFile.flatMap { $0.isEmpty ? nil : URLPath.encode($0) }
        var types: [String: String] = [:]
        for (key, value) in options.mimeTypes { types[key.lowercased()] = value }
        mimeTypes = types
        rootFiles = options.rootFiles.map(RootFiles.init)
    }

    /// `encoded` (a still-encoded path below a served folder) with the index file applied, as
    /// WhiteNoise does: `docs/` answers with `docs/index.html`; `docs` redirects to `docs/` when
    /// `docs/index.html` exists and `docs` does not; `docs/index.html` redirects to `./`.
    func resolve(_ encoded: Substring, find: (Substring) -> Asset?) -> Found {
        guard let index = indexFile else { return find(encoded).map(Found.asset) ?? .missing }
        if encoded.isEmpty || encoded.hasSuffix("/") {
            return find(Substring(encoded + index)).map(Found.asset) ?? .missing
        }
        let last = encoded[(encoded.lastIndex(of: "/").map(encoded.index(after:)) ?? encoded.startIndex)...]
        if let asset = find(encoded) {
            return last == index ? .redirect("./") : .asset(asset)
        }
        guard find(Substring(encoded + "/" + index)) != nil else { return .missing }
        return .redirect(String(last) + "/")
    }

    /// The `Content-Type` of a file: an override by name, then by extension, then the built-in table.
    func contentType(for name: String) -> String {
        guard !mimeTypes.isEmpty else { return ContentTypes.contentType(for: name) }
        let base = String(name[(name.lastIndex(of: "/").map(name.index(after:)) ?? name.startIndex)...]).lowercased()
        var type = mimeTypes[base]
        // Python's splitext: the last dot that is not the name's first character.
        if type == nil, let dot = base.lastIndex(of: "."), dot != base.startIndex {
            type = mimeTypes[String(base[dot...])]
        }
        guard let type else { return ContentTypes.contentType(for: name) }
        return type.hasPrefix("text/") && !type.contains(";") ? type + "; charset=utf-8" : type
    }
}
