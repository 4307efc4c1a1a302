import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStaticS3

/// `collectstatic rollback` with COLLECTSTATIC_STORAGE: the bucket's pointer goes back to the
/// previous release by compare-and-swap (docs/guides/s3.md, "Retention and rollback").
@Suite("Rolling the bucket back", .enabled(if: PythonTools.moto))
struct BucketRollbackTests {
    @Test func rollbackPutsThePreviousManifestBackAndASecondOneGoesForwardAgain() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("rollback")
        let dir = TestSupport.temporaryDirectory("s3-rollback")
        defer { try? FileManager.default.removeItem(at: dir) }
        let storage = "s3://\(bucket)/site"
        var manifests: [Data] = []
        for version in 1...2 {
            BucketPublishTests.makeSite(dir, version: "\(version)")
            let run = BucketCleanTests.run(["--noinput", "--dir", "src"], in: dir, moto: moto, storage: storage)
            try #require(run.status == 0, "\(run.stderr)")
            manifests.append(try Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
        }
        func pointer() throws -> Data? {
            let object = try BucketPublishTests.object(moto, bucket, "site/staticfiles.json")
            return (object["body_base64"] as? String).flatMap { Data(base64Encoded: $0) }
        }
        #expect(try pointer() == manifests[1])

        let back = BucketCleanTests.run(["rollback"], in: dir, moto: moto, storage: storage)
        try #require(back.status == 0, "\(back.stderr)")
        let release1 = SigV4Signer.sha256Hex(manifests[0])
        #expect(
            back.stdout.contains("s3://\(bucket)/site: rolled back: release \(release1.prefix(12)) is current again."))
        #expect(try pointer() == manifests[0])
        let verification = try moto.verify(bucket: bucket, prefix: "site")
        #expect(verification.pointer == release1 && verification.whole)
        // STATIC_ROOT was rolled back too (it holds a release).
        let local = try Manifest(data: Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
        #expect(local.paths == (try Manifest(data: manifests[0]).paths))

        let forward = BucketCleanTests.run(["rollback"], in: dir, moto: moto, storage: storage)
        try #require(forward.status == 0, "\(forward.stderr)")
        #expect(try pointer() == manifests[1])
        #expect(try moto.verify(bucket: bucket, prefix: "site").whole)
    }

    /// A bucket rollback on a machine whose STATIC_ROOT holds nothing (a CI job) acts on the bucket.
    @Test func rollbackWithoutALocalReleaseActsOnTheBucketOnly() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("rollback-ci")
        let dir = TestSupport.temporaryDirectory("s3-rollback-ci")
        let elsewhere = TestSupport.temporaryDirectory("s3-rollback-ci-2")
        defer {
            try? FileManager.default.removeItem(at: dir)
            try? FileManager.default.removeItem(at: elsewhere)
        }
        let storage = "s3://\(bucket)/p"
        var manifests: [Data] = []
        for version in 1...2 {
            BucketPublishTests.makeSite(dir, version: "\(version)")
            let run = BucketCleanTests.run(["--noinput", "--dir", "src"], in: dir, moto: moto, storage: storage)
            try #require(run.status == 0, "\(run.stderr)")
            manifests.append(try Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
        }
        let back = BucketCleanTests.run(["rollback"], in: elsewhere, moto: moto, storage: storage)
        try #require(back.status == 0, "\(back.stderr)")
        #expect(try moto.verify(bucket: bucket, prefix: "p").pointer == SigV4Signer.sha256Hex(manifests[0]))
        #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("root").path))
    }

    /// A publish that lands between rollback's read and its swap wins: rollback fails with one line
    /// and the pointer is the publisher's.
    @Test func rollbackLosesCleanlyToAPublisherThatGotInFirst() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("rollback-race")
        let dirs = (0..<3).map { TestSupport.temporaryDirectory("s3-rollback-race-\($0)") }
        defer { for dir in dirs { try? FileManager.default.removeItem(at: dir) } }
        for (index, dir) in dirs.enumerated() {
            BucketPublishTests.makeSite(dir, version: "R\(index)")
            try #require(BucketPublishTests.collect(dir, moto: moto, storage: nil).status == 0)
        }
        let client = S3Client(configuration: moto.configuration(bucket: bucket, prefix: "s"))
        defer { Task { await client.shutdown() } }
        func publisher(_ dir: URL) -> BucketPublisher {
            BucketPublishTests.publisher(client, dir)
        }
        _ = try await publisher(dirs[0]).publish()
        _ = try await publisher(dirs[1]).publish()
        var rollback = BucketRollback(client: client, manifestName: "staticfiles.json")
        let third = publisher(dirs[2])
        rollback.beforePointerSwap = { _ = try await third.publish() }
        let racing = rollback
        let failure = await #expect(throws: BucketPublisher.Failure.self) { try await racing.rollback() }
        #expect(failure?.description.contains("another publisher changed 's/staticfiles.json'") == true)
        let pointer = try #require(try await client.getObject(key: "s/staticfiles.json"))
        #expect(pointer.body == (try Data(contentsOf: dirs[2].appendingPathComponent("root/staticfiles.json"))))
        #expect(try moto.verify(bucket: bucket, prefix: "s").whole)
    }

    @Test func rollbackWithNoPreviousReleaseIsOneLineAndExitOne() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("rollback-none")
        let dir = TestSupport.temporaryDirectory("s3-rollback-none")
        let elsewhere = TestSupport.temporaryDirectory("s3-rollback-none-2")
        defer {
            try? FileManager.default.removeItem(at: dir)
            try? FileManager.default.removeItem(at: elsewhere)
        }
        BucketPublishTests.makeSite(dir)
        let storage = "s3://\(bucket)/p"
        try #require(
            BucketCleanTests.run(["--noinput", "--dir", "src"], in: dir, moto: moto, storage: storage).status == 0)
        let run = BucketCleanTests.run(["rollback"], in: elsewhere, moto: moto, storage: storage)
        #expect(run.status == 1)
        #expect(
            run.stderr
                == "collectstatic: error: no previous release is kept in bucket '\(bucket)' (.collectstatic/history.json under the prefix); nothing to roll back to\n"
        )
    }
}
