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

    /// STATIC_ROOT as the bucket holds it, read from the files themselves: the immutable names
    /// (hashed ones and their variants and deltas) and the originals (everything else but the
    /// manifest), each with its SHA-256, and the originals' bytes no immutable file has (kept under
    /// `.collectstatic/originals/<SHA-256>` to be copied from).
    struct Layout {
        var immutable: [String: String] = [:]
        var originals: [String: String] = [:]
        var stored: Set<String> = []

        init(_ dir: URL) throws {
            let manifest = try Manifest(data: Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json")))
            let hashed = manifest.hashedNames
            for name in BucketPublishTests.localFiles(dir) where name != "staticfiles.json" {
                let digest = SigV4Signer.sha256Hex(try Data(contentsOf: dir.appendingPathComponent("root/\(name)")))
                if hashed.contains(where: { name == $0 || name.hasPrefix($0 + ".") }) {
                    immutable[name] = digest
                } else {
                    originals[name] = digest
                }
            }
            stored = Set(originals.values).subtracting(immutable.values)
        }

        var storedKeys: [String] { stored.map { BucketOriginals.storeName(sha256: $0) } }
    }

    static func object(_ moto: MotoServer, _ bucket: String, _ key: String) throws -> [String: Any] {
        try #require(try moto.peer("get", bucket, key) as? [String: Any])
    }

    static func hashedName(_ manifest: Manifest) -> String { manifest.paths["css/app.css"] ?? "" }

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
        let layout = try Layout(dir)
        // The stylesheet's original differs from its hashed copy (whose references are rewritten):
        // its bytes (and its variants') are kept under content-addressed names to be copied from.
        #expect(
            layout.stored.count >= 2 && layout.originals["css/app.css"] != layout.immutable[Self.hashedName(manifest)])
        #expect(
            Set(keys)
                == Set(
                    (local + layout.storedKeys).map { "site/static/\($0)" } + [
                        releaseKey, "site/static/.collectstatic/history.json",
                    ]))
        for key in layout.storedKeys {
            #expect(
                try Self.object(moto, bucket, "site/static/\(key)")["cache_control"] as? String
                    == "public, max-age=31536000, immutable")
        }
        #expect(try moto.verify(bucket: bucket, prefix: "site/static").whole)

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

    @Test func immutableObjectsThenRecordThenPointerThenOriginalsAndUnchangedRepublishIsTwoGets() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("order")
        let dir = TestSupport.temporaryDirectory("s3-order")
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.makeSite(dir)
        let storage = "s3://\(bucket)/p"
        let start = try moto.requests().count
        try #require(Self.collect(dir, moto: moto, storage: storage).status == 0)
        let first = try moto.requests().dropFirst(start).filter { $0.uri.hasPrefix("/\(bucket)/") }
        let all = first.filter { $0.method == "PUT" }.map {
            MotoServer.LoggedRequest(method: $0.method, uri: $0.uri.removingPercentEncoding ?? $0.uri, copy: $0.copy)
        }
        // First the marker a killed run would leave behind, deleted once the release is published.
        let marker = "/\(bucket)/p/.collectstatic/partial/"
        #expect(all.first?.uri.hasPrefix(marker) == true)
        #expect(first.last?.method == "DELETE" && first.last?.uri.hasPrefix(marker) == true)
        let writes = Array(all.dropFirst())
        let layout = try Layout(dir)
        // Every immutable object and every kept original, then the release record, then the
        // pointer, then a copy to each original, then the bucket's history.
        let recordAt = try #require(writes.firstIndex { $0.uri.hasPrefix("/\(bucket)/p/.collectstatic/releases/") })
        let pointerAt = try #require(writes.firstIndex { $0.uri == "/\(bucket)/p/staticfiles.json" })
        #expect(recordAt == layout.immutable.count + layout.stored.count && pointerAt == recordAt + 1)
        #expect(
            Set(writes[..<recordAt].map(\.uri))
                == Set((Array(layout.immutable.keys) + layout.storedKeys).map { "/\(bucket)/p/\($0)" }))
        #expect(!writes[..<pointerAt].contains { $0.copy })
        let copies = writes[(pointerAt + 1)...].dropLast()
        #expect(copies.allSatisfy { $0.copy })
        #expect(Set(copies.map(\.uri)) == Set(layout.originals.keys.map { "/\(bucket)/p/\($0)" }))
        #expect(writes.last?.uri == "/\(bucket)/p/.collectstatic/history.json")
        #expect(try moto.verify(bucket: bucket, prefix: "p").whole)

        // Nothing changed: the local run leaves the manifest alone and the bucket costs two GETs
        // (the pointer, and the history saying its originals are in place).
        let before = try moto.requests().count
        let again = Self.collect(dir, moto: moto, storage: storage)
        try #require(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("already up to date"))
        let second = try moto.requests().dropFirst(before).filter { $0.uri.hasPrefix("/\(bucket)") }
        #expect(second.count == 2 && second.allSatisfy { $0.method == "GET" }, "\(second.map(\.uri))")

        // One stylesheet changed: its hashed copy and variants, its original's new bytes, a copy to
        // its original and the original's variants, the marker, the record, the pointer and the
        // history; nothing else.
        Self.makeSite(dir, version: "2")
        let third = try moto.requests().count
        let changed = Self.collect(dir, moto: moto, storage: storage)
        try #require(changed.status == 0, "\(changed.stderr)")
        let next = try Layout(dir)
        let thirdWrites = try moto.requests().dropFirst(third).filter {
            $0.method == "PUT" && $0.uri.hasPrefix("/\(bucket)/")
        }.map {
            MotoServer.LoggedRequest(method: $0.method, uri: $0.uri.removingPercentEncoding ?? $0.uri, copy: $0.copy)
        }
        let newImmutable = next.immutable.filter { layout.immutable[$0.key] != $0.value }.map(\.key)
        let newStored = next.stored.subtracting(layout.stored)
        let newOriginals = next.originals.filter { layout.originals[$0.key] != $0.value }.map(\.key)
        #expect(newOriginals.contains("css/app.css") && newImmutable.count >= 2)
        #expect(
            thirdWrites.filter { !$0.copy }.count == newImmutable.count + newStored.count + 4,
            "\(thirdWrites.map(\.uri))")
        #expect(Set(thirdWrites.filter(\.copy).map(\.uri)) == Set(newOriginals.map { "/\(bucket)/p/\($0)" }))
        #expect(try moto.verify(bucket: bucket, prefix: "p").whole)
    }

    /// Two sites, A and B, collected into their STATIC_ROOTs (no bucket yet).
    static func twoSites(_ label: String, moto: MotoServer) throws -> (URL, URL) {
        let dirs = ["A", "B"].map { (TestSupport.temporaryDirectory("s3-\(label)-\($0)"), $0) }
        for (dir, version) in dirs {
            Self.makeSite(dir, version: version)
            try #require(Self.collect(dir, moto: moto, storage: nil).status == 0)
        }
        return (dirs[0].0, dirs[1].0)
    }

    static func publisher(_ client: S3Client, _ dir: URL) -> BucketPublisher {
        BucketPublisher(client: client, staticRoot: dir.path + "/root", manifestName: "staticfiles.json")
    }

    @Test func aPublisherThatLosesTheRaceFailsAndThePointerStaysValid() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("race")
        let (a, b) = try Self.twoSites("race", moto: moto)
        defer { for dir in [a, b] { try? FileManager.default.removeItem(at: dir) } }
        let configuration = moto.configuration(bucket: bucket, prefix: "s")
        let client = S3Client(configuration: configuration)
        defer { Task { await client.shutdown() } }
        let publisherB = Self.publisher(client, b)
        var publisherA = Self.publisher(client, a)
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
        // The originals are B's too: A, which lost, wrote none.
        #expect(try moto.verify(bucket: bucket, prefix: "s").whole)
        // A second attempt of A (now reading B's pointer) wins.
        _ = try await Self.publisher(client, a).publish()
        #expect(
            try await client.getObject(key: "s/staticfiles.json")?.body
                == (try Data(contentsOf: a.appendingPathComponent("root/staticfiles.json"))))
    }

    /// A moved the pointer and B published whole before A's copies of its originals landed: A sees
    /// the pointer is B's and places B's originals again, so the last to finish leaves the winner's.
    @Test func aPublisherOvertakenWhileCopyingPlacesTheWinnersOriginalsAgain() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("overtaken")
        let (a, b) = try Self.twoSites("over", moto: moto)
        defer { for dir in [a, b] { try? FileManager.default.removeItem(at: dir) } }
        let client = S3Client(configuration: moto.configuration(bucket: bucket, prefix: "o"))
        defer { Task { await client.shutdown() } }
        let publisherB = Self.publisher(client, b)
        var publisherA = Self.publisher(client, a)
        publisherA.beforeOriginals = { _ = try await publisherB.publish() }
        _ = try await publisherA.publish()

        let verification = try moto.verify(bucket: bucket, prefix: "o")
        let bManifest = try Data(contentsOf: b.appendingPathComponent("root/staticfiles.json"))
        #expect(verification.pointer == SigV4Signer.sha256Hex(bManifest))
        #expect(verification.whole, "\(verification.originals)")
        #expect(verification.originalsPlaced)
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
        #expect(try moto.peer("get", bucket, "p/staticfiles.json") as? [String: Bool] == ["no_such_key": true])
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
