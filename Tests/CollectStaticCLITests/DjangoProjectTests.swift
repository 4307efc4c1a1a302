import Foundation
import StaticAssets
import TestSupport
import Testing

/// `collectstatic --django` on a real Django project (made by `Tests/Django/make_project.py`:
/// `django-admin startproject`, django.contrib.admin, an app of ours with cross-referencing static
/// files, a prefixed STATICFILES_DIRS entry, WhiteNoise's middleware and
/// CompressedManifestStaticFilesStorage), compared with the project's own `manage.py collectstatic`
/// and then served by gunicorn + WhiteNoise from what we wrote.
@Suite(.serialized, .longRunner, .enabled(if: DjangoReference.enabled, Comment(rawValue: DjangoReference.skipComment)))
struct DjangoProjectTests {
    /// The project; made once per test process.
    static let shared: Result<URL, DjangoReference.Unavailable> = {
        do {
            return .success(try makeProject())
        } catch let error as DjangoReference.Unavailable {
            return .failure(error)
        } catch {
            return .failure(DjangoReference.Unavailable(description: "\(error)"))
        }
    }()

    static func makeProject() throws -> URL {
        let python = try DjangoReference.requirePython()
        let dir = TestSupport.temporaryDirectory("django-project")
        let made = TestSupport.run(
            python, [DjangoReference.helpers.appendingPathComponent("make_project.py").path, dir.path])
        guard made.status == 0 else {
            throw DjangoReference.Unavailable(description: "make_project.py failed: \(made.stderr)")
        }
        return dir
    }

    /// As in a Docker build with the project's virtualenv first in PATH: `python` is the project's.
    static func environment(_ extra: [String: String] = [:]) throws -> [String: String] {
        let bin = URL(fileURLWithPath: try DjangoReference.requirePython()).deletingLastPathComponent().path
        var environment = CLI.bareEnvironment
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return environment.merging(extra) { $1 }
    }

    func project() throws -> URL { try Self.shared.get() }

    // MARK: - Same result as manage.py collectstatic

    @Test func sameNamesAndManifestAsManagePyCollectstaticThenServedByGunicorn() throws {
        let python = try DjangoReference.requirePython()
        let project = try project()
        let django = project.appendingPathComponent("staticfiles-django")
        let ours = project.appendingPathComponent("staticfiles")
        try? FileManager.default.removeItem(at: django)
        try? FileManager.default.removeItem(at: ours)

        let manage = TestSupport.run(
            python, ["manage.py", "collectstatic", "--noinput", "-v", "0"], environment: try Self.environment(),
            currentDirectory: project)
        try #require(manage.status == 0, "manage.py collectstatic: \(manage.stderr)")
        try FileManager.default.moveItem(at: ours, to: django)
        #expect(DjangoReference.djangoVersion(python: python).hasPrefix("6.1."))

        let result = CLI.run(["--django", "--noinput"], in: project, environment: try Self.environment())
        try #require(result.status == 0, "collectstatic --django: \(result.stderr)")

        // Same file names (originals, hashed copies, .br/.gz variants) and the same manifest paths.
        let djangoFiles = TestSupport.files(in: django)
        let ourFiles = TestSupport.files(in: ours)
        #expect(djangoFiles == ourFiles)
        #expect(djangoFiles.count > 400, "admin + shop + vendor with variants: \(djangoFiles.count)")
        let theirs = try Manifest(contentsOf: django.appendingPathComponent("staticfiles.json"))
        let manifest = try Manifest(contentsOf: ours.appendingPathComponent("staticfiles.json"))
        #expect(theirs.paths == manifest.paths)
        #expect(theirs.hash == manifest.hash)
        // The first finder wins: the project's static/shop/css/base.css, not the app's.
        let base = try String(
            contentsOf: ours.appendingPathComponent(manifest.paths["shop/css/base.css"]!), encoding: .utf8)
        #expect(base.contains("the project's copy wins"))
        // The prefixed STATICFILES_DIRS entry and a reference across roots.
        let lib = try String(
            contentsOf: ours.appendingPathComponent(manifest.paths["vendor/lib.css"]!), encoding: .utf8)
        #expect(lib.contains((manifest.paths["shop/img/logo.svg"]! as NSString).lastPathComponent))
        for name in djangoFiles where !name.hasSuffix(".br") && !name.hasSuffix(".gz") && name != "staticfiles.json" {
            let a = try Data(contentsOf: django.appendingPathComponent(name))
            let b = try Data(contentsOf: ours.appendingPathComponent(name))
            #expect(a == b, "\(name) differs from Django's")
        }

        // gunicorn + WhiteNoise, DEBUG off, serving what we wrote.
        let server = try Gunicorn(project: project, python: python, environment: try Self.environment())
        defer { server.stop() }
        let page = try server.get("/")
        #expect(page.status == 200)
        let html = String(decoding: page.body, as: UTF8.self)
        for name in ["shop/css/app.css", "vendor/lib.css", "shop/js/app.js", "shop/img/logo.svg"] {
            #expect(html.contains("\"/static/\(manifest.paths[name]!)\""), "page lacks \(name)'s hashed URL:\n\(html)")
        }
        let baseCSS = manifest.paths["admin/css/base.css"]!
        let brotli = try server.get("/static/" + baseCSS, headers: ["Accept-Encoding: br"])
        #expect(brotli.status == 200)
        #expect(brotli.headers["content-encoding"] == "br")
        #expect(brotli.body == (try Data(contentsOf: ours.appendingPathComponent(baseCSS + ".br"))))
        let hashed = try server.get("/static/" + manifest.paths["shop/css/app.css"]!)
        #expect(hashed.body == (try Data(contentsOf: ours.appendingPathComponent(manifest.paths["shop/css/app.css"]!))))
    }

    // MARK: - Layering and -v 2

    @Test func ourSettingsWinOverDjangosAndVerbosityTwoSaysWhere() throws {
        let project = try project()
        let root = TestSupport.temporaryDirectory("django-root").appendingPathComponent("out")
        let result = CLI.run(
            ["--noinput", "--no-compress", "-v", "2"], in: project,
            environment: try Self.environment(["COLLECTSTATIC_DJANGO": "true", "STATIC_ROOT": root.path]))
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("STATIC_ROOT=\(root.path)  (environment)"))
        #expect(result.stderr.contains("STATIC_URL=/static/  (Django settings mysite.settings)"))
        #expect(result.stderr.contains("COLLECTSTATIC_COMPRESS=false  (flag --no-compress)"))
        #expect(result.stderr.contains("COLLECTSTATIC_DJANGO=true  (environment)"))
        #expect(result.stderr.contains("COLLECTSTATIC_ENCODINGS=br,gzip  (default)"))
        #expect(result.stderr.contains("django/contrib/admin/static  (app django.contrib.admin)"))
        #expect(result.stderr.contains("vendor=\(project.path)/vendor  (STATICFILES_DIRS)"))
        let manifest = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(manifest.paths["admin/css/base.css"] != nil)
        #expect(!TestSupport.files(in: root).contains { $0.hasSuffix(".br") })
    }

    @Test func djangoSettingsModuleFlag() throws {
        let project = try project()
        let root = TestSupport.temporaryDirectory("django-cdn").appendingPathComponent("out")
        let result = CLI.run(
            [
                "--noinput", "--no-compress", "--django-settings", "mysite.settings_cdn", "--static-root", root.path,
                "-v", "2",
            ],
            in: project, environment: try Self.environment())
        try #require(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.contains("STATIC_URL=https://cdn.example.com/static/  (Django settings mysite.settings_cdn)"))
        #expect(result.stderr.contains("STATIC_ROOT=\(root.path)  (flag --static-root)"))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("staticfiles.json").path))
    }

    @Test func djangosManifestStorageWithoutWhiteNoiseWritesNoVariants() throws {
        let project = try project()
        let root = TestSupport.temporaryDirectory("django-plain").appendingPathComponent("out")
        let result = CLI.run(
            ["--noinput", "--django-settings", "mysite.settings_plain", "--static-root", root.path], in: project,
            environment: try Self.environment())
        try #require(result.status == 0, "\(result.stderr)")
        let files = TestSupport.files(in: root)
        #expect(files.contains("staticfiles.json"))
        #expect(!files.contains { $0.hasSuffix(".br") || $0.hasSuffix(".gz") })
    }

    @Test func aStorageThatIsNoManifestStorageOnlyCopiesLikeDjango() throws {
        let python = try DjangoReference.requirePython()
        let project = try project()
        let work = TestSupport.temporaryDirectory("django-copy")
        let django = work.appendingPathComponent("django")
        let ours = work.appendingPathComponent("ours")
        try? FileManager.default.removeItem(at: project.appendingPathComponent("staticfiles"))
        let manage = TestSupport.run(
            python, ["manage.py", "collectstatic", "--noinput", "-v", "0"],
            environment: try Self.environment([
                "DJANGO_SETTINGS_MODULE": "mysite.settings_copy"
            ]), currentDirectory: project)
        try #require(manage.status == 0, "\(manage.stderr)")
        try FileManager.default.moveItem(at: project.appendingPathComponent("staticfiles"), to: django)
        let result = CLI.run(
            ["--noinput", "--django-settings", "mysite.settings_copy", "--static-root", ours.path], in: project,
            environment: try Self.environment())
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("StaticFilesStorage is not a manifest storage: copying only, as Django does"))
        #expect(TestSupport.files(in: ours) == TestSupport.files(in: django))
        #expect(!TestSupport.files(in: ours).contains("staticfiles.json"))
    }

    /// What the settings print while loading (a `print`, a Python warning) reaches stderr, as with
    /// `manage.py`, and never stdout.
    @Test func whatTheSettingsPrintPassesThroughToStderr() throws {
        let project = try project()
        let root = TestSupport.temporaryDirectory("django-noisy").appendingPathComponent("out")
        let result = CLI.run(
            ["--noinput", "--no-compress", "--django-settings", "mysite.settings_noisy", "--static-root", root.path],
            in: project, environment: try Self.environment())
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("hello from mysite.settings_noisy"), "\(result.stderr)")
        #expect(result.stderr.contains("UserWarning: a warning from mysite.settings_noisy"), "\(result.stderr)")
        #expect(!result.stdout.contains("hello from"))
    }

    /// `STATIC_ROOT = None` in the settings is no problem when our own STATIC_ROOT is set; and a
    /// storage that changes only what serving reads (`manifest_strict`) or what we need not follow
    /// (`max_post_process_passes`) is collected.
    @Test func ourStaticRootWinsOverNone() throws {
        let project = try project()
        let root = TestSupport.temporaryDirectory("django-lenient").appendingPathComponent("out")
        let result = CLI.run(
            ["--noinput", "--no-compress", "--django-settings", "mysite.settings_lenient"], in: project,
            environment: try Self.environment(["STATIC_ROOT": root.path]))
        try #require(result.status == 0, "\(result.stderr)")
        let manifest = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(manifest.paths["admin/css/base.css"] != nil)
    }

    @Test func staticRootNoneWithoutOursIsRefused() throws {
        let project = try project()
        let result = CLI.run(
            ["--noinput", "--django-settings", "mysite.settings_lenient"], in: project,
            environment: try Self.environment())
        #expect(result.status == 2)
        #expect(
            result.stderr.hasSuffix(
                "collectstatic: error: --django: STATIC_ROOT is not set in mysite.settings_lenient (Django's collectstatic refuses too); set it there or pass --static-root\n"
            ), "\(result.stderr)")
    }

    /// Django warns about a STATICFILES_DIRS folder that does not exist (staticfiles.W004) and
    /// collects the rest; so do we.
    @Test func missingStaticfilesDirIsAWarningLikeDjangos() throws {
        let python = try DjangoReference.requirePython()
        let project = try project()
        let work = TestSupport.temporaryDirectory("django-missing-dir")
        let django = TestSupport.run(
            python, ["manage.py", "collectstatic", "--noinput", "-v", "0"],
            environment: try Self.environment(["DJANGO_SETTINGS_MODULE": "mysite.settings_missing_dir"]),
            currentDirectory: project)
        try? FileManager.default.removeItem(at: project.appendingPathComponent("staticfiles"))
        #expect(django.status == 0, "\(django.stderr)")
        #expect(django.stderr.contains("staticfiles.W004"), "\(django.stderr)")
        #expect(django.stderr.contains("no-such-folder"))

        let ours = work.appendingPathComponent("ours")
        let result = CLI.run(
            ["--noinput", "--django-settings", "mysite.settings_missing_dir", "--static-root", ours.path], in: project,
            environment: try Self.environment())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "warning: source root \(project.path)/no-such-folder does not exist (STATICFILES_DIRS); collecting the others, as Django does (staticfiles.W004)"
            ), "\(result.stderr)")
        let manifest = try Manifest(contentsOf: ours.appendingPathComponent("staticfiles.json"))
        #expect(manifest.paths["vendor/lib.css"] != nil && manifest.paths["admin/css/base.css"] != nil)
    }

    // MARK: - Bad input: one clear message, exit 2, nothing written

    @Test func storageThatOverridesHashingIsRefused() throws {
        try expectRefused(
            ["--django-settings", "mysite.settings_hooks"], environment: try Self.environment(),
            "collectstatic: error: --django: STORAGES['staticfiles'] is shop.storage.ShortHashStorage, which overrides file_hash, patterns of Django's hashing"
        )
    }

    func expectRefused(
        _ arguments: [String], environment: [String: String], in directory: URL? = nil, _ message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let folder = try directory ?? project()
        let root = TestSupport.temporaryDirectory("django-bad").appendingPathComponent("out")
        let result = CLI.run(
            ["--noinput", "--static-root", root.path] + arguments, in: folder, environment: environment)
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(
            result.stderr.split(separator: "\n").count == 1, "one message: \(result.stderr)",
            sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: root.path), sourceLocation: sourceLocation)
    }

    @Test func settingsThatCannotBeImported() throws {
        try expectRefused(
            ["--django-settings", "mysite.settings_broken"], environment: try Self.environment(),
            "collectstatic: error: --django: cannot load the Django settings 'mysite.settings_broken': ModuleNotFoundError: No module named 'does_not_exist_module'"
        )
        try expectRefused(
            ["--django-settings", "mysite.no_such_settings"], environment: try Self.environment(),
            "No module named 'mysite.no_such_settings'")
    }

    @Test func missingPython() throws {
        try expectRefused(
            ["--django"], environment: try Self.environment(["COLLECTSTATIC_PYTHON": "/nonexistent/bin/python"]),
            "--django: no Python \"/nonexistent/bin/python\" found")
        try expectRefused(
            ["--django", "--python", "python-that-is-not-there"], environment: try Self.environment(),
            "--django: no Python \"python-that-is-not-there\" found")
    }

    @Test func pythonWithoutDjango() throws {
        // The venv's interpreter without its site-packages (-S): a Python that has no Django.
        let python = try DjangoReference.requirePython()
        let wrapper = TestSupport.temporaryDirectory("no-django").appendingPathComponent("python")
        TestSupport.write("#!/bin/sh\nexec \(python) -S \"$@\"\n", to: wrapper)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        try expectRefused(
            ["--django", "--python", wrapper.path], environment: try Self.environment(),
            "cannot import Django (No module named 'django')")
    }

    @Test func customFinderWithoutStorage() throws {
        try expectRefused(
            ["--django-settings", "mysite.settings_finder"], environment: try Self.environment(),
            "STATICFILES_FINDERS: shop.finders.NoStorageFinder exposes no file system storage")
    }

    @Test func noManagePy() throws {
        try expectRefused(
            ["--django"], environment: try Self.environment(), in: TestSupport.temporaryDirectory("no-manage"),
            "has no manage.py; run collectstatic --django in the folder that holds manage.py")
    }
}

/// gunicorn serving the project on 127.0.0.1 (a free port it picks), stopped by `stop()`.
final class Gunicorn {
    let process = Process()
    let log: URL
    let python: String
    var port = 0

    init(project: URL, python: String, environment: [String: String]) throws {
        self.python = python
        log = TestSupport.temporaryDirectory("gunicorn").appendingPathComponent("log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: python)
        // `python -m gunicorn`, with the signal mask cleared first: a process started from a test
        // thread inherits its blocked signals, and a gunicorn that never sees SIGTERM never stops.
        let start = """
            import runpy, signal, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            sys.argv = ["gunicorn"] + sys.argv[1:]
            runpy.run_module("gunicorn", run_name="__main__", alter_sys=True)
            """
        process.arguments = [
            "-c", start, "mysite.wsgi:application", "--bind", "127.0.0.1:0", "--workers", "1", "--no-control-socket",
        ]
        process.currentDirectoryURL = project
        process.environment = environment
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "Listening at: http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), text.contains("Booting worker") {
                    self.port = port
                    return
                }
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw DjangoReference.Unavailable(
            description: "gunicorn did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data
    }

    /// GET without content decoding (Tests/Django/http_get.py).
    func get(_ path: String, headers: [String] = []) throws -> Response {
        let body = log.deletingLastPathComponent().appendingPathComponent("body-\(UUID().uuidString)")
        let result = TestSupport.run(
            python,
            [
                DjangoReference.helpers.appendingPathComponent("http_get.py").path, "http://127.0.0.1:\(port)\(path)",
                body.path,
            ]
                + headers)
        struct Head: Decodable {
            var status: Int
            var headers: [String: String]
        }
        guard result.status == 0, let head = try? JSONDecoder().decode(Head.self, from: Data(result.stdout.utf8)) else {
            throw DjangoReference.Unavailable(description: "GET \(path) failed: \(result.stderr)")
        }
        return Response(status: head.status, headers: head.headers, body: try Data(contentsOf: body))
    }

    /// SIGTERM (gunicorn stops its worker and exits), SIGKILL after 10 seconds.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
