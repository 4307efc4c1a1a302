import CollectStatic
import Foundation
import StaticAssets
import StaticAssetsServer
import TestSupport
import Testing

/// Compression Dictionary Transport (RFC 9842) over real HTTP with curl: a client holding release 1's
/// script gets release 2's as a `dcz` delta only when it accepts `dcz` and names that exact
/// dictionary; everything else gets the normal negotiation, with `Vary` saying why.
@Suite struct DictionaryTransportTests {
    static func script(_ edit: String) -> [UInt8] {
        var text = ""
        for line in 0..<2000 {
            text += "function f\(line)(a) { return a.x\(line % 37) * \(line * 7919 % 1000); }\n"
            if line == 1000 { text += edit }
        }
        return Array(text.utf8)
    }

    @Test(
        "dcz is chosen only with the matching dictionary and dcz accepted",
        .enabled(if: Requirement.tool("zstd") && Requirement.tool("curl"), "needs zstd and curl"))
    func negotiation() async throws {
        let dir = TestSupport.temporaryDirectory("dcz")
        let src = dir.appendingPathComponent("src")
        let root = dir.appendingPathComponent("static")
        let v1 = Self.script("document.title = 'release 1';\n")
        let v2 = Self.script("document.title = 'release 2';\n")
        @Sendable func release(_ bytes: [UInt8]) async throws {
            TestSupport.write(Data(bytes), to: src.appendingPathComponent("js/app.js"))
            let configuration = Configuration(
                sourceRoots: [SourceRoot(path: src.path)], staticRoot: root.path,
                compression: CompressionPolicy(brotliQuality: 5))
            _ = try await Collector(configuration: configuration).run()
        }
        try await release(v1)
        try await release(v2)
        let resolver = try AssetResolver(manifestPath: root.appendingPathComponent("staticfiles.json").path)
        let url = try resolver.url(for: "js/app.js")
        let held = ":" + Data(ZstdTool.sha256(v1)).base64EncodedString() + ":"
        let browser = "gzip, deflate, br, zstd, dcz"
        let responder = StaticFileResponder(staticRoot: root.path, resolver: resolver)
        try await LiveServer.with(responder) { port in
            let delta = try await Curl.request(
                port: port, url, headers: [("Accept-Encoding", browser), ("Available-Dictionary", held)])
            #expect(delta.status == 200)
            #expect(delta.header("content-encoding") == "dcz")
            #expect(delta.header("vary") == "Accept-Encoding, Available-Dictionary")
            #expect(delta.header("content-type")?.hasPrefix("text/javascript") == true)
            #expect(
                delta.header("use-as-dictionary")
                    == #"match="/static/js/app.*.js", match-dest=("script"), id="js/app.js""#)
            let body = [UInt8](delta.body)
            #expect(Array(body.prefix(8)) == [0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00])
            #expect(Array(body[8..<40]) == ZstdTool.sha256(v1))
            #expect(try ZstdTool.decode(Array(body[40...]), dictionary: v1) == v2)

            // The plain answer, for comparison: brotli, a different strong ETag, the same Vary.
            let plain = try await Curl.request(port: port, url, headers: [("Accept-Encoding", browser)])
            #expect(plain.header("content-encoding") == "br")
            #expect(plain.header("vary") == "Accept-Encoding, Available-Dictionary")
            #expect(plain.header("use-as-dictionary") == delta.header("use-as-dictionary"))
            let deltaTag = try #require(delta.header("etag"))
            #expect(deltaTag != plain.header("etag") && !deltaTag.hasPrefix("W/"))
            #expect(delta.body.count * 10 < plain.body.count, "dcz \(delta.body.count) B, br \(plain.body.count) B")

            // 304 with the delta's ETag.
            let revalidated = try await Curl.request(
                port: port, url,
                headers: [("Accept-Encoding", browser), ("Available-Dictionary", held), ("If-None-Match", deltaTag)])
            #expect(revalidated.status == 304 && revalidated.header("etag") == deltaTag)
            #expect(revalidated.body.isEmpty)

            // No delta: dcz not accepted, refused with q=0, another dictionary, malformed values.
            let other = ":" + Data(ZstdTool.sha256(Array("other".utf8))).base64EncodedString() + ":"
            for (accept, dictionary) in [
                ("gzip, br, zstd", held), ("gzip, br, zstd, dcz;q=0", held), (browser, other),
                (browser, "abc"), (browser, ":not base64!:"),
                (browser, ":" + Data([1, 2, 3]).base64EncodedString() + ":"),
                (browser, String(held.dropFirst())), (browser, "\"" + held + "\""),
            ] {
                let answer = try await Curl.request(
                    port: port, url, headers: [("Accept-Encoding", accept), ("Available-Dictionary", dictionary)])
                #expect(answer.status == 200, "\(accept) / \(dictionary)")
                #expect(answer.header("content-encoding") == "br", "\(accept) / \(dictionary)")
                #expect(answer.header("vary") == "Accept-Encoding, Available-Dictionary")
            }
            // q-values: dcz weighted below br gets br; at least as wanted as every other coding, dcz.
            for (accept, expected) in [("br;q=1, dcz;q=0.1", "br"), ("br;q=0.5, gzip;q=0.5, dcz", "dcz"), ("*", "dcz")]
            {
                let weighted = try await Curl.request(
                    port: port, url, headers: [("Accept-Encoding", accept), ("Available-Dictionary", held)])
                #expect(weighted.header("content-encoding") == expected, "\(accept)")
            }

            // Cross-origin: no-cors gets no delta; CORS and navigations may.
            for (site, mode, expected) in [
                ("cross-site", "no-cors", "br"), ("same-site", "no-cors", "br"), ("cross-site", "cors", "dcz"),
                ("same-origin", "no-cors", "dcz"), ("none", "navigate", "dcz"), ("cross-site", "navigate", "dcz"),
            ] {
                let answer = try await Curl.request(
                    port: port, url,
                    headers: [
                        ("Accept-Encoding", browser), ("Available-Dictionary", held), ("Sec-Fetch-Site", site),
                        ("Sec-Fetch-Mode", mode),
                    ])
                #expect(answer.header("content-encoding") == expected, "\(site) \(mode)")
            }

            // Release 1's kept file has no delta of its own and is still a dictionary.
            let old = try await Curl.request(
                port: port, "/static/" + resolver.manifest.previousReleases[0].paths["js/app.js"]!,
                headers: [("Accept-Encoding", browser), ("Available-Dictionary", held)])
            #expect(old.status == 200 && old.header("content-encoding") == "br")
            #expect(old.header("use-as-dictionary") != nil)
            #expect(old.header("vary") == "Accept-Encoding")
        }
    }

    @Test(
        "dcb and dcz: the more wanted coding, then the smaller delta; dcb's own ETag, 304 and Vary",
        .enabled(
            if: Requirement.tool("zstd") && Requirement.tool("curl") && Requirement.tool("brotli"),
            "needs zstd, brotli and curl"))
    func dcbNegotiation() async throws {
        let dir = TestSupport.temporaryDirectory("dcb")
        let src = dir.appendingPathComponent("src")
        let root = dir.appendingPathComponent("static")
        let v1 = Self.script("document.title = 'release 1';\n")
        let v2 = Self.script("document.title = 'release 2';\n")
        for bytes in [v1, v2] {
            TestSupport.write(Data(bytes), to: src.appendingPathComponent("js/app.js"))
            let configuration = Configuration(
                sourceRoots: [SourceRoot(path: src.path)], staticRoot: root.path,
                compression: CompressionPolicy(brotliQuality: 5))
            _ = try await Collector(configuration: configuration).run()
        }
        // The same dcb on every platform: a brotli stream of release 2 that references none of the
        // dictionary is a valid dcb body (RFC 9841 streams need not use it), decodable by any brotli
        // decoder after the 36-byte header, and bigger than the dcz, so the size rule is visible.
        let manifestURL = root.appendingPathComponent("staticfiles.json")
        var manifest = try Manifest(contentsOf: manifestURL)
        let hashed = manifest.paths["js/app.js"]!
        let key = Data(ZstdTool.sha256(v1)).map { String(format: "%02x", $0) }.joined()
        let dcb =
            [0xFF, 0x44, 0x43, 0x42] + ZstdTool.sha256(v1)
            + (try BrotliCompressor(quality: 5).compress(v2, kind: .text))
        TestSupport.write(
            Data(dcb),
            to: root.appendingPathComponent(ManifestEntry.deltaName(of: hashed, dictionary: key, coding: .dcb)))
        manifest.files[hashed]!.dcbDeltas = [key: ManifestVariant(size: dcb.count, sha256: "unused")]
        let dcz = try #require(manifest.files[hashed]!.deltas[key])
        #expect(dcz.size < dcb.count)
        try Data(ManifestWriter.encode(manifest)).write(to: manifestURL)

        let resolver = try AssetResolver(manifestPath: manifestURL.path)
        let url = try resolver.url(for: "js/app.js")
        let held = ":" + Data(ZstdTool.sha256(v1)).base64EncodedString() + ":"
        let responder = StaticFileResponder(staticRoot: root.path, resolver: resolver)
        try await LiveServer.with(responder) { port in
            let answer = { (accept: String) in
                try await Curl.request(
                    port: port, url, headers: [("Accept-Encoding", accept), ("Available-Dictionary", held)])
            }
            let only = try await answer("gzip, br, dcb")
            #expect(only.status == 200 && only.header("content-encoding") == "dcb")
            #expect(only.header("vary") == "Accept-Encoding, Available-Dictionary")
            #expect([UInt8](only.body) == dcb)
            #expect(Array(only.body.prefix(4)) == [0xFF, 0x44, 0x43, 0x42])
            #expect(Array(only.body[4..<36]) == ZstdTool.sha256(v1))
            #expect([UInt8](try await CompressedStaticRoot.decode(only.body.dropFirst(36), encoding: "br")) == v2)
            let dcbTag = try #require(only.header("etag"))

            // Both accepted alike: the smaller delta (here the dcz); a higher weight wins over size.
            let both = try await answer("gzip, br, zstd, dcb, dcz")
            #expect(both.header("content-encoding") == "dcz" && both.body.count == dcz.size)
            #expect(both.header("etag") != dcbTag && !dcbTag.hasPrefix("W/"))
            #expect(try await answer("br;q=0.5, dcz;q=0.5, dcb").header("content-encoding") == "dcb")
            #expect(try await answer("br, dcb;q=0.5").header("content-encoding") == "br")

            // 304 with the dcb's ETag; another dictionary gets no delta.
            let revalidated = try await Curl.request(
                port: port, url,
                headers: [("Accept-Encoding", "br, dcb"), ("Available-Dictionary", held), ("If-None-Match", dcbTag)])
            #expect(revalidated.status == 304 && revalidated.header("etag") == dcbTag)
            let other = ":" + Data(ZstdTool.sha256(Array("other".utf8))).base64EncodedString() + ":"
            let plain = try await Curl.request(
                port: port, url, headers: [("Accept-Encoding", "br, dcb, dcz"), ("Available-Dictionary", other)])
            #expect(plain.header("content-encoding") == "br")
        }
    }
}
