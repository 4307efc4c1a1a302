import Foundation
import StaticAssets
import StaticAssetsServer

/// A small STATIC_ROOT written with Foundation only: files, fake `.br`/`.gz` variants (the responder
/// never decodes them) and a manifest with `paths` and `files`.
struct StaticRootFixture {
    static let css = Data("body { color: #c00; }\n".utf8)
    static let js = Data(String(repeating: "console.log('hello');\n", count: 40).utf8)

    let root: URL
    let resolver: AssetResolver

    init() {
        root = Self.temporaryDirectory("root")
        let files: [String: (Data, [String: Data])] = [
            "css/app.css": (Self.css, ["br": Data("BR-CSS".utf8), "gzip": Data("GZ-CSS-BYTES".utf8)]),
            "css/app.3f2a9c1b7d4e.css": (Self.css, ["br": Data("BR-CSS".utf8), "gzip": Data("GZ-CSS-BYTES".utf8)]),
            "js/app.0123456789ab.js": (Self.js, ["gzip": Data("GZ-JS".utf8)]),
            "img/logo.aaaaaaaaaaaa.png": (Data([0x89, 0x50, 0x4E, 0x47]), [:]),
            "LICENSE.bbbbbbbbbbbb": (Data("MIT\n".utf8), [:]),
            "odd/café au lait.cccccccccccc.txt": (Data("latte\n".utf8), [:]),
        ]
        var entries: [String: Any] = [:]
        for (name, (content, variants)) in files {
            Self.write(content, to: root.appendingPathComponent(name))
            var encodings: [String: Int] = [:]
            for (token, bytes) in variants {
                Self.write(bytes, to: root.appendingPathComponent(name + (token == "br" ? ".br" : ".gz")))
                encodings[token] = bytes.count
            }
            entries[name] = [
                "size": content.count, "integrity": "sha384-" + Self.fakeDigest(name), "encodings": encodings,
            ]
        }
        let manifest: [String: Any] = [
            "paths": [
                "css/app.css": "css/app.3f2a9c1b7d4e.css", "js/app.js": "js/app.0123456789ab.js",
                "img/logo.png": "img/logo.aaaaaaaaaaaa.png", "LICENSE": "LICENSE.bbbbbbbbbbbb",
                "odd/café au lait.txt": "odd/café au lait.cccccccccccc.txt",
            ],
            "version": "1.1", "hash": "0123456789ab", "files": entries,
        ]
        Self.write(
            try! JSONSerialization.data(withJSONObject: manifest), to: root.appendingPathComponent("staticfiles.json"))
        resolver = try! AssetResolver(manifestPath: root.appendingPathComponent("staticfiles.json").path)
    }

    func responder(_ options: StaticFileResponder.Options = .init()) -> StaticFileResponder {
        StaticFileResponder(staticRoot: root.path, resolver: resolver, options: options)
    }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// 64 base64 characters that differ per name, like `sha384-…`.
    static func fakeDigest(_ name: String) -> String {
        let seed = Data(name.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        return String(String(repeating: seed, count: 64 / max(seed.count, 1) + 1).prefix(64))
    }

    static func temporaryDirectory(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("static-serve-\(label)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.resolvingSymlinksInPath()
    }

    static func write(_ data: Data, to url: URL) {
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! data.write(to: url)
    }

    static func write(_ text: String, to url: URL) { write(Data(text.utf8), to: url) }
}

func get(
    _ path: String, _ headers: [(name: String, value: String)] = [], method: String = "GET"
) -> StaticRequest {
    StaticRequest(method: method, path: path, headers: headers)
}

/// The body `.file` of the file at `path` (opened now), bytes `range`; nil when there is no such file.
func diskBody(_ path: String, _ range: Range<Int>) -> StaticResponse.Body? {
    OpenFile.open(path: path).map { .file($0, range: range) }
}
