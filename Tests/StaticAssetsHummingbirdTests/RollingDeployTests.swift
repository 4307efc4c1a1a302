import CollectStatic
import Foundation
import StaticAssets
import StaticAssetsServer
import TestSupport
import Testing

/// A rolling deploy over real HTTP: pages rendered by the previous release keep getting their CSS and
/// JS (200, immutable) after the next release is collected, until it falls out of `--keep`.
@Suite struct RollingDeployTests {
    func css(_ version: Int) -> String {
        ".v\(version) { color: red }\n" + String(repeating: ".rule { margin: 0 auto; color: #123456 }\n", count: 20)
    }

    @Test func previousReleaseHashedURLsKeepWorkingUntilTheyAreNoLongerKept() async throws {
        let dir = TestSupport.temporaryDirectory("rolling")
        let src = dir.appendingPathComponent("src")
        let root = dir.appendingPathComponent("static")
        @Sendable func release(_ version: Int) async throws {
            TestSupport.write(css(version), to: src.appendingPathComponent("css/app.css"))
            TestSupport.write("console.log(\(version))\n", to: src.appendingPathComponent("js/app.js"))
            let configuration = Configuration(
                sourceRoots: [SourceRoot(path: src.path)], staticRoot: root.path, compression: CompressionPolicy(),
                retention: Retention(count: 2, maximumAge: 0))
            _ = try await Collector(configuration: configuration).run()
        }
        try await release(1)
        let manifestPath = root.appendingPathComponent("staticfiles.json").path
        let resolver = try AssetResolver(manifestPath: manifestPath)
        let first = try resolver.url(for: "css/app.css")
        let responder = StaticFileResponder(staticRoot: root.path, resolver: resolver)
        try await LiveServer.with(responder) { port in
            let before = try await Curl.request(port: port, first)
            #expect(before.status == 200 && before.text == css(1))
            // Release 2 is collected and the app reloads its manifest (a new process would load it).
            try await release(2)
            try resolver.reload(fromPath: manifestPath)
            #expect(try resolver.url(for: "css/app.css") != first)
            let old = try await Curl.request(port: port, first, headers: [("Accept-Encoding", "br")])
            #expect(old.status == 200)
            #expect(old.header("cache-control") == "public, max-age=31536000, immutable")
            #expect(old.header("content-encoding") == "br")
            #expect(Decoders.brotli(old.body) == Data(css(1).utf8))
            let current = try await Curl.request(port: port, try resolver.url(for: "css/app.css"))
            #expect(current.text == css(2))
            // Two more releases: release 1 is now the third previous one and is gone.
            try await release(3)
            try resolver.reload(fromPath: manifestPath)
            #expect(try await Curl.request(port: port, first).status == 200)
            try await release(4)
            try resolver.reload(fromPath: manifestPath)
            let gone = try await Curl.request(port: port, first)
            #expect(gone.status == 404)
            #expect(gone.header("cache-control") == "no-cache")
        }
    }
}
