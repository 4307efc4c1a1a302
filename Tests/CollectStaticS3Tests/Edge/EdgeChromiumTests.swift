import Foundation
import StaticAssets
import TestSupport
import Testing

/// docs/guides/cdn.md, "Serving the bucket": a real browser (headless Chromium) loads a page whose
/// stylesheet and script come from the bucket through the documented nginx block; it is sent the `br`
/// objects, decodes them, applies the stylesheet and runs the script.
@Suite(
    "Chromium through the edge",
    .enabled(
        if: PythonTools.moto && BucketEdge.available && Requirement.tool("chromium"),
        "needs moto, boto3, nginx and chromium"))
struct EdgeChromiumTests {
    @Test func chromiumGetsBrotliFromTheBucketAndThePageWorks() async throws {
        let moto = try EdgeMoto.get()
        let prefix = "site/static"
        let bucket = try moto.makePublicBucket("chromium", prefix: prefix)
        let dir = TestSupport.temporaryDirectory("s3-edge-chromium")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = EdgeSite(directory: dir, bucket: bucket, prefix: prefix)
        try site.publish(version: "7", moto: moto)
        let resolver = AssetResolver(manifest: try site.manifest, staticURL: "/static/")
        let css = try resolver.url(for: "css/app.css")
        let js = try resolver.url(for: "js/app.js")
        for name in ["css/app.css", "js/app.js"] {
            #expect(try resolver.entry(for: name)?.encodings[.brotli] != nil, "\(name) has a .br object")
        }
        // The page itself comes from nginx too (a test-only location beside the documented block).
        let page =
            "<html><head><link rel=\"stylesheet\" href=\"\(css)\"></head><body><p id=\"out\">not run</p>"
            + "<script src=\"\(js)\"></script></body></html>"
        let extra = "location = /page.html { default_type text/html; return 200 '\(page)'; }"
        let edge = try await BucketEdge.start(moto: moto, bucket: bucket, prefix: prefix, base: dir, extra: extra)
        defer { edge.stop() }

        let chromium = try #require(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            },
            "chromium is not installed")
        let result = TestSupport.run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=\(dir.appendingPathComponent("profile").path)", "--virtual-time-budget=3000",
                "--dump-dom", "http://127.0.0.1:\(edge.port)/page.html",
            ])
        // The script ran, after the stylesheet (#out { width: 123px }) was applied.
        #expect(result.stdout.contains("ran release 7; width 123px"), "\(result.stdout)")
        let log = edge.accessLog()
        #expect(log.contains("\(css) 200 br"), "\(log)")
        #expect(log.contains("\(js) 200 br"), "\(log)")
    }
}
