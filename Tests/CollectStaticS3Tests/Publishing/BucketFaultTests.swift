import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStaticS3

/// Faults injected by the moto fixture the tests control (Tests/S3/moto_server.py: error answers,
/// reset connections, slow responses): retried with backoff, or exit 1 with the pointer untouched;
/// a re-run uploads only what is missing (docs/guides/s3.md, "Failures").
@Suite("Faults while publishing to the bucket", .enabled(if: PythonTools.moto))
struct BucketFaultTests {
    /// Short backoff; a request timeout long enough that a server slowed by the rest of the suite
    /// (moto is one Python process) never times out by itself, so every retry counted is a fault's.
    static let fast = RetryPolicy(
        attempts: 4, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200), requestTimeout: .seconds(6))

    /// Two releases collected (not published) in their own folders.
    static func releases(_ label: String) throws -> [URL] {
        let dirs = (1...2).map { TestSupport.temporaryDirectory("s3-\(label)-\($0)") }
        for (index, dir) in dirs.enumerated() {
            BucketPublishTests.makeSite(dir, version: "\(index + 1)")
            let moto = try MotoServer.get()
            try #require(BucketPublishTests.collect(dir, moto: moto, storage: nil).status == 0)
        }
        return dirs
    }

    static func hashedCSS(_ dir: URL) throws -> String {
        let manifest = try Manifest(data: Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
        return try #require(manifest.paths["css/app.css"])
    }

    @Test func slowDown500ResetSlowResponseAnd409AreRetriedAndThePublishCompletes() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("faults")
        let dirs = try Self.releases("faults")
        defer { for dir in dirs { try? FileManager.default.removeItem(at: dir) } }
        let client = S3Client(configuration: moto.configuration(bucket: bucket, prefix: "f", retry: Self.fast))
        defer { Task { await client.shutdown() } }
        _ = try await BucketPublishTests.publisher(client, dirs[0]).publish()

        let css = try Self.hashedCSS(dirs[1])
        try moto.inject(status: 503, code: "SlowDown", count: 2, match: "/f/\(css)", method: "PUT")
        try moto.inject(status: 500, code: "InternalError", count: 1, match: "/f/\(css).br", method: "PUT")
        try moto.injectReset(count: 1, match: "/f/\(css).gz", method: "PUT")
        try moto.injectDelay(seconds: 15, count: 1, match: "/f/css/app.css", method: "PUT")
        try moto.inject(
            status: 409, code: "OperationAborted", count: 1, match: "/f/.collectstatic/releases/", method: "PUT")
        try moto.inject(status: 503, code: "SlowDown", count: 1, match: "/f/staticfiles.json", method: "PUT")
        let before = try moto.requests().count
        let report = try await BucketPublishTests.publisher(client, dirs[1]).publish()
        #expect(!report.unchanged)
        let verification = try moto.verify(bucket: bucket, prefix: "f")
        #expect(verification.whole)
        #expect(
            verification.pointer
                == SigV4Signer.sha256Hex(try Data(contentsOf: dirs[1].appendingPathComponent("root/staticfiles.json"))))
        // 2 + 1 + 1 + 1 + 1 + 1 failed attempts, each tried again (counted by the server).
        let puts = try moto.requests().dropFirst(before).filter {
            $0.method == "PUT" && $0.uri.hasPrefix("/\(bucket)/")
        }
        .count
        #expect(
            puts == report.uploaded + 2 /* marker, history */ + 7, "\(puts) PUTs for \(report.uploaded) objects")
    }

    @Test func aFaultThatOutlastsTheRetriesLeavesThePointerAndTheRerunSendsOnlyWhatIsMissing() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("giveup")
        let dirs = try Self.releases("giveup")
        defer { for dir in dirs { try? FileManager.default.removeItem(at: dir) } }
        // One request at a time: when the publish gives up, nothing else is half sent.
        var configuration = moto.configuration(bucket: bucket, prefix: "g", retry: Self.fast)
        configuration.concurrency = 1
        let client = S3Client(configuration: configuration)
        defer { Task { await client.shutdown() } }
        _ = try await BucketPublishTests.publisher(client, dirs[0]).publish()
        let first = try #require(try await client.getObject(key: "g/staticfiles.json"))

        let css = try Self.hashedCSS(dirs[1])
        try moto.inject(status: 500, code: "InternalError", count: 4, match: "/g/\(css).gz", method: "PUT")
        let failure = await #expect(throws: BucketPublisher.Failure.self) {
            try await BucketPublishTests.publisher(client, dirs[1]).publish()
        }
        let message = failure?.description ?? ""
        #expect(
            message.hasPrefix("InternalError from bucket '\(bucket)' at \(moto.endpoint) (PutObject 'g/\(css).gz')"))
        #expect(!message.contains("\n"))
        // The pointer is release 1's, whole.
        #expect(try await client.getObject(key: "g/staticfiles.json")?.body == first.body)
        #expect(try moto.verify(bucket: bucket, prefix: "g").whole)

        // What is missing: release 2's objects the bucket does not hold with release 2's bytes.
        var missing: Set<String> = []
        for name in BucketPublishTests.localFiles(dirs[1]) where name != "staticfiles.json" {
            let read = try BucketPublishTests.object(moto, bucket, "g/\(name)")
            let local = try Data(contentsOf: dirs[1].appendingPathComponent("root/\(name)"))
            if read["body_base64"] as? String != local.base64EncodedString() { missing.insert("/\(bucket)/g/\(name)") }
        }
        #expect(missing.contains("/\(bucket)/g/\(css).gz") && missing.count < 12, "\(missing)")

        // The re-run sends exactly that, then the record, the pointer and the history.
        let before = try moto.requests().count
        let report = try await BucketPublishTests.publisher(client, dirs[1]).publish()
        // This bucket's (other suites use the same server at the same time).
        let puts = try moto.requests().dropFirst(before).filter { $0.method == "PUT" }.map {
            $0.uri.removingPercentEncoding ?? $0.uri
        }.filter { $0.hasPrefix("/\(bucket)/") }
        let content = puts.filter { !$0.contains("/.collectstatic/") && !$0.hasSuffix("/staticfiles.json") }
        #expect(Set(content) == missing && content.count == missing.count, "\(puts)")
        // Written: those (uploaded or copied), the bytes kept for changed originals, record, pointer.
        #expect(
            report.uploaded
                == puts.filter {
                    !$0.hasSuffix("/.collectstatic/history.json") && !$0.contains("/.collectstatic/partial/")
                }
                .count)
        #expect(try moto.verify(bucket: bucket, prefix: "g").whole)
    }

    /// The pointer's compare-and-swap answered 409 ConditionalRequestConflict (a concurrent
    /// conditional write, as AWS answers it): the publish lost, exit 1, the pointer is untouched.
    @Test func conflictOnThePointerIsALostRaceAndThePointerStays() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("conflict")
        let dirs = try Self.releases("conflict")
        defer { for dir in dirs { try? FileManager.default.removeItem(at: dir) } }
        let client = S3Client(configuration: moto.configuration(bucket: bucket, prefix: "c", retry: Self.fast))
        defer { Task { await client.shutdown() } }
        _ = try await BucketPublishTests.publisher(client, dirs[0]).publish()
        let first = try #require(try await client.getObject(key: "c/staticfiles.json"))
        try moto.inject(
            status: 409, code: "ConditionalRequestConflict", count: 1, match: "/c/staticfiles.json", method: "PUT")
        let failure = await #expect(throws: BucketPublisher.Failure.self) {
            try await BucketPublishTests.publisher(client, dirs[1]).publish()
        }
        #expect(failure?.description.contains("another publisher changed 'c/staticfiles.json'") == true)
        #expect(try await client.getObject(key: "c/staticfiles.json")?.body == first.body)
        #expect(try moto.verify(bucket: bucket, prefix: "c").whole)
    }

    /// The pointer's PUT got through but its answer was lost: the retry's If-Match fails (412), the
    /// pointer holds this release's bytes, and that is a win, not a lost race.
    @Test func aPointerPutWhoseAnswerWasLostIsAWin() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("lost")
        let dirs = try Self.releases("lost")
        defer { for dir in dirs { try? FileManager.default.removeItem(at: dir) } }
        let client = S3Client(configuration: moto.configuration(bucket: bucket, prefix: "l", retry: Self.fast))
        defer { Task { await client.shutdown() } }
        _ = try await BucketPublishTests.publisher(client, dirs[0]).publish()
        try moto.injectLostAnswer(count: 1, match: "/l/staticfiles.json", method: "PUT")
        let report = try await BucketPublishTests.publisher(client, dirs[1]).publish()
        #expect(!report.unchanged)
        let mine = try Data(contentsOf: dirs[1].appendingPathComponent("root/staticfiles.json"))
        #expect(try await client.getObject(key: "l/staticfiles.json")?.body == mine)
        let verification = try moto.verify(bucket: bucket, prefix: "l")
        #expect(verification.pointer == SigV4Signer.sha256Hex(mine) && verification.whole)
    }

    /// Through the CLI: exit 1, one line naming bucket and endpoint and what to check, the pointer
    /// (here: none yet) untouched, for each kind of refusal.
    @Test(arguments: [
        (403, "AccessDenied", "access denied; check that the credentials' policy allows"),
        (400, "AccessControlListNotSupported", "the bucket refuses ACLs"),
        (400, "AuthorizationHeaderMalformed", "the region 'us-east-1' is wrong for this bucket; check AWS_REGION"),
        (403, "InvalidAccessKeyId", "check AWS_ACCESS_KEY_ID"),
        (503, "SlowDown", "the server kept asking to slow down"),
    ])
    func refusalsAreOneLineAndExitOneWithNothingPublished(_ status: Int, _ code: String, _ advice: String) throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("refuse")
        let dir = TestSupport.temporaryDirectory("s3-refuse")
        defer { try? FileManager.default.removeItem(at: dir) }
        BucketPublishTests.makeSite(dir)
        // The stylesheet's six objects (original, hashed copy, their .br and .gz) are refused: 30
        // answers, so one of them is refused at every one of its 5 attempts (when retried at all).
        try moto.inject(status: status, code: code, count: 30, match: "/\(bucket)/p/css/app.", method: "PUT")
        let run = BucketPublishTests.collect(dir, moto: moto, storage: "s3://\(bucket)/p")
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(
            lines.first?.hasPrefix(
                "collectstatic: error: \(code) from bucket '\(bucket)' at \(moto.endpoint) (PutObject 'p/css/app.")
                == true, "\(run.stderr)")
        #expect(lines.first?.contains(advice) == true, "\(run.stderr)")
        #expect(try moto.verify(bucket: bucket, prefix: "p").pointer == nil)
    }

    @Test func aMissingBucketIsOneLineAndExitOne() throws {
        let moto = try MotoServer.get()
        let dir = TestSupport.temporaryDirectory("s3-nobucket")
        defer { try? FileManager.default.removeItem(at: dir) }
        BucketPublishTests.makeSite(dir)
        let run = BucketPublishTests.collect(dir, moto: moto, storage: "s3://no-such-bucket-at-all/p")
        #expect(run.status == 1)
        #expect(
            run.stderr.hasPrefix(
                "collectstatic: error: NoSuchBucket from bucket 'no-such-bucket-at-all' at \(moto.endpoint)"))
        #expect(run.stderr.contains("the bucket does not exist; check the bucket name and the endpoint"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    @Test func anUnreachableEndpointIsOneLineAndExitOne() throws {
        let moto = try MotoServer.get()
        let dir = TestSupport.temporaryDirectory("s3-unreachable")
        defer { try? FileManager.default.removeItem(at: dir) }
        BucketPublishTests.makeSite(dir)
        let run = BucketPublishTests.collect(
            dir, moto: moto, storage: "s3://b-1/p", extra: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("collectstatic: error: cannot reach bucket 'b-1' at http://127.0.0.1:1"))
        #expect(run.stderr.contains("check the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or endpoint=)"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}
