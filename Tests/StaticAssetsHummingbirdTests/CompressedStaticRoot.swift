import Crypto
import Foundation
import StaticAssets
import StaticAssetsServer

/// A STATIC_ROOT like collectstatic writes it, made with Foundation and the system `brotli` and `gzip`
/// (real variants, so bodies can be decoded and compared), plus the hostile extras the server must
/// refuse: a dotfile, a hidden folder, a symlink out of the root, the manifest itself. The manifest's
/// digests are real (SRI `sha384-…`, each variant's `sha256`), so the small hashed files are served
/// from memory and the 200 KB text file from disk.
///
/// Laid out as `<base>/www/static/…` so that nginx can use `root <base>/www` for `location /static/`.
struct CompressedStaticRoot: Sendable {
    /// One read-only site shared by the tests that do not change it (brotli takes a moment).
    static let shared = Task { try await make() }

    static let css = String(
        repeating: ".button { color: #222; background: url(\"../img/logo.5d41402abc4b.svg\"); }\n", count: 60)
    static let svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>\n"

    let base: URL
    let root: URL
    let outside: URL
    let resolver: AssetResolver
    /// Logical name → hashed name.
    let paths: [String: String]

    static func make() async throws -> CompressedStaticRoot {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("static-live-\(UUID().uuidString.prefix(8))").resolvingSymlinksInPath()
        let root = base.appendingPathComponent("www/static")
        let outside = base.appendingPathComponent("outside")
        var random = SystemRandomNumberGenerator()
        let photo = Data((0..<5000).map { _ in UInt8.random(in: 0...255, using: &random) })
        let big = Data(
            (0..<4000).map { "line \($0): the quick brown fox jumps over the lazy dog\n" }.joined().utf8)
        let sources: [(logical: String, hashed: String, content: Data, compress: Bool)] = [
            ("css/app.css", "css/app.3f2a9c1b7d4e.css", Data(css.utf8), true),
            (
                "js/app.js", "js/app.0123456789ab.js",
                Data(String(repeating: "export const x = 1;\n", count: 200).utf8), true
            ),
            ("img/logo.svg", "img/logo.5d41402abc4b.svg", Data(svg.utf8), true),
            ("img/photo.png", "img/photo.aaaaaaaaaaaa.png", photo, false),
            ("data/big.txt", "data/big.bbbbbbbbbbbb.txt", big, true),
        ]
        var paths: [String: String] = [:]
        var files: [String: Any] = [:]
        for source in sources {
            paths[source.logical] = source.hashed
            for name in [source.logical, source.hashed] {
                let url = root.appendingPathComponent(name)
                try write(source.content, to: url)
                var encodings: [String: Any] = [:]
                if source.compress {
                    try await tool("brotli", ["-f", "-k", "-q", "9", url.path])
                    try await tool("gzip", ["-f", "-k", "-n", "-9", url.path])
                    for (token, suffix) in [("br", ".br"), ("gzip", ".gz")] {
                        let variant = try Data(contentsOf: URL(fileURLWithPath: url.path + suffix))
                        encodings[token] = [
                            "size": variant.count,
                            "sha256": SHA256.hash(data: variant).map { String(format: "%02x", $0) }.joined(),
                        ]
                    }
                }
                files[name] = [
                    "size": source.content.count, "integrity": "sha384-" + digest(source.content),
                    "encodings": encodings,
                ]
            }
        }
        // Hostile extras: present on disk (some even listed in the manifest), never to be served.
        try write(Data("SECRET=1\n".utf8), to: root.appendingPathComponent(".env"))
        try write(Data("x{}\n".utf8), to: root.appendingPathComponent("css/.hidden.css"))
        try write(Data("outside the root\n".utf8), to: outside.appendingPathComponent("secret.css"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("css/evil.css").path,
            withDestinationPath: outside.appendingPathComponent("secret.css").path)
        files["css/evil.css"] = ["size": 17, "integrity": "sha384-evil", "encodings": [String: Int]()]
        files[".env"] = ["size": 9, "integrity": "sha384-env", "encodings": [String: Int]()]
        let manifest: [String: Any] = ["paths": paths, "version": "1.1", "hash": "0123456789ab", "files": files]
        let manifestURL = root.appendingPathComponent("staticfiles.json")
        try write(try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]), to: manifestURL)
        return CompressedStaticRoot(
            base: base, root: root, outside: outside, resolver: try AssetResolver(manifestPath: manifestURL.path),
            paths: paths)
    }

    func responder(_ options: StaticFileResponder.Options = .init()) -> StaticFileResponder {
        StaticFileResponder(staticRoot: root.path, resolver: resolver, options: options)
    }

    func data(_ name: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(name)) }

    /// The SRI digest (base64 SHA-384, as collectstatic writes it).
    static func digest(_ data: Data) -> String { Data(SHA384.hash(data: data)).base64EncodedString() }

    static func write(_ data: Data, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }

    @discardableResult
    static func tool(_ name: String, _ arguments: [String]) async throws -> Data {
        guard let path = ProcessRunner.find(name) else { throw CurlError(message: "\(name) is not installed") }
        let result = try await ProcessRunner.run(path, arguments)
        guard result.status == 0 else {
            throw CurlError(message: "\(name) \(arguments): \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return result.stdout
    }

    /// Decodes a compressed body with the system tool (`brotli -d` / `gzip -d`).
    static func decode(_ body: Data, encoding: String) async throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("body-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await tool(encoding == "br" ? "brotli" : "gzip", ["-d", "-c", file.path])
    }
}
