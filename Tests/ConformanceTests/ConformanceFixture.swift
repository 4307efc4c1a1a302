import CollectStatic
import Foundation
import StaticAssets
import StaticAssetsServer
import TestSupport

/// The STATIC_ROOT the table runs against, collected by the engine: two releases (the script changes,
/// so release 2 has a `dcz` delta against release 1), real `.br`/`.gz` variants, a 200 KB text file
/// (streamed from disk in chunks) and small hashed files (answered from memory), plus hostile extras
/// written into STATIC_ROOT afterwards (a dotfile, a hidden file, a symlink out of the root).
enum ConformanceFixture {
    static let shared = Task { try await make() }

    static func script(_ release: Int) -> String {
        (0..<1500).map { "export function f\($0)(a) { return a.x\($0 % 37) * \($0 * 7919 % 1000); }\n" }.joined()
            + "document.title = 'release \(release)';\n"
    }

    static func make() async throws -> ConformanceSite {
        let dir = TestSupport.temporaryDirectory("conformance")
        let assets = dir.appendingPathComponent("assets")
        let vendor = dir.appendingPathComponent("vendor")
        let root = dir.appendingPathComponent("www/static")
        TestSupport.write(
            String(repeating: ".button { color: #222; background: url(\"../img/photo.png\"); }\n", count: 60),
            to: assets.appendingPathComponent("css/app.css"))
        var random = SeededRandom(seed: 7)
        TestSupport.write(
            Data((0..<5000).map { _ in UInt8.random(in: 0...255, using: &random) }),
            to: assets.appendingPathComponent("img/photo.png"))
        TestSupport.write(
            (0..<4000).map { "line \($0): the quick brown fox jumps over the lazy dog\n" }.joined(),
            to: assets.appendingPathComponent("data/big.txt"))
        TestSupport.write("export const lib = 1;\n", to: vendor.appendingPathComponent("lib.js"))
        TestSupport.write("<!doctype html><title>docs</title>\n", to: assets.appendingPathComponent("docs/index.html"))
        for release in [1, 2] {
            TestSupport.write(script(release), to: assets.appendingPathComponent("js/app.js"))
            let configuration = Configuration(
                sourceRoots: [SourceRoot(path: assets.path), SourceRoot(prefix: "vendor", path: vendor.path)],
                staticRoot: root.path, compression: CompressionPolicy(brotliQuality: 5))
            _ = try await Collector(configuration: configuration).run()
        }
        // Hostile extras: on disk, never to be served.
        TestSupport.write("SECRET=1\n", to: root.appendingPathComponent(".env"))
        TestSupport.write("x{}\n", to: root.appendingPathComponent("css/.hidden.css"))
        TestSupport.write("outside the root\n", to: dir.appendingPathComponent("www/outside/secret.css"))
        TestSupport.write("outside the root\n", to: dir.appendingPathComponent("outside/secret.css"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("css/evil.css").path,
            withDestinationPath: dir.appendingPathComponent("outside/secret.css").path)
        TestSupport.write(".secret{}\n", to: assets.appendingPathComponent(".secret"))

        // Root files (WHITENOISE_ROOT), served at `/`, with a dotfile and a symlink out of the folder.
        let rootFiles = dir.appendingPathComponent("www/root")
        TestSupport.write(
            Data((0..<300).map { _ in UInt8.random(in: 0...255, using: &random) }),
            to: rootFiles.appendingPathComponent("favicon.ico"))
        TestSupport.write("User-agent: *\nDisallow: /admin/\n", to: rootFiles.appendingPathComponent("robots.txt"))
        TestSupport.write("(the gzip variant)", to: rootFiles.appendingPathComponent("robots.txt.gz"))
        TestSupport.write(
            "Contact: mailto:security@example.com\n", to: rootFiles.appendingPathComponent(".well-known/security.txt"))
        TestSupport.write("hidden\n", to: rootFiles.appendingPathComponent(".well-known/.hidden"))
        TestSupport.write("<p>sub</p>\n", to: rootFiles.appendingPathComponent("sub/index.html"))
        TestSupport.write("SECRET=1\n", to: rootFiles.appendingPathComponent(".env"))
        try FileManager.default.createSymbolicLink(
            atPath: rootFiles.appendingPathComponent("escape.css").path,
            withDestinationPath: dir.appendingPathComponent("outside/secret.css").path)

        let manifest = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        let held = ":" + Data(ZstdTool.sha256(Array(script(1).utf8))).base64EncodedString() + ":"
        return ConformanceSite(
            root: root, manifest: manifest, heldDictionary: held,
            sourceRoots: [(nil, assets.path), ("vendor", vendor.path)], rootFiles: rootFiles)
    }
}

extension ConformanceSite {
    /// A production responder over this STATIC_ROOT (its own resolver; by default small hashed files
    /// are answered from memory).
    func responder(_ options: StaticFileResponder.Options = .init()) throws -> StaticFileResponder {
        let resolver = try AssetResolver(manifestPath: root.appendingPathComponent("staticfiles.json").path)
        return StaticFileResponder(staticRoot: root.path, resolver: resolver, options: options)
    }

    /// The responder of ``ConformanceTable/servingOptionRows(_:)``: WhiteNoise's serving options set.
    func servingOptionsResponder() throws -> StaticFileResponder {
        try responder(
            .init(
                rootFiles: rootFiles?.path,
                addHeaders: { file, headers in
                    headers.append((ConformanceTable.hookField, file.name))
                    if file.name == "robots.txt",
                        let index = headers.firstIndex(where: { $0.name.lowercased() == "cache-control" })
                    {
                        headers[index].value = "no-store"
                    }
                },
                mimeTypes: ConformanceTable.optionsMimeTypes, indexFile: "index.html",
                maxAge: ConformanceTable.optionsMaxAge))
    }

    /// A development responder over the source roots.
    func developmentResponder() -> StaticFileResponder {
        StaticFileResponder(development: SourceRootLookup(roots: sourceRoots))
    }
}
