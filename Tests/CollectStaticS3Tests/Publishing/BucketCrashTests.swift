import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStaticS3

/// "`kill -9` at any moment leaves the bucket's pointer as it was, or new and complete", tested on
/// the release binary, read back with boto3; and two publishers at once (docs/guides/s3.md, "Order").
@Suite(.serialized, .longRunner, .enabled(if: PythonTools.moto))
struct BucketCrashTests {
    /// The release binary (`swift build -c release --product collectstatic`; `.ci/run` builds it).
    static let releaseBinary = TestSupport.packageRoot.appendingPathComponent(".build/release/collectstatic").path
    static let hasReleaseBinary = Requirement.isCI || FileManager.default.isExecutableFile(atPath: releaseBinary)

    /// 40 stylesheets and 40 scripts (compressible, referencing each other) and 10 images; every
    /// CSS/JS file differs between `version`s. Keys avoid what moto 5.2.1 refuses (`+`, `(`).
    static func writeTree(_ src: URL, version: Int) {
        var random = SeededRandom(seed: 7)
        for index in 0..<10 {
            var bytes = [UInt8](repeating: 0, count: 2_000 + Int(random.next() % 4_000))
            for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: random.next()) }
            TestSupport.write(Data(bytes), to: src.appendingPathComponent("img/i\(index).png"))
        }
        for index in 0..<40 {
            var css = "/* release \(version) */\n@import url(\"c\((index + 1) % 40).css\");\n"
            var js = "// release \(version)\n"
            for _ in 0..<(40 + Int(random.next() % 80)) {
                css +=
                    ".r\(random.next() % 5000) { margin: \(random.next() % 40)px; background: url(\"../img/i\(random.next() % 10).png\") }\n"
                js += "function f\(random.next() % 9000)(a) { return a * \(random.next() % 100) + \(version); }\n"
            }
            TestSupport.write(css, to: src.appendingPathComponent("css/c\(index).css"))
            TestSupport.write(js, to: src.appendingPathComponent("js/j\(index).js"))
        }
    }

    static func environment(_ moto: MotoServer, _ storage: String) -> [String: String] {
        [
            "PATH": "/usr/bin:/bin", "COLLECTSTATIC_STORAGE": storage, "AWS_ENDPOINT_URL_S3": moto.endpoint,
            "AWS_ACCESS_KEY_ID": moto.accessKey, "AWS_SECRET_ACCESS_KEY": moto.secretKey,
            // Quick brotli: the run's time goes to the bucket, where the kills are aimed.
            "COLLECTSTATIC_BROTLI_QUALITY": "4", "COLLECTSTATIC_ENCODINGS": "br,gzip,zstd",
            "COLLECTSTATIC_ZSTD_LEVEL": "3",
        ]
    }

    static let arguments = ["--noinput", "--dir", "src", "--static-root", "root"]

    static func start(_ dir: URL, _ environment: [String: String], stderr: FileHandle? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: releaseBinary)
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func manifestID(_ dir: URL) -> String? {
        (try? Data(contentsOf: dir.appendingPathComponent("root/staticfiles.json"))).map(SigV4Signer.sha256Hex)
    }

    @Test(.enabled(if: hasReleaseBinary, "needs the release build: swift build -c release --product collectstatic"))
    func sigkillAtRandomMomentsOfABucketPublishNeverLeavesAPointerToAMissingObject() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.releaseBinary), "no release binary")
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("crash")
        let dir = TestSupport.temporaryDirectory("s3-crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let environment = Self.environment(moto, "s3://\(bucket)/assets")

        // One full run, timed: the kills are spread over as long as a run takes.
        Self.writeTree(dir.appendingPathComponent("src"), version: 0)
        let started = Date()
        let full = TestSupport.run(Self.releaseBinary, Self.arguments, environment: environment, currentDirectory: dir)
        try #require(full.status == 0, "\(full.stderr)")
        let fullRun = Date().timeIntervalSince(started)
        var pointer = try moto.verify(bucket: bucket, prefix: "assets").pointer
        #expect(pointer == Self.manifestID(dir))

        var kills = 0
        var killedInTheBucketPhase = 0
        var originalsPending = 0
        var random = SystemRandomNumberGenerator()
        for round in 1...48 where kills < 24 {
            Self.writeTree(dir.appendingPathComponent("src"), version: round)
            let localBefore = Self.manifestID(dir)
            let process = try Self.start(dir, environment)
            Thread.sleep(forTimeInterval: Double.random(in: 0.02...(fullRun * 1.1), using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal {
                kills += 1
                if Self.manifestID(dir) != localBefore { killedInTheBucketPhase += 1 }
            }
            let local = Self.manifestID(dir)
            let verification = try moto.verify(bucket: bucket, prefix: "assets")
            // As it was, or the new release: and every hashed name whole either way.
            #expect(verification.pointer == pointer || verification.pointer == local, "round \(round)")
            #expect(verification.problems == [], "round \(round): \(verification.problems.prefix(5))")
            #expect(verification.checked > 150, "round \(round)")
            if verification.originalsPlaced {
                // The history says the pointer's originals are placed: every unhashed name is too.
                #expect(verification.originals == [], "round \(round): \(verification.originals.prefix(5))")
            } else {
                // Killed while placing them: the next run completes them.
                originalsPending += 1
                let next = TestSupport.run(
                    Self.releaseBinary, Self.arguments, environment: environment, currentDirectory: dir)
                #expect(next.status == 0, "\(next.stderr)")
                let completed = try moto.verify(bucket: bucket, prefix: "assets")
                #expect(
                    completed.whole && completed.originalsPlaced, "round \(round): \(completed.originals.prefix(5))")
            }
            pointer = try moto.verify(bucket: bucket, prefix: "assets").pointer
        }
        #expect(kills >= 20, "only \(kills) runs were killed before they finished (full run: \(fullRun) s)")
        #expect(killedInTheBucketPhase >= 8, "\(killedInTheBucketPhase) of \(kills) kills during the bucket phase")
        print(
            "[crash] \(kills) kills, \(killedInTheBucketPhase) in the bucket phase, \(originalsPending) while placing originals"
        )

        // A run to the end afterwards publishes the release whole.
        let last = TestSupport.run(Self.releaseBinary, Self.arguments, environment: environment, currentDirectory: dir)
        #expect(last.status == 0, "\(last.stderr)")
        let final = try moto.verify(bucket: bucket, prefix: "assets")
        #expect(final.pointer == Self.manifestID(dir) && final.whole && final.originalsPlaced)
    }

    /// A publish killed while uploading leaves its marker (`.collectstatic/partial/<release>.json`,
    /// written before the first upload): the next attempt at the same release lists the bucket and
    /// uploads only what the killed one had not, instead of everything again.
    @Test(.enabled(if: hasReleaseBinary, "needs the release build: swift build -c release --product collectstatic"))
    func aRerunAfterAKillDuringUploadsSendsOnlyWhatIsMissing() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.releaseBinary), "no release binary")
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("rerun")
        let dir = TestSupport.temporaryDirectory("s3-rerun")
        defer { try? FileManager.default.removeItem(at: dir) }
        let environment = Self.environment(moto, "s3://\(bucket)/r")
        Self.writeTree(dir.appendingPathComponent("src"), version: 0)
        func contentPuts(since start: Int) throws -> [String] {
            try moto.requests().dropFirst(start).filter {
                $0.method == "PUT" && !$0.copy && $0.uri.hasPrefix("/\(bucket)/r/")
                    && !$0.uri.contains("/.collectstatic/")
                    && !$0.uri.hasSuffix("/staticfiles.json")
            }.map(\.uri)
        }
        // One hashed upload held back 30 s; the run is killed once the others are in.
        let before = try moto.requests().count
        try moto.injectDelay(seconds: 30, count: 1, match: "/\(bucket)/r/img/i3.", method: "PUT")
        let process = try Self.start(dir, environment)
        var sent = 0
        var settled = 0
        let deadline = Date().addingTimeInterval(25)
        while Date() < deadline, settled < 5 {
            Thread.sleep(forTimeInterval: 0.2)
            let now = try contentPuts(since: before).count
            settled = now > 100 && now == sent ? settled + 1 : 0
            sent = now
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(process.terminationReason == .uncaughtSignal && sent > 100, "\(sent) uploads before the kill")
        #expect(try moto.verify(bucket: bucket, prefix: "r").pointer == nil)

        let rerunStart = try moto.requests().count
        let rerun = TestSupport.run(Self.releaseBinary, Self.arguments, environment: environment, currentDirectory: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let again = try contentPuts(since: rerunStart)
        #expect(again.count <= 3, "the re-run uploaded \(again.count) objects again: \(again.prefix(5))")
        #expect(again.contains { $0.contains("/r/img/i3.") })
        let verification = try moto.verify(bucket: bucket, prefix: "r")
        #expect(verification.pointer == Self.manifestID(dir) && verification.whole && verification.originalsPlaced)
        // The marker is gone with the run that published the release.
        let keys = try #require(try moto.peer("keys", bucket, "r/.collectstatic/partial/") as? [String])
        #expect(keys == [])
    }

    /// The one window where the pointer is new and an unhashed name may still hold the previous
    /// release's bytes: killed while copying the originals (one copy held back by the test server),
    /// the pointer is new with every hashed name whole, the history does not call the release
    /// complete, and the next run places the originals.
    @Test(.enabled(if: hasReleaseBinary, "needs the release build: swift build -c release --product collectstatic"))
    func killedWhilePlacingOriginalsTheNextRunCompletesThem() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.releaseBinary), "no release binary")
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("window")
        let dir = TestSupport.temporaryDirectory("s3-window")
        defer { try? FileManager.default.removeItem(at: dir) }
        let environment = Self.environment(moto, "s3://\(bucket)/w")
        Self.writeTree(dir.appendingPathComponent("src"), version: 0)
        try #require(
            TestSupport.run(Self.releaseBinary, Self.arguments, environment: environment, currentDirectory: dir).status
                == 0)
        let first = try moto.verify(bucket: bucket, prefix: "w")
        try #require(first.whole && first.originalsPlaced)

        Self.writeTree(dir.appendingPathComponent("src"), version: 1)
        try moto.injectDelay(seconds: 30, count: 1, match: "/\(bucket)/w/css/c7.css", method: "PUT")
        let process = try Self.start(dir, environment)
        let deadline = Date().addingTimeInterval(25)
        var moved = false
        while Date() < deadline, !moved {
            Thread.sleep(forTimeInterval: 0.2)
            moved = try moto.verify(bucket: bucket, prefix: "w").pointer != first.pointer
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(moved, "the pointer never moved")
        let killed = try moto.verify(bucket: bucket, prefix: "w")
        #expect(killed.pointer == Self.manifestID(dir) && killed.problems == [])
        #expect(!killed.originalsPlaced)
        #expect(killed.originals.contains { $0.hasPrefix("css/c7.css") }, "\(killed.originals.prefix(5))")

        let next = TestSupport.run(Self.releaseBinary, Self.arguments, environment: environment, currentDirectory: dir)
        #expect(next.status == 0, "\(next.stderr)")
        let completed = try moto.verify(bucket: bucket, prefix: "w")
        #expect(completed.pointer == killed.pointer && completed.whole && completed.originalsPlaced)
    }

    @Test(.enabled(if: hasReleaseBinary, "needs the release build: swift build -c release --product collectstatic"))
    func twoPublishersAtOnceOneWinsTheOtherExitsOneAndThePointerVerifies() throws {
        let moto = try MotoServer.get()
        let bucket = try moto.makeBucket("two")
        let dirs = (0..<2).map { TestSupport.temporaryDirectory("s3-two-\($0)") }
        defer { for dir in dirs { try? FileManager.default.removeItem(at: dir) } }
        var raced = 0
        for round in 0..<4 where raced == 0 {
            // Both collected first (no bucket), so that both publish runs spend their time on the bucket.
            for (index, dir) in dirs.enumerated() {
                Self.writeTree(dir.appendingPathComponent("src"), version: 1000 * round + index + 1)
                var local = Self.environment(moto, "")
                local["COLLECTSTATIC_STORAGE"] = nil
                try #require(
                    TestSupport.run(Self.releaseBinary, Self.arguments, environment: local, currentDirectory: dir)
                        .status
                        == 0)
            }
            let environment = Self.environment(moto, "s3://\(bucket)/two")
            let errors = dirs.map { _ in Pipe() }
            let processes = try zip(dirs, errors).map {
                try Self.start($0, environment, stderr: $1.fileHandleForWriting)
            }
            for process in processes { process.waitUntilExit() }
            let stderr = errors.map { pipe in
                try? pipe.fileHandleForWriting.close()
                return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            }
            let statuses = processes.map(\.terminationStatus)
            let verification = try moto.verify(bucket: bucket, prefix: "two")
            #expect(verification.whole && verification.originalsPlaced, "round \(round): \(verification.originals)")
            if statuses.sorted() == [0, 1] {
                raced += 1
                let winner = statuses[0] == 0 ? 0 : 1
                #expect(verification.pointer == Self.manifestID(dirs[winner]))
                #expect(
                    stderr[1 - winner]
                        == "collectstatic: error: another publisher changed 'two/staticfiles.json' in bucket '\(bucket)' during this publish; the pointer was left as that publisher wrote it (its objects are whole): re-run to publish this release\n",
                    "\(stderr)")
            } else {
                // They did not overlap: both published, one after the other.
                #expect(statuses == [0, 0], "\(statuses) \(stderr)")
                #expect(dirs.map(Self.manifestID).contains(verification.pointer))
            }
        }
        #expect(raced == 1, "the two publishers never overlapped")
    }
}
