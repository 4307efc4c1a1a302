import StaticAssets

/// What ``StaticFileResponder/Options/addHeaders`` is told about a response for a file.
public struct ServedFile: Sendable, Equatable {
    /// The file's name in its folder: `css/app.3f2a9c1b7d4e.css` in STATIC_ROOT (the logical name in
    /// development mode), `robots.txt` or `.well-known/security.txt` in the root files, `docs/index.html`
    /// for `/static/docs/` with an index file.
    public let name: String
    /// The request's path, still percent-encoded, without the query: `/static/css/app.3f2a9c1b7d4e.css`.
    public let urlPath: String
    /// 200, 206 or 304.
    public let status: Int

    public init(name: String, urlPath: String, status: Int) {
        self.name = name
        self.urlPath = urlPath
        self.status = status
    }
}
