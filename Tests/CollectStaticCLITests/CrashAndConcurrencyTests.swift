import Foundation
import StaticAssets
import TestSupport
import Testing

/// The promise "never a half-published STATIC_ROOT", tested on the real binary: SIGKILL at many
/// random moments of real-size runs, and several runs at once on one STATIC_ROOT.
@Suite(.serialized, .longRunner) struct CrashAndConcurrencyTests {
    /// The release binary (`swift build -c release --product collectstatic`; `.ci/run` builds it).
    static let releaseBinary = TestSupport.packageRoot.appendingPathComponent(".build/release/collectstatic").path
    static let hasReleaseBinary = Requirement.isCI || FileManager.default.isExecutableFile(atPath: releaseBinary)

    /// A tree of real size (about 3.5 MB: 120 stylesheets, 120 scripts, 60 images, referencing each
    /// other) whose every CSS/JS file differs between `version`s.
    static func writeTree(_ src: URL, version: Int) {
        var random = SeededRandom(seed: 42)
        func text(_ count: Int, _ make: (inout SeededRandom) -> String) -> String {
            var out = ""
            while out.utf8.count < count { out += make(&random) }
            return out
        }
        for index in 0..<60 {
            var bytes = [UInt8](repeating: 0, count: 4_000 + Int(random.next() % 16_000))
            for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: random.next()) }
            TestSupport.write(Data(bytes), to: src.appendingPathComponent("img/i\(index).png"))
        }
        for index in 0..<120 {
            let size = 8_000 + Int(random.next() % 22_000)
            let css =
                "/* release \(version) */\n@import url(\"c\((index + 1) % 120).css\");\n"
                + text(size) { r in
                    ".r\(r.next() % 5000) { margin: \(r.next() % 40)px; background: url(\"../img/i\(r.next() % 60).png\") }\n"
                }
            TestSupport.write(css, to: src.appendingPathComponent("css/c\(index).css"))
            let js =
                "// release \(version)\n"
                + text(size) { r in "function f\(r.next() % 9000)(a) { return a * \(r.next() % 100) + \(version); }\n" }
            TestSupport.write(js, to: src.appendingPathComponent("js/j\(index).js"))
        }
    }

    static func start(_ binary: String, _ arguments: [String], in dir: URL, stderr: FileHandle? = nil) throws -> Process
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func manifestBytes(_ root: URL) -> Data? {
        try? Data(contentsOf: root.appendingPathComponent("staticfiles.json"))
    }

    @Test(.enabled(if: hasReleaseBinary, "needs the release build: swift build -c release --product collectstatic"))
    func sigkillAtThirtyRandomMomentsNeverBreaksThePublishedTree() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.releaseBinary), "no release binary")
        let dir = TestSupport.temporaryDirectory("crash")
        let src = dir.appendingPathComponent("src")
        let out = dir.appendingPathComponent("out")
        let arguments = ["--noinput", "--dir", "src", "--static-root", "out", "-v", "0"]
        // Both releases, collected once to completion: their manifests are the two valid states.
        Self.writeTree(src, version: 1)
        let started = Date()
        #expect(TestSupport.run(Self.releaseBinary, arguments, currentDirectory: dir).status == 0)
        let fullRun = Date().timeIntervalSince(started)
        #expect(PublishedTreeVerifier.problems(in: out) == [])
        let paths1 = try Manifest(contentsOf: out.appendingPathComponent("staticfiles.json")).paths

        var random = SeededRandom(seed: 7)
        var kills = 0
        var version = 1
        var target = 1
        // Until 32 runs were killed mid-way (a run that finished first does not count).
        for round in 0..<64 where kills < 32 {
            // Every round has work to do: after some kills a revert (back to release 1), after others
            // a forward run to a release never seen before.
            if version != 1 && random.next() % 3 == 0 {
                target = 1
            } else if target == version || target == 1 {
                target = 100 + round
            }
            Self.writeTree(src, version: target)
            let before = Self.manifestBytes(out)
            let process = try Self.start(Self.releaseBinary, arguments, in: dir)
            if round % 9 == 8 {
                // Into the switch itself: as soon as the new tree holds its manifest.
                let work = dir.appendingPathComponent(".out.collectstatic")
                for _ in 0..<20_000 {
                    let staged = ((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? [])
                        .filter { $0.hasPrefix("new-") }
                    if staged.contains(where: {
                        FileManager.default.fileExists(
                            atPath: work.appendingPathComponent($0 + "/staticfiles.json").path)
                    }) || !process.isRunning {
                        break
                    }
                    usleep(200)
                }
            } else {
                usleep(useconds_t(Double(random.next() % 1000) / 1000 * 0.8 * fullRun * 1_000_000))
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { kills += 1 }
            let problems = PublishedTreeVerifier.problems(in: out)
            #expect(problems == [], "round \(round): \(problems.prefix(5))")
            // Whole: the old release exactly as it was, or the whole new one.
            let after = Self.manifestBytes(out)
            let published = after == before ? version : target
            let manifest = try Manifest(contentsOf: out.appendingPathComponent("staticfiles.json"))
            let css = try String(contentsOf: out.appendingPathComponent("css/c0.css"), encoding: .utf8)
            #expect(css.hasPrefix("/* release \(published) */"), "round \(round)")
            #expect(published != 1 || manifest.paths == paths1, "round \(round)")
            version = published
            if round % 4 == 3 {
                // Some runs complete: the tree is then exactly the target release.
                #expect(TestSupport.run(Self.releaseBinary, arguments, currentDirectory: dir).status == 0)
                version = target
                #expect(PublishedTreeVerifier.problems(in: out) == [])
                let css = try String(contentsOf: out.appendingPathComponent("css/c0.css"), encoding: .utf8)
                #expect(css.hasPrefix("/* release \(target) */"))
                let work = dir.appendingPathComponent(".out.collectstatic")
                let left = (try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []
                #expect(left.allSatisfy { $0 == "lock" || $0.hasPrefix("old-") }, "leftovers: \(left)")
            }
        }
        #expect(kills >= 30, "only \(kills) runs were killed before they finished (full run: \(fullRun) s)")
    }

    @Test func twoAndThreeRunsAtOnceTakeTurns() throws {
        let dir = TestSupport.temporaryDirectory("concurrent")
        let src = dir.appendingPathComponent("src")
        Self.writeTree(src, version: 1)
        for count in [2, 3] {
            let arguments = [
                "--noinput", "--clear", "--dir", "src", "--static-root", "out\(count)", "--brotli-quality", "5",
            ]
            var processes: [(Process, URL)] = []
            for index in 0..<count {
                let log = dir.appendingPathComponent("run\(count)-\(index).log")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                let handle = try FileHandle(forWritingTo: log)
                processes.append((try Self.start(CLI.binary, arguments, in: dir, stderr: handle), log))
            }
            for (process, _) in processes { process.waitUntilExit() }
            for (process, log) in processes {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                #expect(process.terminationStatus == 0, "\(text)")
            }
            let waited = processes.filter {
                ((try? String(contentsOf: $0.1, encoding: .utf8)) ?? "").contains("Waiting for the run with PID")
            }
            #expect(waited.count >= 1, "no run waited for another")
            #expect(PublishedTreeVerifier.problems(in: dir.appendingPathComponent("out\(count)")) == [])
        }
    }

    @Test func aRunThatCannotGetTheLockGivesUpAndPublishesNothing() throws {
        let dir = TestSupport.temporaryDirectory("locked")
        let src = dir.appendingPathComponent("src")
        Self.writeTree(src, version: 1)
        let arguments = ["--noinput", "--dir", "src", "--static-root", "out"]
        #expect(CLI.run(arguments + ["--no-compress"], in: dir).status == 0)
        let before = Self.manifestBytes(dir.appendingPathComponent("out"))
        Self.writeTree(src, version: 2)
        let holder = try Self.start(CLI.binary, arguments, in: dir)
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        // Wait until the first run holds the lock (its PID is in the lock file).
        let lockFile = dir.appendingPathComponent(".out.collectstatic/lock")
        for _ in 0..<2000 {
            if (try? String(contentsOf: lockFile, encoding: .utf8))?.hasPrefix("\(holder.processIdentifier)") == true {
                break
            }
            usleep(5_000)
        }
        let second = CLI.run(arguments + ["--lock-timeout", "1"], in: dir)
        #expect(second.status == 1)
        #expect(second.stderr.contains("Waiting for the run with PID \(holder.processIdentifier)"), "\(second.stderr)")
        #expect(second.stderr.contains("gave up after waiting 1 s for the run with PID \(holder.processIdentifier)"))
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(Self.manifestBytes(dir.appendingPathComponent("out")) == before)
        // A lock left by a killed run never blocks.
        let third = CLI.run(arguments + ["--lock-timeout", "0"], in: dir)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(PublishedTreeVerifier.problems(in: dir.appendingPathComponent("out")) == [])
    }
}
