import Foundation
import StaticAssets
import StaticAssetsServer
import TestSupport
import Testing

@testable import CollectStaticS3

/// `collectstatic --storage s3://…` against moto (signature checking on), read back with boto3
/// (docs/guides/s3.md: "Where", "What", "Order", "No work twice").
@Suite("Publishing a release to the bucket", .enabled(if: PythonTools.moto))
struct BucketPublishTests {
    /// A small site with references, text worth compressing and a binary file.
    static func makeSite(_ root: URL, version: String = "1") {
        let css = (0..<80).map { ".c\($0) { background: url(\"../img/logo.png\"); margin: \($0)px }" }.joined(
            separator: "\n")
        TestSupport.write(css + "\n/* \(version) */\n", to: root.appendingPathComponent("src/css/app.css"))
        TestSupport.write(
            String(repeating: "function f(a) { return a * 2 }\n", count: 60),
            to: root.appendingPathComponent("src/js/app.js"))
        TestSupport.write(
            Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
            to: root.appendingPathComponent("src/img/logo.png"))
        TestSupport.write("plain text \(version)\n", to: root.appendingPathComponent("src/docs/read me~.txt"))
    }

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func collect(
        _ root: URL, moto: MotoServer, storage: String?, secret: String? = nil, extra: [String: String] = [:]
    ) -> Run {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        if let storage {
            environment["COLLECTSTATIC_STORAGE"] = storage
            environment["AWS_ENDPOINT_URL_S3"] = moto.endpoint
            environment["AWS_ACCESS_KEY_ID"] = moto.accessKey
            environment["AWS_SECRET_ACCESS_KEY"] = secret ?? moto.secretKey
        }
        environment.merge(extra) { _, new in new }
        let result = TestSupport.run(
            TestSupport.collectstaticBinary, ["--noinput", "--dir", "src", "--static-root", "root"],
            environment: environment, currentDirectory: root)
        return Run(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Every file of STATIC_ROOT (relative names).
    static func localFiles(_ root: URL) -> [String] {
        TestSupport.files(in: root.appendingPathComponent("root"))
    }

    static func object(_ moto: MotoServer, _ bucket: String, _ key: String) throws -> [String: Any] {
        try #require(try moto.peer("get", bucket, key) as? [String: Any])
    }

    @Test func bucketMirrorsStaticRootWithTypesEncodingsAndCaching() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("mirror")
        let dir = TestSupport.temporaryDirectory("s3-mirror")
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.makeSite(dir)
        let run = Self.collect(dir, moto: moto, storage: "s3://\(bucket)/site/static")
        try #require(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("s3://\(bucket)/site/static: "))

        let local = Self.localFiles(dir)
        let manifestData = try Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json"))
        let manifest = try Manifest(data: manifestData)
        #expect(local.contains { $0.hasSuffix(".br") } && local.contains { $0.hasSuffix(".gz") })
        let keys = try #require(try moto.peer("keys", bucket, "") as? [String])
        let releaseKey = "site/static/.collectstatic/releases/\(SigV4Signer.sha256Hex(manifestData)).json"
        #expect(
            Set(keys)
                == Set(local.map { "site/static/\($0)" } + [releaseKey, "site/static/.collectstatic/history.json"]))

        for name in local {
            let read = try Self.object(moto, bucket, "site/static/\(name)")
            let bytes = try Data(contentsOf: dir.appendingPathComponent("root/\(name)"))
            #expect(read["body_base64"] as? String == bytes.base64EncodedString(), "\(name)")
            let encoding = ContentEncoding.variants.first { name.hasSuffix($0.fileSuffix) }
            let original = encoding.map { String(name.dropLast($0.fileSuffix.count)) } ?? name
            #expect(read["content_encoding"] as? String == encoding?.token, "\(name)")
            if name == "staticfiles.json" {
                #expect(read["content_type"] as? String == "application/json")
                #expect(read["cache_control"] as? String == "no-cache")
                continue
            }
            #expect(read["content_type"] as? String == ContentTypes.contentType(for: original), "\(name)")
            let expectedCaching =
                manifest.hashedNames.contains(original) ? "public, max-age=31536000, immutable" : "no-cache"
            #expect(read["cache_control"] as? String == expectedCaching, "\(name)")
        }
        // The hashed stylesheet is immutable, its original is not.
        let hashedCSS = try #require(manifest.paths["css/app.css"])
        #expect(
            try Self.object(moto, bucket, "site/static/\(hashedCSS)")["cache_control"] as? String
                == "public, max-age=31536000, immutable")
        #expect(try Self.object(moto, bucket, "site/static/css/app.css")["cache_control"] as? String == "no-cache")
    }

    @Test func contentFirstThenReleaseRecordThenPointerAndUnchangedRepublishIsOneGet() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("order")
        let dir = TestSupport.temporaryDirectory("s3-order")
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.makeSite(dir)
        let storage = "s3://\(bucket)/p"
        let start = try moto.requests().count
        try #require(Self.collect(dir, moto: moto, storage: storage).status == 0)
        let first = try moto.requests().dropFirst(start).filter { $0.uri.hasPrefix("/\(bucket)/") }
        let puts = first.filter { $0.method == "PUT" }
        let local = Self.localFiles(dir)
        // Every file (the manifest as the pointer), the release record, then the bucket's history.
        #expect(puts.count == local.count + 2)
        #expect(puts.last?.uri == "/\(bucket)/p/.collectstatic/history.json")
        #expect(puts.dropLast().last?.uri == "/\(bucket)/p/staticfiles.json")
        #expect(puts.dropLast(2).last?.uri.hasPrefix("/\(bucket)/p/.collectstatic/releases/") == true)

        // Nothing changed: the local run leaves the manifest alone and the bucket costs one GET.
        let before = try moto.requests().count
        let again = Self.collect(dir, moto: moto, storage: storage)
        try #require(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("already up to date"))
        let second = try moto.requests().dropFirst(before).filter { $0.uri.hasPrefix("/\(bucket)") }
        #expect(second.count <= 3)
        #expect(second.filter { $0.method == "PUT" }.isEmpty)

        // One stylesheet changed: its hashed copy, its original, their variants, the record and the
        // pointer; nothing else.
        Self.makeSite(dir, version: "2")
        let oldManifest = try Manifest(data: Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
        let third = try moto.requests().count
        let changed = Self.collect(dir, moto: moto, storage: storage)
        try #require(changed.status == 0, "\(changed.stderr)")
        let newManifest = try Manifest(data: Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
        let changedNames = newManifest.files.filter { oldManifest.files[$0.key]?.integrity != $0.value.integrity }
            .flatMap { [$0.key] + $0.value.companionNames(of: $0.key) }
        let thirdPuts = try moto.requests().dropFirst(third).filter {
            $0.method == "PUT" && $0.uri.hasPrefix("/\(bucket)/")
        }
        #expect(thirdPuts.count == changedNames.count + 3, "\(thirdPuts.map(\.uri)) vs \(changedNames)")
        #expect(!thirdPuts.contains { $0.method == "HEAD" })
    }

    @Test func aPublisherThatLosesTheRaceFailsAndThePointerStaysValid() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("race")
        let a = TestSupport.temporaryDirectory("s3-race-a")
        let b = TestSupport.temporaryDirectory("s3-race-b")
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        Self.makeSite(a, version: "A")
        Self.makeSite(b, version: "B")
        try #require(Self.collect(a, moto: moto, storage: nil).status == 0)
        try #require(Self.collect(b, moto: moto, storage: nil).status == 0)
        let configuration = moto.configuration(bucket: bucket, prefix: "s")
        let client = S3Client(configuration: configuration)
        defer { Task { await client.shutdown() } }
        let publisherB = BucketPublisher(client: client, staticRoot: b.path + "/root", manifestName: "staticfiles.json")
        var publisherA = BucketPublisher(client: client, staticRoot: a.path + "/root", manifestName: "staticfiles.json")
        // B publishes completely after A read the (absent) pointer and uploaded its objects.
        publisherA.beforePointerSwap = { _ = try await publisherB.publish() }
        let racing = publisherA
        let failure = await #expect(throws: BucketPublisher.Failure.self) { try await racing.publish() }
        let message = failure?.description ?? ""
        #expect(message.contains("another publisher changed 's/staticfiles.json' in bucket '\(bucket)'"))

        // The pointer is B's manifest and every hashed name it lists is there with B's bytes.
        let pointer = try #require(try await client.getObject(key: "s/staticfiles.json"))
        let bManifest = try Data(contentsOf: b.appendingPathComponent("root/staticfiles.json"))
        #expect(pointer.body == bManifest)
        for name in try Manifest(data: bManifest).hashedNames {
            #expect(
                try await client.getObject(key: "s/\(name)")?.body
                    == (try Data(contentsOf: b.appendingPathComponent("root/\(name)"))))
        }
        // A second attempt of A (now reading B's pointer) wins.
        _ = try await BucketPublisher(client: client, staticRoot: a.path + "/root", manifestName: "staticfiles.json")
            .publish()
        #expect(
            try await client.getObject(key: "s/staticfiles.json")?.body
                == (try Data(contentsOf: a.appendingPathComponent("root/staticfiles.json"))))
    }

    @Test func badCredentialsExitOneWithOneLineAndTheLocalReleaseStays() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("creds")
        let dir = TestSupport.temporaryDirectory("s3-creds")
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.makeSite(dir)
        let secret = "Wrong/Secret+ShouldNeverBePrinted"
        let run = Self.collect(
            dir, moto: moto, storage: "s3://\(bucket)/p", secret: secret, extra: ["COLLECTSTATIC_VERBOSITY": "3"])
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("collectstatic: error:") }
        #expect(lines.count == 1)
        #expect(
            lines.first?.contains("SignatureDoesNotMatch from bucket '\(bucket)' at \(moto.endpoint)") == true,
            "\(run.stderr)")
        #expect(!(run.stdout + run.stderr).contains(secret))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("root/staticfiles.json").path))
        #expect(try moto.peer("get", bucket, "p/staticfiles.json") as? [String: Bool] == ["missing": true])
    }

    @Test func inlineSecretIsNotShownAtVerbosityThree() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("inline")
        let dir = TestSupport.temporaryDirectory("s3-inline")
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.makeSite(dir)
        let secret = moto.secretKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let run = Self.collect(
            dir, moto: moto, storage: nil,
            extra: [
                "COLLECTSTATIC_STORAGE": "s3://\(moto.accessKey):\(secret)@\(bucket)/p?endpoint=\(moto.endpoint)",
                "COLLECTSTATIC_VERBOSITY": "3",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("COLLECTSTATIC_STORAGE=s3://\(moto.accessKey):***@\(bucket)/p"))
        #expect(!(run.stdout + run.stderr).contains(moto.secretKey) && !(run.stdout + run.stderr).contains(secret))
        #expect(try Self.object(moto, bucket, "p/staticfiles.json")["content_type"] as? String == "application/json")
    }

    @Test func malformedStorageURLIsExitTwoBeforeAnythingIsCollected() throws {
        let moto = try MotoServer.get()
        let dir = TestSupport.temporaryDirectory("s3-malformed")
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.makeSite(dir)
        let run = Self.collect(dir, moto: moto, storage: "s3://b-1/p?addressing=sideways")
        #expect(run.status == 2)
        #expect(
            run.stderr
                == "collectstatic: error: COLLECTSTATIC_STORAGE s3://b-1/p?addressing=sideways: addressing= must be path or virtual, got 'sideways'\n"
        )
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("root").path))
    }
}
