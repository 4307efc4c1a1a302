import Foundation
import StaticAssets
import TestSupport
import Testing

/// Runs Django's own collectstatic (ManifestStaticFilesStorage) and ours on the same Fixtures tree
/// and compares what they publish.
@Suite(.serialized) struct DjangoComparisonTests {
    struct Outputs {
        var django: URL
        var ours: URL
    }

    /// Collects `roots` (PATH or PREFIX=PATH, relative to Fixtures/) with both tools; nil when the
    /// Django reference is unavailable (the reason is printed).
    func collectWithBoth(_ roots: [String], jsModules: Bool = false) throws -> Outputs? {
        guard let python = DjangoReference.python else {
            print("SKIPPED Django comparison: \(DjangoReference.unavailableReason ?? "no Django")")
            return nil
        }
        let dir = TestSupport.temporaryDirectory("django")
        let absolute = roots.map { root -> String in
            let parts = root.split(separator: "=", maxSplits: 1).map(String.init)
            let path = TestSupport.fixtures.appendingPathComponent(parts.last!).path
            return parts.count == 2 ? "\(parts[0])=\(path)" : path
        }
        let django = dir.appendingPathComponent("django")
        let reference = DjangoReference.run(
            ["collect", "--static-root", django.path] + (jsModules ? ["--js-modules"] : []) + absolute, python: python)
        #expect(reference.status == 0, "Django failed: \(reference.stderr)")
        let ours = dir.appendingPathComponent("ours")
        let result = CLI.run(
            ["--noinput", "--no-compress", "--static-root", ours.path] + (jsModules ? ["--js-modules"] : [])
                + absolute.flatMap { ["--dir", $0] }, in: dir)
        #expect(result.status == 0, "collectstatic failed: \(result.stderr)")
        return Outputs(django: django, ours: ours)
    }

    /// Same files, byte for byte; same manifest paths and hash; our manifest's bytes start with Django's.
    func expectIdentical(_ outputs: Outputs, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let djangoFiles = TestSupport.files(in: outputs.django)
        let ourFiles = TestSupport.files(in: outputs.ours)
        #expect(djangoFiles == ourFiles, sourceLocation: sourceLocation)
        for file in djangoFiles where file != "staticfiles.json" && ourFiles.contains(file) {
            let a = try Data(contentsOf: outputs.django.appendingPathComponent(file))
            let b = try Data(contentsOf: outputs.ours.appendingPathComponent(file))
            #expect(
                a == b,
                "\(file) differs:\n--- django\n\(String(decoding: a, as: UTF8.self))\n--- ours\n\(String(decoding: b, as: UTF8.self))",
                sourceLocation: sourceLocation)
        }
        let djangoManifest = try Data(contentsOf: outputs.django.appendingPathComponent("staticfiles.json"))
        let ourManifest = try Data(contentsOf: outputs.ours.appendingPathComponent("staticfiles.json"))
        let theirs = try Manifest(data: djangoManifest)
        let mine = try Manifest(data: ourManifest)
        #expect(theirs.paths == mine.paths, sourceLocation: sourceLocation)
        #expect(theirs.hash == mine.hash, sourceLocation: sourceLocation)
        #expect(theirs.version == mine.version, sourceLocation: sourceLocation)
        // Django writes `{"paths": …, "version": "1.1", "hash": "…"}`; ours continues with `, "files": …}`.
        #expect(ourManifest.starts(with: djangoManifest.dropLast()), sourceLocation: sourceLocation)
        #expect(djangoManifest.last == UInt8(ascii: "}"), sourceLocation: sourceLocation)
    }

    @Test func plainTreeWithoutReferences() throws {
        guard let outputs = try collectWithBoth(["plain/root-a", "plain/root-b"]) else { return }
        try expectIdentical(outputs)
        // The ignored files are absent from both.
        #expect(
            !TestSupport.files(in: outputs.ours).contains {
                $0.contains("CVS") || $0.hasSuffix("~") || $0.contains(".hidden")
            })
    }

    @Test func djangoResolvesURLsFromOurManifest() throws {
        guard let python = DjangoReference.python, let outputs = try collectWithBoth(["plain/root-a"]) else { return }
        let manifest = try Manifest(contentsOf: outputs.ours.appendingPathComponent("staticfiles.json"))
        let names = manifest.paths.keys.sorted()
        let result = DjangoReference.run(["url", "--static-root", outputs.ours.path] + names, python: python)
        #expect(result.status == 0, "\(result.stderr)")
        let urls = result.stdout.split(separator: "\n").map(String.init)
        #expect(urls == names.map { "/static/" + manifest.paths[$0]! })
    }

    @Test func siteExampleWithReferencesAndModules() throws {
        guard let outputs = try collectWithBoth(["site/assets", "vendor=site/vendor"], jsModules: true) else { return }
        try expectIdentical(outputs)
    }
}
