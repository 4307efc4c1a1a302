import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

@Suite struct ConfigurationLoaderTests {
    /// A working directory with `assets/` and `vendor/` source folders.
    func project(config: String? = nil, dotEnv: String? = nil) -> URL {
        let dir = TestSupport.temporaryDirectory("config")
        for folder in ["assets", "vendor", "other"] {
            try! FileManager.default.createDirectory(
                at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        if let config { TestSupport.write(config, to: dir.appendingPathComponent("collectstatic.json")) }
        if let dotEnv { TestSupport.write(dotEnv, to: dir.appendingPathComponent(".env")) }
        return dir
    }

    func load(_ dir: URL, env: [String: String] = [:], flags: [Setting: SettingValue] = [:])
        async throws(CollectStaticError)
        -> Configuration
    {
        try await ConfigurationLoader(flags: flags, environment: env, workingDirectory: dir.path).load()
    }

    @Test func defaults() async throws {
        let dir = project()
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("static"), withIntermediateDirectories: true)
        let configuration = try await load(dir)
        #expect(configuration.sourceRoots == [SourceRoot(path: dir.path + "/static")])
        #expect(configuration.staticRoot == dir.path + "/staticfiles")
        #expect(configuration.staticURL == "/static/")
        #expect(configuration.ignorePatterns == ["CVS", ".*", "*~"])
        #expect(configuration.manifestName == "staticfiles.json")
        #expect(configuration.verbosity == 1)
        #expect(configuration.jobs == ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func precedenceFileThenDotEnvThenEnvironmentThenFlags() async throws {
        let dir = project(
            config:
                #"{"STATIC_ROOT": "from-file", "STATIC_URL": "/file/", "COLLECTSTATIC_JOBS": 3, "STATICFILES_DIRS": ["assets", ["vendor", "vendor"]], "COLLECTSTATIC_VERBOSITY": 0}"#,
            dotEnv: "STATIC_URL=\"/dotenv/\"\nexport COLLECTSTATIC_JOBS=4 # comment\nCOLLECTSTATIC_MANIFEST='m.json'\n")
        var configuration = try await load(dir)
        #expect(configuration.staticRoot == dir.path + "/from-file")
        #expect(configuration.staticURL == "/dotenv/")
        #expect(configuration.jobs == 4)
        #expect(configuration.verbosity == 0)
        #expect(configuration.manifestName == "m.json")
        #expect(
            configuration.sourceRoots == [
                SourceRoot(path: dir.path + "/assets"), SourceRoot(prefix: "vendor", path: dir.path + "/vendor"),
            ])

        configuration = try await load(
            dir, env: ["STATIC_URL": "/env/", "COLLECTSTATIC_JOBS": "5", "STATICFILES_DIRS": "other, pre=assets"])
        #expect(configuration.staticURL == "/env/")
        #expect(configuration.jobs == 5)
        #expect(
            configuration.sourceRoots == [
                SourceRoot(path: dir.path + "/other"), SourceRoot(prefix: "pre", path: dir.path + "/assets"),
            ])

        configuration = try await load(
            dir, env: ["STATIC_URL": "/env/"],
            flags: [.staticURL: .string("/flag/"), .staticfilesDirs: .list(["vendor"])])
        #expect(configuration.staticURL == "/flag/")
        #expect(configuration.sourceRoots == [SourceRoot(path: dir.path + "/vendor")])
    }

    /// A stand-in for the project's Python: prints what `DjangoSettingsProgram` would print for a
    /// project with `assets/` (prefix `pre`) and `vendor/`, and records its arguments.
    func fakeDjangoPython(in dir: URL) throws -> String {
        let answer = """
            {"django": "6.1.3", "python": "/fake/python", "settingsModule": "shop.settings",
             "staticRoot": "\(dir.path)/django-root", "staticURL": "/django/",
             "roots": [{"prefix": "pre", "path": "\(dir.path)/assets", "origin": "STATICFILES_DIRS"},
                       {"prefix": "", "path": "\(dir.path)/vendor", "origin": "app shop"}],
             "ignorePatterns": ["CVS", ".*", "*~", "*.scss"],
             "storage": {"backend": "whitenoise.storage.CompressedManifestStaticFilesStorage", "manifest": true,
                         "manifestName": "django.json", "jsModules": true, "compressed": true,
                         "skipCompressExtensions": null}}
            """
        let script = dir.appendingPathComponent("bin/python")
        TestSupport.write(
            "#!/bin/sh\necho \"$PWD|$3\" > \"$(dirname \"$0\")/called\"\ncat <<'EOF'\n\(answer)\nEOF\n", to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script.path
    }

    @Test func djangoSettingsSitBetweenTheConfigFileAndTheDefaults() async throws {
        let dir = project(config: #"{"STATIC_URL": "/file/"}"#)
        let python = try fakeDjangoPython(in: dir)
        // Not asked without --django.
        var configuration = try await load(dir, env: ["COLLECTSTATIC_PYTHON": python, "STATICFILES_DIRS": "assets"])
        #expect(configuration.django == nil)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bin/called").path))

        configuration = try await load(dir, env: ["COLLECTSTATIC_PYTHON": python, "COLLECTSTATIC_DJANGO": "true"])
        #expect(
            try String(contentsOf: dir.appendingPathComponent("bin/called"), encoding: .utf8) == dir.path + "|\n")
        #expect(configuration.django?.settingsModule == "shop.settings")
        #expect(
            configuration.sourceRoots == [
                SourceRoot(prefix: "pre", path: dir.path + "/assets"), SourceRoot(path: dir.path + "/vendor"),
            ])
        #expect(configuration.staticRoot == dir.path + "/django-root")
        #expect(configuration.staticURL == "/file/")  // the config file wins over Django
        #expect(configuration.manifestName == "django.json")
        #expect(configuration.jsModules)
        #expect(configuration.compression != nil)
        // Django's staticfiles app config gives the default ignore patterns.
        #expect(Set(configuration.ignorePatterns) == ["CVS", ".*", "*~", "*.scss"])
        let sources = Dictionary(uniqueKeysWithValues: configuration.settingSources.map { ($0.setting, $0.source) })
        #expect(sources[.staticRoot] == "Django settings shop.settings")
        #expect(sources[.staticURL] == "config file \(dir.path)/collectstatic.json")
        #expect(sources[.django] == "environment")
        #expect(sources[.jobs] == "default")

        // .env, environment and flags win over Django too; --django-settings implies --django.
        TestSupport.write("COLLECTSTATIC_MANIFEST=dotenv.json\n", to: dir.appendingPathComponent(".env"))
        configuration = try await load(
            dir, env: ["COLLECTSTATIC_PYTHON": python, "STATIC_ROOT": "env-root"],
            flags: [.djangoSettings: .string("shop.other"), .jsModules: .string("false"), .ignore: .list(["*.less"])])
        #expect(
            try String(contentsOf: dir.appendingPathComponent("bin/called"), encoding: .utf8)
                == dir.path + "|shop.other\n")
        #expect(configuration.manifestName == "dotenv.json")
        #expect(configuration.staticRoot == dir.path + "/env-root")
        #expect(!configuration.jsModules)
        #expect(Set(configuration.ignorePatterns) == ["*.less", "CVS", ".*", "*~", "*.scss"])
        configuration = try await load(
            dir, env: ["COLLECTSTATIC_PYTHON": python],
            flags: [.django: .string("true"), .useDefaultIgnore: .string("false")])
        #expect(configuration.ignorePatterns.isEmpty)
        #expect(configuration.settingsReport.contains("  pre=\(dir.path)/assets  (STATICFILES_DIRS)"))
    }

    @Test func djangoProblemsAreConfigurationErrors() async throws {
        let dir = project()
        let script = dir.appendingPathComponent("python")
        TestSupport.write(
            "#!/bin/sh\necho '{\"problem\": \"settings\", \"message\": \"cannot load the Django settings x\"}'\n",
            to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        await #expect(throws: CollectStaticError.configuration("--django: cannot load the Django settings x")) {
            try await load(dir, env: ["COLLECTSTATIC_PYTHON": script.path, "COLLECTSTATIC_DJANGO": "1"])
        }
        // Django's STATIC_ROOT unset: refused, unless one of our sources names one.
        let answer = try String(contentsOfFile: try fakeDjangoPython(in: dir), encoding: .utf8)
            .replacingOccurrences(of: "\"staticRoot\": \"\(dir.path)/django-root\"", with: "\"staticRoot\": null")
        TestSupport.write(answer, to: script)
        await #expect(
            throws: CollectStaticError.configuration(
                "--django: STATIC_ROOT is not set in shop.settings (Django's collectstatic refuses too); set it there or pass --static-root"
            )
        ) {
            try await load(dir, env: ["COLLECTSTATIC_PYTHON": script.path, "COLLECTSTATIC_DJANGO": "1"])
        }
        let configuration = try await load(
            dir, env: ["COLLECTSTATIC_PYTHON": script.path, "COLLECTSTATIC_DJANGO": "1", "STATIC_ROOT": "mine"])
        #expect(configuration.staticRoot == dir.path + "/mine")

        TestSupport.write("#!/bin/sh\necho oops >&2\nexit 3\n", to: script)
        await #expect {
            try await load(dir, env: ["COLLECTSTATIC_PYTHON": script.path, "COLLECTSTATIC_DJANGO": "1"])
        } throws: { error in
            "\(error)".contains("did not answer with Django's settings (exit 3): oops")
        }
    }

    @Test func configFilePathsAreRelativeToTheFile() async throws {
        let dir = project()
        let nested = dir.appendingPathComponent("conf")
        TestSupport.write(
            #"{"STATICFILES_DIRS": ["../assets"], "STATIC_ROOT": "../out"}"#,
            to: nested.appendingPathComponent("c.json"))
        let configuration = try await load(dir, env: ["COLLECTSTATIC_CONFIG": "conf/c.json"])
        #expect(configuration.sourceRoots == [SourceRoot(path: dir.path + "/assets")])
        #expect(configuration.staticRoot == dir.path + "/out")
    }

    @Test func ignorePatternsAndDefaultIgnoreSwitch() async throws {
        let dir = project(config: #"{"STATICFILES_DIRS": ["assets"]}"#)
        var configuration = try await load(dir, flags: [.ignore: .list(["*.map", "docs/"])])
        #expect(configuration.ignorePatterns == ["*.map", "docs", "CVS", ".*", "*~"])
        configuration = try await load(
            dir, env: ["COLLECTSTATIC_DEFAULT_IGNORE": "false", "COLLECTSTATIC_IGNORE": "*.psd"])
        #expect(configuration.ignorePatterns == ["*.psd"])
    }

    @Test(arguments: [
        (#"{"STATICFILES_DIRS": ["assets"], "STATIC_ROOT": "assets/out"}"#, "inside source root"),
        (#"{"STATICFILES_DIRS": ["assets"], "STATIC_ROOT": "assets"}"#, "inside source root"),
        (#"{"STATICFILES_DIRS": ["vendor"], "STATIC_ROOT": "."}"#, "is inside STATIC_ROOT"),
        (#"{"STATICFILES_DIRS": ["missing"]}"#, "does not exist"),
        (#"{"STATICFILES_DIRS": ["assets"], "STATIC_URL": "/static"}"#, "must end with a slash"),
        (#"{"STATICFILES_DIRS": ["assets"], "STATIC_ROT": "x"}"#, "unknown setting \"STATIC_ROT\""),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_JOBS": "many"}"#, "COLLECTSTATIC_JOBS"),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_MISSING": "ignore"}"#, "expected error or warn"),
        (#"["not an object"]"#, "JSON object"),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_ZSTD_LEVEL": 23}"#, "COLLECTSTATIC_ZSTD_LEVEL"),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_ENCODINGS": "br,zstandard"}"#, "use br, zstd, gzip"),
        (#"{"STATICFILES_DIRS": ["../x=assets"]}"#, "does not exist"),
        (#"{"STATIC_ROOT": 7}"#, "STATIC_ROOT in"),
        (#"{"STATIC_ROOT": 7}"#, "expected a string (a folder or file path), got the number 7"),
        (#"{"STATICFILES_DIRS": 5}"#, "STATICFILES_DIRS in"),
        (#"{"STATICFILES_DIRS": 5}"#, "expected a list of folder paths"),
        (#"{"STATICFILES_DIRS": ["assets", 5]}"#, "got the number 5"),
        (#"{"STATICFILES_DIRS": ["assets"], "STATIC_URL": 5}"#, "STATIC_URL in"),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_JOBS": true}"#, "expected a whole number, got true"),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_JOBS": 2.5}"#, "expected a whole number"),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_COMPRESS": 1}"#, "expected true or false, got the number 1"),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_ENCODINGS": [1]}"#, "expected a list of strings"),
        (#"{"STATICFILES_DIRS": ["assets"], "COLLECTSTATIC_ENCODINGS": []}"#, "got an empty list"),
        (#"{"STATICFILES_DIRS": ["assets"], "STATIC_ROOT": ""}"#, "STATIC_ROOT (from config file"),
        (#"{"STATICFILES_DIRS": ["assets"], "STATIC_ROOT": ""}"#, "expected a folder path, got an empty value"),
    ])
    func invalidConfigurationIsRefused(_ config: String, _ message: String) async throws {
        let dir = project(config: config)
        await #expect {
            try await load(dir)
        } throws: { error in
            guard let error = error as? CollectStaticError, case .configuration(let text) = error else { return false }
            return error.exitCode == 2 && text.contains(message)
        }
    }

    @Test func emptyValuesFromTheEnvironmentAreRefusedNamingTheirSource() async throws {
        let dir = project()
        let cases: [([String: String], String)] = [
            (["STATIC_ROOT": ""], "STATIC_ROOT (from environment): expected a folder path, got an empty value"),
            (
                ["COLLECTSTATIC_ENCODINGS": ""],
                "COLLECTSTATIC_ENCODINGS (from environment): expected one or more of br, zstd, gzip, got an empty list"
            ),
            (["STATIC_URL": ""], "STATIC_URL must not be empty"),
            (["COLLECTSTATIC_KEEP": "-1"], "COLLECTSTATIC_KEEP (from environment): expected a whole number from 0 to"),
            (
                ["COLLECTSTATIC_PYTHON": "", "COLLECTSTATIC_DJANGO": "true"],
                "COLLECTSTATIC_PYTHON: expected the project's Python (a path, or a name looked up in PATH), got an empty value"
            ),
        ]
        for (env, message) in cases {
            await #expect {
                try await load(dir, env: env.merging(["STATICFILES_DIRS": "assets"]) { a, _ in a })
            } throws: { error in
                guard let error = error as? CollectStaticError, case .configuration(let text) = error else {
                    return false
                }
                return text.contains(message)
            }
        }
        // Turning the variants off is COLLECTSTATIC_COMPRESS's job; then the list is not read.
        let off = try await load(
            dir, env: ["STATICFILES_DIRS": "assets", "COLLECTSTATIC_ENCODINGS": "", "COLLECTSTATIC_COMPRESS": "false"])
        #expect(off.compression == nil)
    }

    @Test func configFileTakesJSONNumbersAndBooleansWhereTheSettingIsOne() async throws {
        let dir = project(
            config: #"""
                {"STATICFILES_DIRS": "assets", "COLLECTSTATIC_JOBS": 4, "COLLECTSTATIC_KEEP_AGE": 7200,
                 "COLLECTSTATIC_COMPRESS_MAX_RATIO": 0.9, "COLLECTSTATIC_COMPRESS": true, "COLLECTSTATIC_JS_MODULES": true,
                 "COLLECTSTATIC_LOCK_TIMEOUT": 30}
                """#)
        let configuration = try await load(dir)
        #expect(configuration.sourceRoots == [SourceRoot(path: dir.path + "/assets")])
        #expect(configuration.jobs == 4)
        #expect(configuration.retention.maximumAge == 7200)
        #expect(configuration.compression?.maximumRatio == 0.9)
        #expect(configuration.jsModules)
        #expect(configuration.lockTimeout == 30)
    }

    @Test func manifestNamedLikeAFolderOfTheTreeIsRefused() async throws {
        let dir = project()
        TestSupport.write("a{}", to: dir.appendingPathComponent("assets/css/a.css"))
        await #expect {
            try await load(dir, env: ["STATICFILES_DIRS": "vendor,assets", "COLLECTSTATIC_MANIFEST": "css"])
        } throws: { error in
            "\(error)".contains(
                "COLLECTSTATIC_MANIFEST \"css\" is a folder of the tree (\(dir.path)/assets/css); expected a file name")
        }
    }

    /// Django's `Settings._add_script_prefix`: `static/` (what `startproject` writes) is `/static/`.
    @Test(arguments: [
        ("static/", "/static/"), ("/static/", "/static/"), ("assets/v2/", "/assets/v2/"),
        ("https://cdn.example.com/s/", "https://cdn.example.com/s/"), ("//cdn.example.com/s/", "//cdn.example.com/s/"),
    ])
    func relativeStaticURLIsServedFromTheRoot(_ given: String, _ used: String) async throws {
        let dir = project()
        let configuration = try await load(dir, env: ["STATICFILES_DIRS": "assets", "STATIC_URL": given])
        #expect(configuration.staticURL == used)
    }

    @Test func missingSourceRootIsLeftOutWithAWarningUnlessNoneExists() async throws {
        let dir = project()
        let configuration = try await load(dir, env: ["STATICFILES_DIRS": "assets,nope,pre=gone,vendor"])
        #expect(
            configuration.sourceRoots == [
                SourceRoot(path: dir.path + "/assets"), SourceRoot(path: dir.path + "/vendor"),
            ])
        #expect(
            configuration.warnings == [
                "source root \(dir.path)/nope does not exist (STATICFILES_DIRS); collecting the others, as Django does (staticfiles.W004)",
                "source root \(dir.path)/gone does not exist (STATICFILES_DIRS); collecting the others, as Django does (staticfiles.W004)",
            ])
        await #expect(
            throws: CollectStaticError.configuration(
                "source root \(dir.path)/nope does not exist (STATICFILES_DIRS), and no other source root does")
        ) {
            try await load(dir, env: ["STATICFILES_DIRS": "nope,gone"])
        }
    }

    @Test func zstdIsSelectableWithItsLevel() async throws {
        let dir = project()
        let configuration = try await load(
            dir,
            env: [
                "STATICFILES_DIRS": "assets", "COLLECTSTATIC_ENCODINGS": "br,zstd,gzip",
                "COLLECTSTATIC_ZSTD_LEVEL": "12",
            ])
        #expect(configuration.compression?.orderedEncodings == [.brotli, .zstd, .gzip])
        #expect(configuration.compression?.zstdLevel == 12)
        #expect(try await load(dir, env: ["STATICFILES_DIRS": "assets"]).compression?.zstdLevel == 19)
    }

    @Test func sourceRootThatIsAFileIsRefused() async throws {
        let dir = project()
        TestSupport.write("x", to: dir.appendingPathComponent("file.css"))
        await #expect {
            try await load(dir, flags: [.staticfilesDirs: .list(["file.css"])])
        } throws: { error in
            "\(error)".contains("is not a directory")
        }
    }

    @Test func symlinkedStaticRootInsideSourceIsRefused() async throws {
        let dir = project()
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("alias").path,
            withDestinationPath: dir.appendingPathComponent("assets").path)
        await #expect(throws: CollectStaticError.self) {
            try await load(dir, flags: [.staticfilesDirs: .list(["assets"]), .staticRoot: .string("alias/out")])
        }
    }

    @Test func dotEnvParsing() {
        let values = DotEnvFile.parse(
            "# comment\nA=1\nexport B = two words \nC=\"quoted \\\"x\\\" \\n\"\nD='lit $X'\nE=val # trailing\n bad line\nF=\n"
        )
        #expect(values["A"] == "1")
        #expect(values["B"] == "two words")
        #expect(values["C"] == "quoted \"x\" \n")
        #expect(values["D"] == "lit $X")
        #expect(values["E"] == "val")
        #expect(values["F"] == "")
        #expect(values.count == 6)
    }

    @Test func everySettingIsDocumentedInTheSettingsReference() throws {
        let reference = try String(
            contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/reference/settings.md"), encoding: .utf8)
        for setting in Setting.all {
            #expect(reference.contains("`\(setting.name)`"), "docs/reference/settings.md lacks \(setting.name)")
            #expect(reference.contains("`\(setting.flag)"), "docs/reference/settings.md lacks \(setting.flag)")
        }
    }
}
