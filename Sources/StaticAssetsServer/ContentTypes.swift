import StaticAssets

/// `Content-Type` by file extension; text types carry `; charset=utf-8`.
public enum ContentTypes {
    /// Extensions whose type gets `; charset=utf-8`.
    public static let textExtensions: Set<String> = [
        "css", "js", "mjs", "json", "map", "svg", "html", "htm", "txt", "xml", "webmanifest", "csv",
    ]

    static let types: [String: String] = [
        "css": "text/css", "js": "text/javascript", "mjs": "text/javascript", "json": "application/json",
        "map": "application/json", "svg": "image/svg+xml", "html": "text/html", "htm": "text/html",
        "txt": "text/plain", "xml": "application/xml", "webmanifest": "application/manifest+json",
        "csv": "text/csv", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "avif": "image/avif", "jxl": "image/jxl", "ico": "image/x-icon", "bmp": "image/bmp",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
        "eot": "application/vnd.ms-fontobject", "wasm": "application/wasm", "pdf": "application/pdf",
        "zip": "application/zip", "mp4": "video/mp4", "webm": "video/webm", "mp3": "audio/mpeg",
        "ogg": "audio/ogg", "wav": "audio/wav", "flac": "audio/flac",
    ]

    /// The `Content-Type` value for a file name (`application/octet-stream` when unknown).
    public static func contentType(for name: String) -> String {
        guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/") else { return "application/octet-stream" }
        let ext = name[name.index(after: dot)...].lowercased()
        guard let type = types[ext] else { return "application/octet-stream" }
        return textExtensions.contains(ext) ? type + "; charset=utf-8" : type
    }
}
