import Foundation
import StaticAssets
import StaticAssetsServer
import Testing

@Suite struct DevelopmentModeTests {
    let assets: URL
    let vendor: URL
    let responder: StaticFileResponder

    init() {
        assets = StaticRootFixture.temporaryDirectory("assets")
        vendor = StaticRootFixture.temporaryDirectory("vendor")
        StaticRootFixture.write("body{}", to: assets.appendingPathComponent("css/app.css"))
        StaticRootFixture.write("from assets", to: assets.appendingPathComponent("vendor/lib.js"))
        StaticRootFixture.write("from vendor", to: vendor.appendingPathComponent("lib.js"))
        StaticRootFixture.write("only vendor", to: vendor.appendingPathComponent("extra.js"))
        StaticRootFixture.write("SECRET", to: assets.appendingPathComponent(".env"))
        let lookup = SourceRootLookup(roots: [(nil, assets.path), ("vendor", vendor.path)])
        responder = StaticFileResponder(development: lookup)
    }

    @Test func firstRootWinsAndPrefixesApply() throws {
        let lookup = SourceRootLookup(roots: [(prefix: nil, path: assets.path), (prefix: "vendor", path: vendor.path)])
        #expect(lookup.file(for: "vendor/lib.js")?.path == assets.appendingPathComponent("vendor/lib.js").path)
        #expect(lookup.file(for: "vendor/extra.js")?.path == vendor.appendingPathComponent("extra.js").path)
        #expect(lookup.file(for: "extra.js") == nil)
        #expect(lookup.file(for: "css/app.css")?.size == 6)
        #expect(lookup.file(for: "css") == nil)
        #expect(lookup.file(for: ".env") == nil)
        #expect(lookup.file(for: "vendor/../css/app.css") == nil)
        let reversed = SourceRootLookup(roots: [
            (prefix: "/vendor/", path: vendor.path), (prefix: nil, path: assets.path),
        ])
        #expect(reversed.roots[0].prefix == "vendor")
        #expect(reversed.file(for: "vendor/lib.js")?.path == vendor.appendingPathComponent("lib.js").path)
    }

    @Test func servesUnhashedNamesWithNoCacheAndWeakETag() throws {
        let response = try #require(
            responder.respond(to: get("/static/css/app.css", [("Accept-Encoding", "br, gzip")])))
        #expect(response.status == 200)
        #expect(response.header("Cache-Control") == "no-cache")
        #expect(response.header("Content-Encoding") == nil)
        #expect(response.header("Vary") == nil)
        #expect(response.header("Content-Type") == "text/css; charset=utf-8")
        #expect(response.header("ETag")?.hasPrefix("W/\"6-") == true)
        #expect(response.body == diskBody(assets.appendingPathComponent("css/app.css").path, 0..<6))
        let tag = try #require(response.header("ETag"))
        #expect(responder.respond(to: get("/static/css/app.css", [("If-None-Match", tag)]))?.status == 304)
    }

    @Test func anEditChangesTheETag() throws {
        let before = try #require(responder.respond(to: get("/static/css/app.css"))?.header("ETag"))
        StaticRootFixture.write("body{color:red}", to: assets.appendingPathComponent("css/app.css"))
        let after = try #require(responder.respond(to: get("/static/css/app.css")))
        #expect(after.header("ETag") != before)
        #expect(after.header("Content-Length") == "15")
        #expect(responder.respond(to: get("/static/css/app.css", [("If-None-Match", before)]))?.status == 200)
    }

    @Test func refusesWhatProductionRefuses() throws {
        let outside = StaticRootFixture.temporaryDirectory("outside")
        StaticRootFixture.write("x", to: outside.appendingPathComponent("x.css"))
        try FileManager.default.createSymbolicLink(
            atPath: assets.appendingPathComponent("css/out.css").path,
            withDestinationPath: outside.appendingPathComponent("x.css").path)
        for path in [
            "/static/.env", "/static/css/out.css", "/static/%2e%2e/\(assets.lastPathComponent)/css/app.css",
            "/static/css", "/static/missing.css", "/static/css%2fapp.css",
        ] {
            let response = try #require(responder.respond(to: get(path)), "\(path)")
            #expect(response.status == 404, "\(path)")
            #expect(response.header("Cache-Control") == "no-cache")
        }
    }
}
