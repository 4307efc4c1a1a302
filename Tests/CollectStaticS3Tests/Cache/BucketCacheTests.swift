import CollectStatic
import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStaticS3

/// docs/guides/s3.md (The bucket as a shared compression cache): a fresh machine (empty cache folder,
/// fresh STATIC_ROOT) with a warm bucket compresses nothing another machine compressed; an entry that
/// does not verify is ignored, compressed again, replaced in the bucket, and never published.
@Suite("The bucket as a shared compression cache", .enabled(if: PythonTools.moto))
struct BucketCacheTests {
    /// A fresh machine: its own sources (the same files), cache folder and STATIC_ROOT.
    struct Machine {
        let root: URL
        init(_ name: String, site: URL) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("bucket-cache-\(name)-\(UUID())")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: site, to: root.appendingPathComponent("src"))
        }

        var staticRoot: URL { root.appendingPathComponent("static") }

        func collect(_ cache: BucketCache) async throws -> CollectionReport {
            var configuration = Configuration(
                sourceRoots: [SourceRoot(path: root.appendingPathComponent("src").path)], staticRoot: staticRoot.path,
                jobs: 2)
            configuration.compression = CompressionPolicy(encodings: [.brotli, .gzip], brotliQuality: 5)
            configuration.cacheDirectory = root.appendingPathComponent("cache").path
            var collector = Collector(configuration: configuration)
            collector.sharedCache = cache
            return try await collector.run()
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    static func makeSite() throws -> URL {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("bucket-cache-site-\(UUID())")
        for index in 0..<6 {
            let css = (0..<120).map { ".c\($0)-\(index) { margin: \($0)px }" }.joined(separator: "\n")
            TestSupport.write(css + "\n", to: site.appendingPathComponent("css/s\(index).css"))
            TestSupport.write(
                String(repeating: "function f\(index)(a) { return a * \(index) }\n", count: 80),
                to: site.appendingPathComponent("js/m\(index).js"))
        }
        return site
    }

    @Test func aFreshMachineWithAWarmBucketCompressesNothing() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("cache")
        let cache = BucketCache(storage: moto.configuration(bucket: bucket, prefix: "ci-cache"))
        let site = try Self.makeSite()
        defer { try? FileManager.default.removeItem(at: site) }

        let first = try Machine("a", site: site)
        defer { first.remove() }
        let before = try moto.requests().count
        let cold = try await first.collect(cache)
        // A cold bucket: one listing of the cache's folder says it holds none of the 12 records, so
        // none is asked for (a GET each found nothing before).
        let coldRequests = try moto.requests().dropFirst(before).filter { $0.uri.contains("/\(bucket)") }
        let listings = coldRequests.filter { $0.method == "GET" && $0.uri.contains("list-type=2") }
        #expect(listings.count == 1 && listings.allSatisfy { $0.uri.contains("prefix=ci-cache%2Fv2%2Fvariants%2F") })
        #expect(coldRequests.filter { $0.method == "GET" }.count == 1, "\(coldRequests.map(\.uri))")
        #expect(cold.variantsWritten == 24 && cold.variantsReused == 0, "12 contents, .br and .gz each")
        #expect(cold.sharedCacheFetched == 0)
        #expect(cold.sharedCacheFetch?.records == 0 && cold.sharedCacheFetch?.files == 0, "12 records missing, no file")
        #expect(cold.sharedCacheStored == 36, "24 variants and 12 records")
        let listed = try #require(try moto.peer("keys", bucket, "ci-cache") as? [String])
        #expect(listed.count == 36 && listed.allSatisfy { $0.hasPrefix("ci-cache/v2/variants/") })

        let second = try Machine("b", site: site)
        defer { second.remove() }
        // One of the downloads is slow: the fetch's time covers it.
        try moto.injectDelay(seconds: 1.5, count: 1, match: "/\(bucket)/ci-cache/v2/variants/", method: "GET")
        let warm = try await second.collect(cache)
        #expect(warm.variantsWritten == 0 && warm.variantsReused == 24, "nothing compressed again")
        #expect(warm.sharedCacheFetched == 12 && warm.sharedCacheStored == 0)
        let fetch = try #require(warm.sharedCacheFetch)
        #expect(fetch.records == 12 && fetch.files == 24, "12 records, then the 24 variants they name")
        #expect(fetch.seconds >= 1.5 && fetch.seconds < (warm.seconds["compress"] ?? 0), "timed within the stage")
        // The same release, byte for byte.
        for name in TestSupport.files(in: first.staticRoot) where name != "staticfiles.json" {
            #expect(
                FileManager.default.contentsEqual(
                    atPath: first.staticRoot.path + "/" + name, andPath: second.staticRoot.path + "/" + name), "\(name)"
            )
        }
    }

    @Test func anEntryThatDoesNotVerifyIsCompressedAgainAndReplaced() async throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("cache-bad")
        let cache = BucketCache(storage: moto.configuration(bucket: bucket))
        let site = try Self.makeSite()
        defer { try? FileManager.default.removeItem(at: site) }
        let first = try Machine("a", site: site)
        defer { first.remove() }
        _ = try await first.collect(cache)
        // Someone's broken upload: one `.br` object replaced with other bytes.
        let listed = try #require(try moto.peer("keys", bucket, "v2") as? [String])
        let victim = try #require(listed.first { $0.hasSuffix(".br") })
        let good = try #require(try moto.peer("get", bucket, victim) as? [String: Any])["body_base64"] as? String
        _ = try moto.peer("put", bucket, victim, "not brotli at all")

        let second = try Machine("b", site: site)
        defer { second.remove() }
        let report = try await second.collect(cache)
        #expect(report.variantsWritten == 2 && report.variantsReused == 22, "the bad entry's content compressed again")
        // What was published decodes to its file (checked by the tree verifier: every variant's SHA-256).
        #expect(PublishedTreeVerifier.problems(in: second.staticRoot) == [])
        // The bucket holds good bytes again.
        let now = try #require(try moto.peer("get", bucket, victim) as? [String: Any])["body_base64"] as? String
        #expect(now == good)
    }

    /// The tool: `COLLECTSTATIC_CACHE=s3://…` without `COLLECTSTATIC_CACHE_DIR` uses a local folder
    /// of its own in the work folder, removed after the run; a second machine reuses every variant; the URL's secret is never
    /// printed. `--json` gives what a run fetched and in how long (`sharedCacheFetch`), and a third
    /// machine at verbosity 2 prints it (docs/benchmarks.md, "S3: a fresh machine with a warm bucket cache").
    @Test func theToolSharesItsCacheThroughTheBucket() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("cache-cli")
        var reports: [[String: Any]] = []
        var fetchLines: [String] = []
        for machine in ["a", "b", "c"] {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bucket-cache-cli-\(machine)-\(UUID())")
            defer { try? FileManager.default.removeItem(at: root) }
            BucketPublishTests.makeSite(root)
            let temporary = root.appendingPathComponent("tmp")
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
            let output = machine == "c" ? ["-v", "2"] : ["--json", "-v", "3"]
            let result = TestSupport.run(
                TestSupport.collectstaticBinary,
                ["--noinput"] + output + ["--dir", "src", "--static-root", "root", "--brotli-quality", "5"],
                environment: [
                    "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TMPDIR": temporary.path,
                    "COLLECTSTATIC_CACHE": "s3://\(bucket)/cache", "AWS_ENDPOINT_URL_S3": moto.endpoint,
                    "AWS_ACCESS_KEY_ID": moto.accessKey, "AWS_SECRET_ACCESS_KEY": moto.secretKey,
                ], currentDirectory: root)
            try #require(result.status == 0, "\(result.stderr)")
            #expect(!result.stdout.contains(moto.secretKey) && !result.stderr.contains(moto.secretKey))
            // The run's own cache folder is in its work folder (STATIC_ROOT's file system), not in
            // TMPDIR, and goes with the run.
            #expect(TestSupport.files(in: temporary) == [], "nothing in TMPDIR")
            let work = root.appendingPathComponent(".root.collectstatic")
            #expect(FileManager.default.fileExists(atPath: work.path))
            #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("new-cache").path))
            if machine == "c" {
                fetchLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("Fetched ") }.map(String.init)
                continue
            }
            let line = try #require(result.stdout.split(separator: "\n").last { $0.hasPrefix("{") })
            reports.append(try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]))
        }
        let written = reports.map { $0["variantsWritten"] as? Int ?? -1 }
        let reused = reports.map { $0["variantsReused"] as? Int ?? -1 }
        #expect(written[0] > 0 && reused[0] == 0)
        #expect(written[1] == 0 && reused[1] == written[0], "the second machine compresses nothing")
        // What the second machine fetched: every record, then every variant the first machine made.
        let fetches = reports.map { $0["sharedCacheFetch"] as? [String: Any] ?? [:] }
        #expect(fetches[0]["records"] as? Int == 0 && fetches[0]["files"] as? Int == 0)
        let records = try #require(fetches[1]["records"] as? Int)
        #expect(records > 0 && fetches[1]["files"] as? Int == written[0])
        #expect(fetches[1]["seconds"] as? Double ?? -1 > 0)
        #expect(fetchLines.count == 1)
        #expect(
            fetchLines.first?.hasPrefix(
                "Fetched \(records) entries (\(written[0]) files) from the shared cache in ") == true,
            "\(fetchLines)")
    }
}
