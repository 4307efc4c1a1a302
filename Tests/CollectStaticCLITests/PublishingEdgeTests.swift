import Foundation
import StaticAssets
import TestSupport
import Testing

/// Publishing at the edges, through the real binary.
@Suite struct PublishingEdgeTests {
    /// STATIC_ROOT's parent folder is read-only but the work folder beside STATIC_ROOT
    /// (`.out.collectstatic/`, left by an earlier run) is writable: the tree cannot be switched (the
    /// switch renames in the parent), so the run publishes in place, says so, and succeeds.
    @Test(.enabled(if: CLI.canDropPrivileges, "needs setpriv to run unprivileged"))
    func readOnlyParentWithAWritableWorkFolderPublishesInPlace() throws {
        let dir = CLI.project(["a.css": "a { background: url(b.png) }", "b.png": "png", "c.js": "c"])
        let first = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try Manifest(contentsOf: dir.appendingPathComponent("out/staticfiles.json"))
        TestSupport.write("a { color: red; background: url(b.png) }", to: dir.appendingPathComponent("src/a.css"))
        // Everything usable by the unprivileged user, the work folder included; then the parent
        // folder read-only.
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".out.collectstatic/lock").path))
        TestSupport.shell("chmod -R a+rwX '\(dir.path)' && chmod a-w '\(dir.path)'")
        defer { TestSupport.shell("chmod u+w '\(dir.path)'") }
        let result = try CLI.runUnprivileged(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("publishing in place (its parent folder"), "\(result.stderr)")
        #expect(!result.stderr.contains("cannot switch"), "\(result.stderr)")
        let root = dir.appendingPathComponent("out")
        #expect(PublishedTreeVerifier.problems(in: root) == [])
        let after = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(after.paths["a.css"] != before.paths["a.css"])
        #expect(try String(contentsOf: root.appendingPathComponent("a.css"), encoding: .utf8).contains("red"))
        // The previous release is kept, as after a switch.
        #expect(after.previousReleases.first?.paths == before.paths)
        for name in before.paths.values {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path), "\(name)")
        }
    }

    /// `out -> releases/42` (a Capistrano or Kubernetes layout): two runs of the binary write the
    /// releases into `releases/42`, and `out` stays the same link.
    @Test func symlinkedStaticRootStaysALink() throws {
        let dir = CLI.project(["a.css": "a { background: url(b.png) }", "b.png": "png"])
        let target = dir.appendingPathComponent("releases/42")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let link = dir.appendingPathComponent("out")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "releases/42")
        var manifests: [Manifest] = []
        for version in 1...2 {
            TestSupport.write(
                "a { color: #\(version)\(version)\(version); background: url(b.png) }",
                to: dir.appendingPathComponent("src/a.css"))
            let result = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "releases/42")
            #expect(PublishedTreeVerifier.problems(in: target) == [])
            manifests.append(try Manifest(contentsOf: target.appendingPathComponent("staticfiles.json")))
        }
        #expect(manifests[1].paths["a.css"] != manifests[0].paths["a.css"])
        #expect(manifests[1].previousReleases.first?.paths == manifests[0].paths)
    }

    /// A corrupt manifest is never silently taken for none: the run names it on stderr and says
    /// what it recovered; the previous release's hashed files stay listed.
    @Test func corruptManifestIsSaidOnStderrAndItsReleaseKept() throws {
        let dir = CLI.project(["a.css": "a { background: url(b.png) }", "b.png": "png"])
        let first = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let manifestURL = dir.appendingPathComponent("out/staticfiles.json")
        let before = try Manifest(contentsOf: manifestURL)
        let bytes = try Data(contentsOf: manifestURL)
        try bytes.prefix(bytes.count / 2).write(to: manifestURL)
        TestSupport.write("a { color: red; background: url(b.png) }", to: dir.appendingPathComponent("src/a.css"))
        let result = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: corrupt manifest '\(manifestURL.path)'"), "\(result.stderr)")
        #expect(result.stderr.contains("recovered the release it described"), "\(result.stderr)")
        let after = try Manifest(contentsOf: manifestURL)
        #expect(after.previousReleases.first?.paths == before.paths)
        for name in before.paths.values { #expect(after.files[name] != nil, "\(name)") }
        #expect(PublishedTreeVerifier.problems(in: dir.appendingPathComponent("out")) == [])
    }
}
