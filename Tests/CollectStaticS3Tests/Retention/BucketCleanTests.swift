import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStaticS3

/// `collectstatic clean` with COLLECTSTATIC_STORAGE: the bucket keeps what `--keep`/`--keep-age`
/// keep and loses what no kept release references (docs/guides/s3.md, "Retention and rollback").
@Suite("Cleaning the bucket", .enabled(if: PythonTools.moto))
struct BucketCleanTests {
    static func run(
        _ arguments: [String], in dir: URL, moto: MotoServer, storage: String, extra: [String: String] = [:]
    ) -> BucketPublishTests.Run {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "COLLECTSTATIC_STORAGE": storage, "AWS_ENDPOINT_URL_S3": moto.endpoint,
            "AWS_ACCESS_KEY_ID": moto.accessKey, "AWS_SECRET_ACCESS_KEY": moto.secretKey,
        ]
        environment.merge(extra) { _, new in new }
        // clean and rollback read no sources: they run where no source root exists (a CI job that
        // only acts on the bucket), with the default STATICFILES_DIRS, `static`, missing.
        let result = TestSupport.run(
            TestSupport.collectstaticBinary, arguments + ["--static-root", "root"], environment: environment,
            currentDirectory: dir)
        return BucketPublishTests.Run(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    static func keys(_ moto: MotoServer, _ bucket: String) throws -> Set<String> {
        Set(try #require(try moto.peer("keys", bucket, "") as? [String]))
    }

    /// The records of the releases in the bucket: id → object names.
    static func records(_ moto: MotoServer, _ bucket: String, prefix: String) throws -> [String: [String]] {
        var records: [String: [String]] = [:]
        for key in try keys(moto, bucket) where key.hasPrefix("\(prefix)/.collectstatic/releases/") {
            let object = try BucketPublishTests.object(moto, bucket, key)
            let body = try #require(Data(base64Encoded: object["body_base64"] as? String ?? ""))
            let record = try JSONDecoder().decode(BucketRelease.self, from: body)
            records[record.id] = Array(record.objects.keys)
        }
        return records
    }

    /// Four releases published (each STATIC_ROOT keeping only its own files, so each release's
    /// record lists only its own): their objects all stay until `clean`, which then keeps the
    /// current release and the previous one (`--keep 1 --keep-age 0`) whole and deletes the rest
    /// (DeleteObjects), never an object no record lists.
    @Test func cleanKeepsEveryObjectOfKeptReleasesAndDeletesTheRest() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("clean")
        let dir = TestSupport.temporaryDirectory("s3-clean")
        defer { try? FileManager.default.removeItem(at: dir) }
        let storage = "s3://\(bucket)/p"
        let local = ["COLLECTSTATIC_KEEP": "0", "COLLECTSTATIC_KEEP_AGE": "0"]
        var hashedCSS: [String] = []
        for version in 1...4 {
            BucketPublishTests.makeSite(dir, version: "\(version)")
            let run = Self.run(["--noinput", "--dir", "src"], in: dir, moto: moto, storage: storage, extra: local)
            try #require(run.status == 0, "\(run.stderr)")
            let manifest = try Manifest(data: Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
            hashedCSS.append(try #require(manifest.paths["css/app.css"]))
        }
        // Old releases' objects stay in the bucket (STATIC_ROOT has only the last one).
        let published = try Self.keys(moto, bucket)
        for name in hashedCSS { #expect(published.contains("p/\(name)"), "\(name)") }
        _ = try moto.peer("put", bucket, "p/uploaded-by-hand.txt", "mine")
        #expect(try Self.records(moto, bucket, prefix: "p").count == 4)

        // Every previous release was replaced less than an hour ago: --keep-age 1h keeps them all.
        let young = Self.run(
            ["clean", "--keep", "0", "--keep-age", "1h"], in: dir, moto: moto, storage: storage)
        try #require(young.status == 0, "\(young.stderr)")
        #expect(young.stdout.contains("s3://\(bucket)/p: 0 objects of 0 releases no longer kept deleted, 4 kept."))
        #expect(
            try Self.keys(moto, bucket) == published.union(["p/uploaded-by-hand.txt", "p/.collectstatic/history.json"]))

        let before = try moto.requests().count
        let clean = Self.run(["clean", "--keep", "1", "--keep-age", "0"], in: dir, moto: moto, storage: storage)
        try #require(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("of 2 releases no longer kept deleted, 2 kept."), "\(clean.stdout)")
        let after = try Self.keys(moto, bucket)
        // Every name of every kept release is still there.
        let kept = try Self.records(moto, bucket, prefix: "p")
        #expect(kept.count == 2)
        for (id, names) in kept {
            for name in names { #expect(after.contains("p/\(name)"), "\(name) of kept release \(id)") }
        }
        #expect(after.contains("p/\(hashedCSS[3])") && after.contains("p/\(hashedCSS[2])"))
        #expect(!after.contains("p/\(hashedCSS[1])") && !after.contains("p/\(hashedCSS[0])"))
        #expect(!after.contains("p/\(hashedCSS[0]).br") && !after.contains("p/\(hashedCSS[0]).gz"))
        #expect(after.contains("p/uploaded-by-hand.txt"))
        let verification = try moto.verify(bucket: bucket, prefix: "p")
        #expect(verification.whole && verification.checked > 0)
        let requests = try moto.requests().dropFirst(before).filter { $0.uri.hasPrefix("/\(bucket)") }
        #expect(requests.contains { $0.method == "POST" && $0.uri.hasPrefix("/\(bucket)?delete") })
        #expect(!requests.contains { $0.method == "DELETE" })
    }

    /// A provider that answers DeleteObjects with NotImplemented gets single DELETEs, and the
    /// result is the same.
    @Test func cleanFallsBackToSingleDeletesWhereDeleteObjectsIsNotImplemented() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("clean501")
        let dir = TestSupport.temporaryDirectory("s3-clean501")
        defer { try? FileManager.default.removeItem(at: dir) }
        let storage = "s3://\(bucket)/p"
        let local = ["COLLECTSTATIC_KEEP": "0", "COLLECTSTATIC_KEEP_AGE": "0"]
        var hashedCSS: [String] = []
        for version in 1...3 {
            BucketPublishTests.makeSite(dir, version: "\(version)")
            let run = Self.run(["--noinput", "--dir", "src"], in: dir, moto: moto, storage: storage, extra: local)
            try #require(run.status == 0, "\(run.stderr)")
            let manifest = try Manifest(data: Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
            hashedCSS.append(try #require(manifest.paths["css/app.css"]))
        }
        try moto.inject(status: 501, code: "NotImplemented", count: 20, match: "/\(bucket)?delete", method: "POST")
        let before = try moto.requests().count
        let clean = Self.run(["clean", "--keep", "0", "--keep-age", "0"], in: dir, moto: moto, storage: storage)
        try #require(clean.status == 0, "\(clean.stderr)")
        let after = try Self.keys(moto, bucket)
        #expect(after.contains("p/\(hashedCSS[2])"))
        #expect(!after.contains("p/\(hashedCSS[1])") && !after.contains("p/\(hashedCSS[0])"))
        let kept = try Self.records(moto, bucket, prefix: "p")
        #expect(kept.count == 1)
        for names in kept.values { for name in names { #expect(after.contains("p/\(name)"), "\(name)") } }
        let deletes = try moto.requests().dropFirst(before).filter {
            $0.method == "DELETE" && $0.uri.hasPrefix("/\(bucket)/")
        }
        #expect(deletes.count >= 4, "\(deletes.count) single DELETEs")
        #expect(try moto.verify(bucket: bucket, prefix: "p").whole)
    }
}
