import Foundation
import StaticAssets
import TestSupport
import Testing

/// Bad input through the real binary: each gives a clear message and a non-zero exit, and the
/// previous manifest with every file it names stays valid.
@Suite struct FailureTests {
    /// Asserts the manifest in `root` is the given one and every file it names is intact.
    /// Asserts the manifest in `root` is the given one and every name it lists (originals as well
    /// as hashed copies, and their variants) holds the bytes it vouches for.
    func expectIntact(_ root: URL, _ manifest: Manifest, sourceLocation: SourceLocation = #_sourceLocation) {
        let current = try? Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(current == manifest, sourceLocation: sourceLocation)
        #expect(PublishedTreeVerifier.problems(in: root) == [], sourceLocation: sourceLocation)
    }

    func collected(_ files: [String: String]) -> (URL, Manifest) {
        let dir = CLI.project(files)
        let result = CLI.run(["--noinput", "--dir", "src", "--static-root", "out", "--no-compress"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        return (dir, try! Manifest(contentsOf: dir.appendingPathComponent("out/staticfiles.json")))
    }

    /// Runs as an unprivileged user, where permissions apply even when the tests run as root.
    /// Makes the project usable by the unprivileged user; call before taking permissions away.
    func shareWithUnprivilegedUser(_ dir: URL) {
        TestSupport.shell("chmod -R a+rwX '\(dir.path)' && chmod a+rx '\(dir.path)'")
    }

    @Test(.enabled(if: CLI.canDropPrivileges, "needs setpriv to run unprivileged"))
    func unreadableSourceFile() throws {
        let (dir, manifest) = collected(["a.css": "a", "b.css": "b"])
        TestSupport.write("changed", to: dir.appendingPathComponent("src/a.css"))
        shareWithUnprivilegedUser(dir)
        chmod(dir.appendingPathComponent("src/b.css").path, 0o000)
        let result = try CLI.runUnprivileged(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("b.css") && result.stderr.contains("Permission denied"), "\(result.stderr)")
        expectIntact(dir.appendingPathComponent("out"), manifest)
    }

    @Test(.enabled(if: CLI.canDropPrivileges, "needs setpriv to run unprivileged"))
    func destinationNotWritable() throws {
        let (dir, manifest) = collected(["a.css": "a"])
        TestSupport.write("changed", to: dir.appendingPathComponent("src/a.css"))
        shareWithUnprivilegedUser(dir)
        TestSupport.shell("chmod -R a-w '\(dir.path)/out'")
        defer { TestSupport.shell("chmod -R u+w '\(dir.path)/out'") }
        let result = try CLI.runUnprivileged(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("cannot write") && result.stderr.contains("Permission denied"), "\(result.stderr)")
        expectIntact(dir.appendingPathComponent("out"), manifest)
    }

    @Test(.enabled(if: CLI.canDropPrivileges, "needs setpriv to run unprivileged"))
    func readOnlyParentFallsBackToPublishingInPlaceAndSaysSo() throws {
        let (dir, _) = collected(["a.css": "a", "b.js": "b"])
        TestSupport.write("changed", to: dir.appendingPathComponent("src/a.css"))
        shareWithUnprivilegedUser(dir)
        // STATIC_ROOT is writable, its parent is not (and no work folder can be made beside it).
        TestSupport.shell("rm -rf '\(dir.path)/.out.collectstatic' && chmod a-w '\(dir.path)'")
        defer { TestSupport.shell("chmod u+w '\(dir.path)'") }
        let result = try CLI.runUnprivileged(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("publishing in place (its parent folder"), "\(result.stderr)")
        #expect(PublishedTreeVerifier.problems(in: dir.appendingPathComponent("out")) == [])
        let published = try String(contentsOf: dir.appendingPathComponent("out/a.css"), encoding: .utf8)
        #expect(published == "changed")
    }

    @Test func sourceRootThatIsAFile() {
        let dir = CLI.project(["a.css": "a"])
        let result = CLI.run(["--noinput", "--dir", "src/a.css", "--static-root", "out"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not a directory"))
    }

    @Test func symlinkLoop() throws {
        let (dir, manifest) = collected(["d/a.css": "a"])
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("src/d/again").path,
            withDestinationPath: dir.appendingPathComponent("src").path)
        let result = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("symlink loop"), "\(result.stderr)")
        expectIntact(dir.appendingPathComponent("out"), manifest)
    }

    @Test func emptySourceTreeSucceeds() throws {
        let dir = CLI.project([:])
        let result = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("0 static files copied"))
        #expect(try Manifest(contentsOf: dir.appendingPathComponent("out/staticfiles.json")).paths.isEmpty)
    }

    /// Text that brotli at quality 11 compresses slowly (about 0.5 MB/s): pseudo-random CSS rules.
    static func slowToCompress(seed: UInt64, rules: Int) -> String {
        var state = seed
        var text = ""
        for _ in 0..<rules {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            text += ".r\(String(state >> 40, radix: 36)) { color: #\(String(state >> 8 & 0xFFFFFF, radix: 16)); }\n"
        }
        return text
    }

    @Test func killedRunLeavesPreviousManifestValid() throws {
        var files: [String: String] = [:]
        for index in 0..<6 { files["big\(index).css"] = Self.slowToCompress(seed: UInt64(index), rules: 200) }
        let (dir, manifest) = collected(files)
        for index in 0..<6 {
            TestSupport.write(
                Self.slowToCompress(seed: UInt64(100 + index), rules: 12_000),
                to: dir.appendingPathComponent("src/big\(index).css"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["--noinput", "--dir", "src", "--static-root", "out", "-j", "1"]
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once it has started writing the new tree (beside STATIC_ROOT, never into it).
        let out = dir.appendingPathComponent("out")
        let work = dir.appendingPathComponent(".out.collectstatic")
        // Poll on this thread (not Task.sleep): other tests may occupy the cooperative pool.
        for _ in 0..<1000 where !TestSupport.files(in: work).contains(where: { $0.hasPrefix("new-") }) {
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be interrupted")
        expectIntact(out, manifest)
        #expect(PublishedTreeVerifier.problems(in: out) == [])
        // The next run removes the killed run's partial tree.
        #expect(CLI.run(["--noinput", "--dir", "src", "--static-root", "out", "--no-compress"], in: dir).status == 0)
        #expect(!TestSupport.files(in: work).contains { $0.hasPrefix("new-") })
    }

    @Test func namesWithSpacesUnicodeAndPercentThroughTheCLI() throws {
        let dir = CLI.project(["a b/c d.css": "x", "ü/ñ.txt": "y", "p/50%.txt": "z"])
        let result = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try Manifest(contentsOf: dir.appendingPathComponent("out/staticfiles.json"))
        #expect(Set(manifest.paths.keys) == ["a b/c d.css", "ü/ñ.txt", "p/50%.txt"])
    }
}
