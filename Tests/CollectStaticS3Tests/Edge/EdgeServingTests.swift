import Foundation
import StaticAssets
import StaticAssetsServer
import TestSupport
import Testing

/// docs/guides/cdn.md, "Serving the bucket": nginx with the documented block in front of a bucket that
/// `collectstatic` published to picks the `.br`/`.zst`/`.gz` sibling by `Accept-Encoding` (refusing a
/// coding with `q=0`), passes its `Content-Encoding` through, adds `Vary: Accept-Encoding`, and falls
/// back to the plain object when there is no sibling; HEAD answers the same without a body.
@Suite(
    "Serving the bucket behind nginx",
    .enabled(if: PythonTools.moto && BucketEdge.available, "needs moto, boto3 and nginx"))
struct EdgeServingTests {
    /// What the edge must send for an `Accept-Encoding`, given the codings a file has in the bucket.
    static let cases: [(acceptEncoding: String?, preference: [ContentEncoding])] = [
        ("gzip, deflate, br, zstd", [.brotli, .zstd, .gzip]),
        ("gzip, br;q=0, zstd;q=0", [.gzip]),
        ("BR;q=0.0, zstd;q=0.000, gzip;q=0.5", [.gzip]),
        ("zstd", [.zstd]),
        ("deflate, gzip;q=1.0", [.gzip]),
        ("br;q=0.2", [.brotli]),
        ("identity", []),
        ("brotli, xgzip", []),
        (nil, []),
    ]

    @Test func theEdgePicksTheSiblingByAcceptEncodingAndFallsBackToThePlainObject() async throws {
        let moto = try EdgeMoto.get()
        let prefix = "site/static"
        // With the statement moto needs for an anonymous HEAD (AWS judges HEAD by s3:GetObject).
        let bucket = try moto.makePublicBucket("edge", prefix: prefix, motoHead: true)
        let dir = TestSupport.temporaryDirectory("s3-edge")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = EdgeSite(directory: dir, bucket: bucket, prefix: prefix)
        try site.publish(version: "1", moto: moto)
        let manifest = try site.manifest
        let edge = try await BucketEdge.start(moto: moto, bucket: bucket, prefix: prefix, base: dir)
        defer { edge.stop() }

        var served = Set<ContentEncoding>()
        var plainOnly = 0
        for (name, entry) in manifest.files {
            if entry.encodings.isEmpty { plainOnly += 1 }
            let url = "http://127.0.0.1:\(edge.port)/static/" + URLPath.encode(name)
            let expectedCaching =
                manifest.hashedNames.contains(name) ? "public, max-age=31536000, immutable" : "no-cache"
            for (accept, preference) in Self.cases {
                let chosen = preference.first { entry.encodings[$0] != nil } ?? .identity
                served.insert(chosen)
                let response = try EdgeResponse.get(url, headers: accept.map { [("Accept-Encoding", $0)] } ?? [])
                let label = "\(name) with Accept-Encoding: \(accept ?? "(none)")"
                #expect(response.status == 200, "\(label)")
                #expect(response.header("content-encoding") == chosen.token, "\(label)")
                #expect(response.body == (try site.local(name + chosen.fileSuffix)), "\(label)")
                #expect(response.all("vary") == ["Accept-Encoding"], "\(label)")
                #expect(response.header("content-type") == ContentTypes.contentType(for: name), "\(label)")
                #expect(response.header("cache-control") == expectedCaching, "\(label)")
                // HEAD answers as GET does, without a body.
                let head = try EdgeResponse.get(
                    url, headers: accept.map { [("Accept-Encoding", $0)] } ?? [], method: "HEAD")
                #expect(head.status == 200 && head.body.isEmpty, "HEAD \(label): \(head.status)")
                #expect(head.header("content-length") == String(response.body.count), "HEAD \(label)")
                for field in ["content-type", "cache-control", "etag", "content-encoding"] {
                    #expect(head.header(field) == response.header(field), "HEAD \(label): \(field)")
                }
                #expect(head.all("vary") == ["Accept-Encoding"], "HEAD \(label)")
            }
        }
        #expect(served == Set(ContentEncoding.allCases), "every coding and the plain object were served")
        #expect(plainOnly > 0, "some files have no variant: \(manifest.files.mapValues(\.encodings.count))")

        // Misses: one short 404 that is not cached; dot names and other methods never reach the bucket.
        let root = "http://127.0.0.1:\(edge.port)/static/"
        for path in ["css/missing.css", ".collectstatic/releases/x.json", "css/.hidden.css"] {
            let miss = try EdgeResponse.get(root + path, headers: [("Accept-Encoding", "br")])
            #expect(miss.status == 404, "\(path)")
            #expect(miss.header("cache-control") == "no-cache", "\(path)")
            let headMiss = try EdgeResponse.get(root + path, method: "HEAD")
            #expect(headMiss.status == 404 && headMiss.body.isEmpty, "HEAD \(path)")
        }
        let hashedCSS = try #require(manifest.paths["css/app.css"])
        #expect(try EdgeResponse.get(root + hashedCSS, method: "POST").status == 405)
        #expect(try EdgeResponse.get(root + hashedCSS, method: "DELETE").status == 405)
        // A conditional request for the sibling the client already has: 304 through the edge.
        let first = try EdgeResponse.get(root + hashedCSS, headers: [("Accept-Encoding", "br")])
        let etag = try #require(first.header("etag"))
        let again = try EdgeResponse.get(
            root + hashedCSS, headers: [("Accept-Encoding", "br"), ("If-None-Match", etag)])
        #expect(again.status == 304)
    }

    /// The bucket policy is what lets the edge read: the same publish into a private bucket gives
    /// the edge nothing but 404s (the bucket answers its unsigned requests 403).
    @Test func withoutThePublicReadPolicyTheEdgeGetsNothing() async throws {
        let moto = try EdgeMoto.get()
        let prefix = "site/static"
        let bucket = try moto.makeBucket("private")
        let dir = TestSupport.temporaryDirectory("s3-edge-private")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = EdgeSite(directory: dir, bucket: bucket, prefix: prefix)
        try site.publish(version: "1", moto: moto)
        let hashedCSS = try #require(try site.manifest.paths["css/app.css"])
        let unsigned = try EdgeResponse.get("\(moto.endpoint)/\(bucket)/\(prefix)/\(hashedCSS)")
        #expect(unsigned.status == 403)
        let edge = try await BucketEdge.start(moto: moto, bucket: bucket, prefix: prefix, base: dir)
        defer { edge.stop() }
        let response = try EdgeResponse.get(
            "http://127.0.0.1:\(edge.port)/static/\(hashedCSS)", headers: [("Accept-Encoding", "br")])
        #expect(response.status == 404)
    }
}
