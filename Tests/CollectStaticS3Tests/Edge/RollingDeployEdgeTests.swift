import Foundation
import StaticAssets
import TestSupport
import Testing

/// Issue 21's rolling deploy, with the edge of docs/guides/cdn.md in front of the bucket: instance 1
/// (built from release 1's sources) and instance 2 (a fresh checkout of release 2, whose stylesheet and
/// script changed) each publish to the bucket, each rendering pages with its own release's hashed URLs
/// on the edge. While both run, a client holding either page gets every asset from the edge, 200
/// with the right bytes, though neither instance's own STATIC_ROOT has the other's files.
@Suite(
    "A rolling deploy served from the bucket",
    .enabled(if: PythonTools.moto && BucketEdge.available, "needs moto, boto3 and nginx"))
struct RollingDeployEdgeTests {
    @Test func pagesOfBothReleasesGetEveryAssetFromTheEdge() async throws {
        let moto = try EdgeMoto.get()
        let prefix = "app/static"
        let bucket = try moto.makePublicBucket("rolling", prefix: prefix)
        let base = TestSupport.temporaryDirectory("s3-rolling")
        defer { try? FileManager.default.removeItem(at: base) }
        let one = EdgeSite(directory: base.appendingPathComponent("instance-1"), bucket: bucket, prefix: prefix)
        let two = EdgeSite(directory: base.appendingPathComponent("instance-2"), bucket: bucket, prefix: prefix)
        try one.publish(version: "1", moto: moto)
        try two.publish(version: "2", moto: moto)
        let edge = try await BucketEdge.start(moto: moto, bucket: bucket, prefix: prefix, base: base)
        defer { edge.stop() }
        let staticURL = "http://127.0.0.1:\(edge.port)/static/"

        let names = ["css/app.css", "js/app.js", "img/logo.png", "docs/read me~.txt"]
        let instances = [
            (one, try AssetResolver(manifest: one.manifest, staticURL: staticURL)),
            (two, try AssetResolver(manifest: two.manifest, staticURL: staticURL)),
        ]
        // The releases differ where the sources did, and each instance has only its own release.
        let css = try instances.map { try $0.1.storedName("css/app.css") }
        #expect(css[0] != css[1])
        #expect(try instances[0].1.storedName("img/logo.png") == instances[1].1.storedName("img/logo.png"))
        #expect(!FileManager.default.fileExists(atPath: one.directory.path + "/root/" + css[1]))
        #expect(!FileManager.default.fileExists(atPath: two.directory.path + "/root/" + css[0]))

        for (site, resolver) in instances {
            for name in names {
                let url = try resolver.url(for: name)
                let hashed = try resolver.storedName(name)
                let entry = try #require(try resolver.entry(for: name))
                for accept in ["gzip, deflate, br, zstd", "gzip", ""] {
                    let response = try EdgeResponse.get(
                        url, headers: accept.isEmpty ? [] : [("Accept-Encoding", accept)])
                    let coding =
                        accept.isEmpty
                        ? nil
                        : ContentEncoding.variants.first {
                            entry.encodings[$0] != nil && accept.contains($0.rawValue)
                        }
                    let label = "\(url) (\(accept))"
                    #expect(response.status == 200, "\(label)")
                    #expect(response.header("content-encoding") == coding?.token, "\(label)")
                    #expect(response.body == (try site.local(hashed + (coding?.fileSuffix ?? ""))), "\(label)")
                }
            }
        }
        // The pointer the edge serves is release 2's manifest (the last publish).
        let pointer = try EdgeResponse.get(staticURL + "staticfiles.json")
        #expect(pointer.status == 200)
        #expect(try Manifest(data: pointer.body).paths == (try two.manifest.paths))
    }
}
