import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStaticS3

/// `--verify-bucket` / COLLECTSTATIC_VERIFY_BUCKET: the bucket is checked against a paged listing
/// instead of the last release's record, and what was removed by hand is uploaded again
/// (docs/guides/s3.md, "Verifying the bucket").
@Suite("Verifying the bucket", .enabled(if: PythonTools.moto))
struct BucketVerifyTests {
    @Test func objectsRemovedByHandAreUploadedAgainWithVerifyBucket() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("verify")
        let dir = TestSupport.temporaryDirectory("s3-verify")
        defer { try? FileManager.default.removeItem(at: dir) }
        BucketPublishTests.makeSite(dir)
        // A prefix with a '/': the listing's prefix= carries it.
        let storage = "s3://\(bucket)/site/static"
        try #require(
            BucketCleanTests.run(["--noinput", "--dir", "src"], in: dir, moto: moto, storage: storage).status == 0)
        let manifest = try Manifest(data: Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
        let css = try #require(manifest.paths["css/app.css"])
        for name in [css, css + ".br"] { _ = try moto.peer("delete", bucket, "site/static/\(name)") }
        #expect(try moto.verify(bucket: bucket, prefix: "site/static").problems.count == 1)

        // Trusting the record, nothing is missing.
        let plain = BucketCleanTests.run(["--noinput", "--dir", "src"], in: dir, moto: moto, storage: storage)
        #expect(plain.status == 0 && plain.stdout.contains("already up to date"))
        #expect(try moto.verify(bucket: bucket, prefix: "site/static").problems.count == 1)

        let before = try moto.requests().count
        let verified = BucketCleanTests.run(
            ["--noinput", "--dir", "src", "--verify-bucket"], in: dir, moto: moto, storage: storage)
        try #require(verified.status == 0, "\(verified.stderr)")
        let requests = try moto.requests().dropFirst(before).filter { $0.uri.hasPrefix("/\(bucket)") }
        let puts = requests.filter { $0.method == "PUT" }.map(\.uri)
        #expect(Set(puts) == ["/\(bucket)/site/static/\(css)", "/\(bucket)/site/static/\(css).br"], "\(puts)")
        #expect(requests.contains { $0.method == "GET" && $0.uri.contains("list-type=2") })
        #expect(!requests.contains { $0.method == "HEAD" })
        #expect(verified.stdout.contains("2 objects uploaded"), "\(verified.stdout)")
        let verification = try moto.verify(bucket: bucket, prefix: "site/static")
        #expect(verification.whole && verification.checked > 4)
    }

    /// The listing is read page by page (continuation tokens); a changed release is verified too.
    @Test func verifyFollowsContinuationTokens() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("verify-pages")
        let dir = TestSupport.temporaryDirectory("s3-verify-pages")
        defer { try? FileManager.default.removeItem(at: dir) }
        BucketPublishTests.makeSite(dir)
        try #require(BucketPublishTests.collect(dir, moto: moto, storage: nil).status == 0)
        let client = S3Client(configuration: moto.configuration(bucket: bucket, prefix: "v"))
        defer { Task { await client.shutdown() } }
        var publisher = BucketPublishTests.publisher(client, dir)
        _ = try await publisher.publish()
        let names = BucketPublishTests.localFiles(dir).filter { $0 != "staticfiles.json" }
        _ = try moto.peer("delete", bucket, "v/\(names[0])")
        publisher.verify = true
        publisher.listPageSize = 3
        let before = try moto.requests().count
        let report = try await publisher.publish()
        let layout = try BucketPublishTests.Layout(dir)
        #expect(
            report.uploaded == 1
                && report.reused == layout.immutable.count + layout.stored.count + layout.originals.count - 1)
        let listings = try moto.requests().dropFirst(before).filter {
            $0.uri.hasPrefix("/\(bucket)") && $0.uri.contains("list-type=2")
        }
        // Every file but the one deleted, the pointer, the release record and the history.
        let listed = names.count - 1 + 3
        #expect(listings.count >= (listed + 2) / 3, "\(listings.count) pages for \(listed) keys")
        #expect(listings.contains { $0.uri.contains("continuation-token=") })
        #expect(try moto.verify(bucket: bucket, prefix: "v").whole)
    }
}
