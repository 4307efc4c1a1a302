import Foundation
import StaticAssets
import TestSupport
import Testing

/// Runs Django's own collectstatic (ManifestStaticFilesStorage) and ours on the same Fixtures tree
/// and compares what they publish. Needs the suite's Django venv (skipped with the reason outside
/// CI when it cannot be made; a failure in CI).
@Suite(.serialized, .longRunner, .enabled(if: DjangoReference.enabled, Comment(rawValue: DjangoReference.skipComment)))
struct DjangoComparisonTests {
    struct Outputs {
        var django: URL
        var ours: URL
    }

    /// Collects `roots` (PATH or PREFIX=PATH, relative to Fixtures/, or absolute) with both tools.
    func collectWithBoth(_ roots: [String], jsModules: Bool = false) throws -> Outputs {
        let python = try DjangoReference.requirePython()
        let dir = TestSupport.temporaryDirectory("django")
        let absolute = roots.map { root -> String in
            let parts = root.split(separator: "=", maxSplits: 1).map(String.init)
            let path =
                parts.last!.hasPrefix("/") ? parts.last! : TestSupport.fixtures.appendingPathComponent(parts.last!).path
            return parts.count == 2 ? "\(parts[0])=\(path)" : path
        }
        let django = dir.appendingPathComponent("django")
        let reference = DjangoReference.run(
            ["collect", "--static-root", django.path] + (jsModules ? ["--js-modules"] : []) + absolute, python: python)
        #expect(reference.status == 0, "Django failed: \(reference.stderr)")
        // The reference is the Django this suite is about.
        #expect(reference.stdout.contains(#"{"django": "6.1."#), "ran \(reference.stdout)")
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
        let outputs = try collectWithBoth(["plain/root-a", "plain/root-b"])
        try expectIdentical(outputs)
        // The ignored files are absent from both.
        #expect(
            !TestSupport.files(in: outputs.ours).contains {
                $0.contains("CVS") || $0.hasSuffix("~") || $0.contains(".hidden")
            })
    }

    @Test func djangoResolvesURLsFromOurManifest() throws {
        let python = try DjangoReference.requirePython()
        let outputs = try collectWithBoth(["plain/root-a"])
        let manifest = try Manifest(contentsOf: outputs.ours.appendingPathComponent("staticfiles.json"))
        let names = manifest.paths.keys.sorted()
        let result = DjangoReference.run(["url", "--static-root", outputs.ours.path] + names, python: python)
        #expect(result.status == 0, "\(result.stderr)")
        let urls = result.stdout.split(separator: "\n").map(String.init)
        #expect(urls == names.map { "/static/" + manifest.paths[$0]! })
    }

    @Test func siteExampleWithReferencesAndModules() throws {
        let outputs = try collectWithBoth(["site/assets", "vendor=site/vendor"], jsModules: true)
        try expectIdentical(outputs)
    }

    @Test(arguments: [false, true])
    func referencesTreeMatchesDjango(jsModules: Bool) throws {
        // Nested folders, ../ and /static/ references, query and fragment suffixes, data: URIs, every
        // quoting style, @import forms, CSS and JS source maps, ES module imports, a url() in a comment,
        // names with spaces and non-ASCII characters, and an image → CSS → CSS chain.
        let outputs = try collectWithBoth(["references"], jsModules: jsModules)
        try expectIdentical(outputs)
        let manifest = try Manifest(contentsOf: outputs.ours.appendingPathComponent("staticfiles.json"))
        let main = try String(
            contentsOf: outputs.ours.appendingPathComponent(manifest.paths["css/main.css"]!), encoding: .utf8)
        #expect(main.contains("@import url(\"\((manifest.paths["css/base.css"]! as NSString).lastPathComponent)\")"))
        #expect(main.contains("url(\"../img/not-there.png\")"))
    }

    /// A real package as a new user meets it: the static files of the sphinx-rtd-theme 3.1.0 wheel
    /// (Font Awesome's `url(…eot?674f…?#iefix)` among them), downloaded from PyPI at test time.
    @Test func sphinxRTDThemeWheelMatchesDjango() throws {
        let python = try DjangoReference.requirePython()
        let dest = TestSupport.temporaryDirectory("wheel")
        let helper = DjangoReference.helpers.appendingPathComponent("wheel_static.py").path
        let extract = TestSupport.run(
            python, [helper, "sphinx-rtd-theme==3.1.0", "sphinx_rtd_theme/static", dest.path])
        try #require(extract.status == 0, "pip download failed: \(extract.stderr)")
        let root = extract.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let outputs = try collectWithBoth([root])
        try expectIdentical(outputs)
        let manifest = try Manifest(contentsOf: outputs.ours.appendingPathComponent("staticfiles.json"))
        #expect(manifest.paths.count == 46)
        let theme = try String(
            contentsOf: outputs.ours.appendingPathComponent(manifest.paths["css/theme.css"]!), encoding: .utf8)
        #expect(theme.contains("?674f50d287a8c48dc19ba404d20fe713??#iefix"))
    }

    /// Django hashes a stylesheet referenced with a query from its unprocessed bytes and so names a
    /// file it never writes; we name the file we publish.
    @Test func differenceQueryOnARewrittenStylesheet() throws {
        let (result, out) = ours("query-on-stylesheet")
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try Manifest(contentsOf: out.appendingPathComponent("staticfiles.json"))
        let a = try String(contentsOf: out.appendingPathComponent(manifest.paths["css/a.css"]!), encoding: .utf8)
        let b = (manifest.paths["css/b.css"]! as NSString).lastPathComponent
        #expect(a.contains("@import url(\"\(b)?v=1\")"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("css/" + b).path))

        let python = try DjangoReference.requirePython()
        let django = TestSupport.temporaryDirectory("django-query").appendingPathComponent("out")
        let run = DjangoReference.run(
            [
                "collect", "--static-root", django.path,
                TestSupport.fixtures.appendingPathComponent("query-on-stylesheet").path,
            ],
            python: python)
        #expect(run.status == 0, "\(run.stderr)")
        let theirs = try Manifest(contentsOf: django.appendingPathComponent("staticfiles.json"))
        let theirA = try String(
            contentsOf: django.appendingPathComponent(theirs.paths["css/a.css"]!), encoding: .utf8)
        let named = theirA.split(separator: "\"")[1].split(separator: "?")[0]
        #expect(
            named != Substring(b),
            "Django now names the published file; drop this difference from docs/differences-from-django.md")
        #expect(!FileManager.default.fileExists(atPath: django.appendingPathComponent("css/\(named)").path))
    }

    /// A folder written without its trailing slash: left as written by both (Django quotes it), but
    /// Django turns `url(.)` into `url("css")`.
    @Test func differenceFolderReferencesWithoutSlash() throws {
        let (result, out) = ours("folder-references")
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try Manifest(contentsOf: out.appendingPathComponent("staticfiles.json"))
        let ours = try String(contentsOf: out.appendingPathComponent(manifest.paths["css/a.css"]!), encoding: .utf8)
        #expect(ours == ".x { background: url(../img); } .y { background: url(.); }\n")

        let python = try DjangoReference.requirePython()
        let django = TestSupport.temporaryDirectory("django-folders").appendingPathComponent("out")
        let run = DjangoReference.run(
            [
                "collect", "--static-root", django.path,
                TestSupport.fixtures.appendingPathComponent("folder-references").path,
            ], python: python)
        #expect(run.status == 0, "\(run.stderr)")
        let theirs = try Manifest(contentsOf: django.appendingPathComponent("staticfiles.json"))
        let theirA = try String(contentsOf: django.appendingPathComponent(theirs.paths["css/a.css"]!), encoding: .utf8)
        #expect(theirA == ".x { background: url(\"../img\"); } .y { background: url(\"css\"); }\n")
    }

    /// A file whose name holds a percent escape keeps it in its hashed name: `a%20b.txt` →
    /// `a%20b.HASH.txt`. Django unquotes the name first (`a b.HASH.txt`), so `test/%2F.txt` becomes
    /// the dot-file `test/.txt.HASH` and an escaped `%2F..%2F` could move a hashed copy to another
    /// folder. Both manifests map the same logical names, with the same hashes; Django's `static()`
    /// finds neither (it unquotes the name before looking it up).
    @Test func differencePercentEscapesInFileNamesAreKept() throws {
        let python = try DjangoReference.requirePython()
        let dir = TestSupport.temporaryDirectory("percent-names")
        let source = dir.appendingPathComponent("src")
        TestSupport.write("a b\n", to: source.appendingPathComponent("a%20b.txt"))
        TestSupport.write("slash\n", to: source.appendingPathComponent("test/%2F.txt"))
        let outputs = try collectWithBoth([source.path])
        let theirs = try Manifest(contentsOf: outputs.django.appendingPathComponent("staticfiles.json"))
        let ours = try Manifest(contentsOf: outputs.ours.appendingPathComponent("staticfiles.json"))
        #expect(theirs.paths.keys.sorted() == ["a%20b.txt", "test/%2F.txt"])
        #expect(ours.paths.keys.sorted() == theirs.paths.keys.sorted())
        let hash = { (name: String) in HashedName.candidates((name as NSString).lastPathComponent).first?.hash }
        for name in theirs.paths.keys { #expect(hash(theirs.paths[name]!) == hash(ours.paths[name]!)) }
        let ab = try #require(hash(ours.paths["a%20b.txt"]!))
        #expect(theirs.paths["a%20b.txt"] == "a b.\(ab).txt", "Django now keeps the escape: drop this difference")
        #expect(ours.paths["a%20b.txt"] == "a%20b.\(ab).txt")
        #expect(theirs.paths["test/%2F.txt"]!.hasPrefix("test/.txt."))
        #expect(ours.paths["test/%2F.txt"]!.hasPrefix("test/%2F."))
        for (_, name) in ours.paths {
            #expect(FileManager.default.fileExists(atPath: outputs.ours.appendingPathComponent(name).path))
        }
        // Django's static() cannot look these names up in either manifest (it unquotes the name before
        // the lookup), so the difference changes only the names on disk.
        for root in [outputs.django, outputs.ours] {
            let result = DjangoReference.run(["url", "--static-root", root.path, "a%20b.txt"], python: python)
            #expect(result.status != 0)
            #expect(result.stderr.contains("Missing staticfiles manifest entry for 'a b.txt'"), "\(result.stderr)")
        }
    }

    /// A STATICFILES_DIRS folder that does not exist is a warning for both; when none of them exists
    /// Django publishes an empty manifest, and we refuse (exit 2): that is a mistyped path or the
    /// wrong working directory, not a site without static files.
    @Test func differenceNoSourceRootExists() throws {
        let python = try DjangoReference.requirePython()
        let dir = TestSupport.temporaryDirectory("no-roots")
        let gone = dir.appendingPathComponent("gone").path
        let django = DjangoReference.run(
            ["collect", "--static-root", dir.appendingPathComponent("django").path, gone], python: python)
        #expect(django.status == 0, "\(django.stderr)")
        let theirs = try Manifest(contentsOf: dir.appendingPathComponent("django/staticfiles.json"))
        #expect(theirs.paths.isEmpty)
        let ours = CLI.run(["--noinput", "--dir", gone, "--static-root", "ours"], in: dir)
        #expect(ours.status == 2)
        #expect(
            ours.stderr
                == "collectstatic: error: source root \(gone) does not exist (STATICFILES_DIRS), and no other source root does\n"
        )
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("ours").path))
    }

    /// Runs Django alone on a fixture and returns its result (it is expected to fail there).
    func djangoAlone(_ fixture: String) throws -> TestSupport.ProcessResult {
        let python = try DjangoReference.requirePython()
        let out = TestSupport.temporaryDirectory("django-alone")
        return DjangoReference.run(
            ["collect", "--static-root", out.path, TestSupport.fixtures.appendingPathComponent(fixture).path],
            python: python)
    }

    func ours(_ fixture: String, _ flags: [String] = []) -> (TestSupport.ProcessResult, URL) {
        let dir = TestSupport.temporaryDirectory("ours")
        let out = dir.appendingPathComponent("out")
        let result = CLI.run(
            [
                "--noinput", "--no-compress", "--dir", TestSupport.fixtures.appendingPathComponent(fixture).path,
                "--static-root", out.path,
            ]
                + flags, in: dir)
        return (result, out)
    }

    @Test func differenceCyclesSucceedWhereDjangoGivesUp() throws {
        let (result, out) = ours("cycles")
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try Manifest(contentsOf: out.appendingPathComponent("staticfiles.json"))
        #expect(manifest.paths.count == 3)
        let django = try djangoAlone("cycles")
        #expect(django.status != 0)
        #expect(django.stderr.contains("Max post-process passes exceeded"))
    }

    @Test func differenceEveryMissingReferenceAtOnce() throws {
        let (result, out) = ours("missing")
        #expect(result.status == 1)
        #expect(result.stderr.contains("css/app.css:2:21: url(\"../img/nope.png\") → img/nope.png not found"))
        #expect(result.stderr.contains("css/app.css:4:26: url(missing-font.woff2) → css/missing-font.woff2 not found"))
        #expect(
            result.stderr.contains("css/app.css:5:1: /*# sourceMappingURL=app.css.map */ → css/app.css.map not found"))
        #expect(
            result.stderr.contains("js/other.js:2:1: //# sourceMappingURL=other.js.map → js/other.js.map not found"))
        #expect(result.stderr.contains("4 missing references; nothing was published"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let django = try djangoAlone("missing")
        // Django stops at the first one, after copying everything into STATIC_ROOT.
        #expect(django.status != 0)
        let named = ["nope.png", "missing-font.woff2", "app.css.map", "other.js.map"].filter {
            django.stderr.contains($0)
        }
        #expect(named.count == 1, "Django named \(named)")
    }

    @Test func differenceUppercaseSchemesAreExternal() throws {
        let (result, out) = ours("differences")
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try Manifest(contentsOf: out.appendingPathComponent("staticfiles.json"))
        let upper = try String(contentsOf: out.appendingPathComponent(manifest.paths["upper.css"]!), encoding: .utf8)
        #expect(upper.contains("url(HTTP://example.com/x.png)") && upper.contains("url(BLOB:abc)"))
        let django = try djangoAlone("differences")
        #expect(django.status != 0)
        // Django takes `HTTP://example.com/x.png` for a path and refuses it as outside STATIC_ROOT.
        #expect(django.stderr.contains("example.com/x.png"))
    }

    @Test func differenceMJSFilesAreRewritten() throws {
        let (result, out) = ours("differences", ["--js-modules"])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try Manifest(contentsOf: out.appendingPathComponent("staticfiles.json"))
        let module = try String(contentsOf: out.appendingPathComponent(manifest.paths["module.mjs"]!), encoding: .utf8)
        let helper = manifest.paths["helper.mjs"]!
        let map = manifest.paths["module.mjs.map"]!
        #expect(module.contains("from \"./\(helper)\""))
        #expect(module.contains("//# sourceMappingURL=\(map)"))
    }
}
