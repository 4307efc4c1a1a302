import Foundation
import StaticAssets
import TestSupport
import Testing

/// Settings of the wrong kind through the real binary: exit 2, one line naming the setting (and
/// where its value came from) and what it expects, and nothing written.
@Suite struct ConfigurationErrorTests {
    func expectRefused(
        _ arguments: [String], config: String? = nil, environment: [String: String] = [:], _ messages: String...,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let dir = CLI.project(["css/a.css": "a{}"])
        if let config { TestSupport.write(config, to: dir.appendingPathComponent("collectstatic.json")) }
        let result = CLI.run(
            arguments, in: dir, environment: CLI.bareEnvironment.merging(environment) { _, new in new })
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        for message in messages {
            #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(
            result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)",
            sourceLocation: sourceLocation)
        let written = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter {
            !["src", "collectstatic.json"].contains($0)
        }
        #expect(written == [], "nothing written", sourceLocation: sourceLocation)
    }

    @Test func configFileValuesOfTheWrongKind() {
        expectRefused(
            ["--noinput", "--dir", "src"], config: #"{"STATIC_ROOT": 7}"#,
            "collectstatic: error: STATIC_ROOT in ",
            "collectstatic.json: expected a string (a folder or file path), got the number 7")
        expectRefused(
            ["--noinput", "--static-root", "out"], config: #"{"STATICFILES_DIRS": 5}"#,
            "STATICFILES_DIRS in ", "expected a list of folder paths", "got the number 5")
    }

    @Test func emptyValuesAreMistakesNotDefaults() {
        expectRefused(
            ["--noinput", "--dir", "src"], environment: ["STATIC_ROOT": ""],
            "STATIC_ROOT (from environment): expected a folder path, got an empty value")
        expectRefused(
            ["--noinput", "--dir", "src", "--static-root", "out"], environment: ["COLLECTSTATIC_ENCODINGS": ""],
            "COLLECTSTATIC_ENCODINGS (from environment): expected one or more of br, zstd, gzip, got an empty list")
        expectRefused(
            ["--noinput", "--dir", "src", "--static-root", "out", "--encodings", ""],
            "COLLECTSTATIC_ENCODINGS (from flag --encodings): expected one or more of br, zstd, gzip")
    }

    @Test func manifestNamedLikeAFolderOfTheTree() {
        expectRefused(
            ["--noinput", "--dir", "src", "--static-root", "out"], environment: ["COLLECTSTATIC_MANIFEST": "css"],
            "COLLECTSTATIC_MANIFEST \"css\" is a folder of the tree")
    }

    @Test(arguments: [["clean"], ["rollback"], ["collect", "--noinput"], []])
    func negativeKeepIsOutOfRange(_ command: [String]) {
        expectRefused(
            command + ["--dir", "src", "--static-root", "out", "--keep", "-1"],
            "COLLECTSTATIC_KEEP (from flag --keep): expected a whole number from 0 to 1000, got \"-1\"")
    }

    @Test func negativeJobsAndLevelsAreOutOfRange() {
        expectRefused(
            ["--noinput", "--dir", "src", "--static-root", "out", "--jobs", "-2"],
            "COLLECTSTATIC_JOBS (from flag --jobs): expected a whole number from 0 to 1024, got \"-2\"")
        expectRefused(
            ["--noinput", "--dir", "src", "--static-root", "out", "--gzip-level", "-1"],
            "COLLECTSTATIC_GZIP_LEVEL (from flag --gzip-level): expected a whole number from 1 to 9")
    }

    /// `STATIC_URL = "static/"` (what `django-admin startproject` writes) means `/static/`, as in Django.
    @Test func relativeStaticURLRewritesRootRelativeReferences() throws {
        let dir = CLI.project([
            "css/app.css": ".a { background: url(/static/img/x.png); }\n", "img/x.png": "png",
        ])
        let result = CLI.run(
            ["--noinput", "--no-compress", "--dir", "src", "--static-root", "out", "--static-url", "static/"], in: dir)
        try #require(result.status == 0, "\(result.stderr)")
        let out = dir.appendingPathComponent("out")
        let manifest = try Manifest(contentsOf: out.appendingPathComponent("staticfiles.json"))
        let css = try String(contentsOf: out.appendingPathComponent(manifest.paths["css/app.css"]!), encoding: .utf8)
        #expect(css == ".a { background: url(\"/static/\(manifest.paths["img/x.png"]!)\"); }\n")
    }

    /// Django warns (`staticfiles.W004`) about a STATICFILES_DIRS folder that does not exist and
    /// collects the others; so do we.
    @Test func missingSourceRootIsAWarning() throws {
        let dir = CLI.project(["a.css": "a{}"])
        let result = CLI.run(
            ["--noinput", "--no-compress", "--dir", "src", "--dir", "gone", "--static-root", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "warning: source root \(dir.path)/gone does not exist (STATICFILES_DIRS); collecting the others"),
            "\(result.stderr)")
        let manifest = try Manifest(contentsOf: dir.appendingPathComponent("out/staticfiles.json"))
        #expect(manifest.paths.keys.sorted() == ["a.css"])
    }
}
