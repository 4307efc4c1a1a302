import CollectStatic
import Foundation
import StaticAssets
import StaticAssetsServer
import Synchronization
import TestSupport
import Testing

/// A real browser (headless Chromium from Debian's `chromium` package, one profile for both visits)
/// against our server on 127.0.0.1: a returning visitor gets release 2's script as a delta against
/// release 1's (`dcz`; `dcb` where libbrotli ≥ 1.1.0 made a smaller one), decodes it and runs it; and
/// Chromium decodes a plain `zstd` variant.
@Suite struct ChromiumTests {
    static func script(_ release: Int) -> String {
        var text = "document.getElementById('out').textContent = 'ran release \(release)';\n"
        for line in 0..<1500 { text += "function f\(line)(a) { return a.x\(line % 37) * \(line * 7919 % 1000); }\n" }
        return text
    }

    static func chromium(profile: URL, url: String) async throws -> String {
        let binary = try #require(ProcessRunner.find("chromium"), "chromium is not installed")
        let result = try await ProcessRunner.run(
            binary,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                "--virtual-time-budget=3000", "--dump-dom", url,
            ])
        return String(decoding: result.stdout, as: UTF8.self)
    }

    @Test(
        "Chromium sends Available-Dictionary, gets a delta (dcz, or a smaller dcb) and runs release 2's script",
        .enabled(if: Requirement.tool("chromium"), "needs chromium (Debian package chromium)"))
    func returningVisitorGetsADelta() async throws {
        let dir = TestSupport.temporaryDirectory("chromium")
        let src = dir.appendingPathComponent("src")
        let root = dir.appendingPathComponent("static")
        let profile = dir.appendingPathComponent("profile")
        @Sendable func release(_ number: Int, encodings: Set<ContentEncoding> = [.brotli, .gzip]) async throws {
            TestSupport.write(Self.script(number), to: src.appendingPathComponent("js/app.js"))
            let configuration = Configuration(
                sourceRoots: [SourceRoot(path: src.path)], staticRoot: root.path,
                compression: CompressionPolicy(encodings: encodings, brotliQuality: 5))
            _ = try await Collector(configuration: configuration).run()
        }
        try await release(1)
        let manifestPath = root.appendingPathComponent("staticfiles.json").path
        let resolver = try AssetResolver(manifestPath: manifestPath)
        let exchanges = Mutex<[LiveServer.Exchange]>([])
        let responder = StaticFileResponder(staticRoot: root.path, resolver: resolver)
        let page: @Sendable () -> String = {
            let url = (try? resolver.url(for: "js/app.js")) ?? ""
            return "<html><body><p id=\"out\">not run</p><script src=\"\(url)\"></script></body></html>"
        }
        try await LiveServer.with(
            responder, page: page, record: { exchange in exchanges.withLock { $0.append(exchange) } }
        ) {
            port in
            let first = try await Self.chromium(profile: profile, url: "http://127.0.0.1:\(port)/page")
            #expect(first.contains("ran release 1"), "\(first)")
            try await release(2)
            try resolver.reload(fromPath: manifestPath)
            let second = try await Self.chromium(profile: profile, url: "http://127.0.0.1:\(port)/page")
            #expect(second.contains("ran release 2"), "\(second)")
        }
        let seen = exchanges.withLock { $0 }
        let v2 = try resolver.url(for: "js/app.js")
        let fetch = try #require(seen.last { $0.path == v2 }, "\(seen.map(\.path))")
        let expected = ":" + Data(ZstdTool.sha256(Array(Self.script(1).utf8))).base64EncodedString() + ":"
        #expect(fetch.request["available-dictionary"] == expected, "\(fetch.request)")
        let accepted = fetch.request["accept-encoding"] ?? ""
        #expect(accepted.contains("dcz"), "\(accepted)")
        // The smaller delta Chromium accepts: the dcz, or the dcb where libbrotli made one that is smaller.
        let entry = try #require(resolver.manifest.files[String(v2.dropFirst("/static/".count))])
        let key = ZstdTool.sha256(Array(Self.script(1).utf8)).map { String(format: "%02x", $0) }.joined()
        let dcz = try #require(entry.deltas[key]).size
        let smaller = accepted.contains("dcb") && (entry.dcbDeltas[key]?.size ?? .max) < dcz ? "dcb" : "dcz"
        #expect(fetch.response["content-encoding"] == smaller, "\(fetch.response)")
    }

    @Test(
        "Chromium decodes a plain zstd variant",
        .enabled(if: Requirement.tool("chromium"), "needs chromium (Debian package chromium)"))
    func plainZstd() async throws {
        let dir = TestSupport.temporaryDirectory("chromium-zstd")
        let src = dir.appendingPathComponent("src")
        let root = dir.appendingPathComponent("static")
        TestSupport.write(Self.script(7), to: src.appendingPathComponent("js/app.js"))
        let configuration = Configuration(
            sourceRoots: [SourceRoot(path: src.path)], staticRoot: root.path,
            compression: CompressionPolicy(encodings: [.zstd]))
        _ = try await Collector(configuration: configuration).run()
        let resolver = try AssetResolver(manifestPath: root.appendingPathComponent("staticfiles.json").path)
        let url = try resolver.url(for: "js/app.js")
        #expect(resolver.manifest.files[resolver.manifest.paths["js/app.js"]!]?.encodings[.zstd] != nil)
        let exchanges = Mutex<[LiveServer.Exchange]>([])
        let responder = StaticFileResponder(staticRoot: root.path, resolver: resolver)
        let page: @Sendable () -> String = {
            "<html><body><p id=\"out\">not run</p><script src=\"\(url)\"></script></body></html>"
        }
        try await LiveServer.with(
            responder, page: page, record: { exchange in exchanges.withLock { $0.append(exchange) } }
        ) {
            port in
            let dom = try await Self.chromium(
                profile: dir.appendingPathComponent("profile"), url: "http://127.0.0.1:\(port)/page")
            #expect(dom.contains("ran release 7"), "\(dom)")
        }
        let fetch = try #require(exchanges.withLock { $0 }.last { $0.path == url })
        #expect(fetch.response["content-encoding"] == "zstd", "\(fetch.response)")
    }
}
