import ArgumentParser
import CollectStatic
import Foundation

/// The flags that override settings; every one maps to a `Setting` (and so to an environment variable).
struct SettingsOptions: ParsableArguments {
    @Option(
        name: .customLong("dir"),
        help: "Source root, repeatable, in search order: PATH or PREFIX=PATH (STATICFILES_DIRS).")
    var dirs: [String] = []

    @Option(name: .customLong("static-root"), help: "Destination folder (STATIC_ROOT).")
    var staticRoot: String?

    @Option(name: .customLong("static-url"), help: "URL prefix, ending in / (STATIC_URL).")
    var staticURL: String?

    @Option(name: [.short, .customLong("ignore")], help: "Ignore files or folders matching this glob; repeatable.")
    var ignore: [String] = []

    @Flag(name: .customLong("no-default-ignore"), help: "Don't ignore the default patterns CVS, .*, *~.")
    var noDefaultIgnore = false

    @Option(name: .customLong("manifest-name"), help: "Manifest file name (COLLECTSTATIC_MANIFEST).")
    var manifestName: String?

    @Option(name: [.short, .long], help: "0 silent, 1 summary, 2 every file, 3 debug.")
    var verbosity: Int?

    @Option(name: [.short, .long], help: "Parallel jobs; 0 = one per core (COLLECTSTATIC_JOBS).")
    var jobs: Int?

    @Option(name: .long, help: "JSON config file (COLLECTSTATIC_CONFIG).")
    var config: String?

    @Flag(
        name: .customLong("js-modules"), help: "Rewrite ES module import/export specifiers (COLLECTSTATIC_JS_MODULES).")
    var jsModules = false

    @Option(name: .long, help: "Missing referenced files: error or warn (COLLECTSTATIC_MISSING).")
    var missing: String?

    @Option(name: .customLong("missing-ignore"), help: "Referenced paths that may be absent, e.g. '*.map'; repeatable.")
    var missingIgnore: [String] = []

    @Option(
        name: .customLong("invalid-utf8"), help: "CSS/JS that is not UTF-8: error or copy (COLLECTSTATIC_INVALID_UTF8)."
    )
    var invalidUTF8: String?

    @Flag(name: .customLong("no-compress"), help: "Write no .br/.gz variants (COLLECTSTATIC_COMPRESS=false).")
    var noCompress = false

    @Option(name: .long, help: "Variants to write: br, gzip or br,gzip (COLLECTSTATIC_ENCODINGS).")
    var encodings: String?

    @Option(name: .customLong("gzip-level"), help: "zlib level 1-9 (COLLECTSTATIC_GZIP_LEVEL).")
    var gzipLevel: Int?

    @Option(name: .customLong("brotli-quality"), help: "Brotli quality 0-11 (COLLECTSTATIC_BROTLI_QUALITY).")
    var brotliQuality: Int?

    @Option(name: .customLong("brotli-window"), help: "Brotli window bits 10-24 (COLLECTSTATIC_BROTLI_WINDOW).")
    var brotliWindow: Int?

    @Option(
        name: .customLong("compress-skip"),
        help: "Extensions never compressed, comma-separated (COLLECTSTATIC_COMPRESS_SKIP).")
    var compressSkip: String?

    @Option(
        name: .customLong("compress-max-ratio"),
        help: "Keep a variant only if compressed/original <= this (COLLECTSTATIC_COMPRESS_MAX_RATIO).")
    var compressMaxRatio: String?

    @Option(
        name: .customLong("cache-dir"), help: "Reuse compressed variants from this folder (COLLECTSTATIC_CACHE_DIR).")
    var cacheDir: String?

    @Flag(
        name: .customLong("django"),
        help:
            "Ask the Django project in this folder (manage.py) for its static folders and settings (COLLECTSTATIC_DJANGO)."
    )
    var django = false

    @Option(
        name: .customLong("django-settings"),
        help: "Django settings module to ask; implies --django (COLLECTSTATIC_DJANGO_SETTINGS).")
    var djangoSettings: String?

    @Option(name: .customLong("python"), help: "The project's Python for --django (COLLECTSTATIC_PYTHON).")
    var python: String?

    /// The flags given, as setting values for `ConfigurationLoader`.
    var values: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [:]
        func set(_ setting: Setting, _ value: String?) {
            if let value { values[setting] = .string(value) }
        }
        if !dirs.isEmpty { values[.staticfilesDirs] = .list(dirs) }
        set(.staticRoot, staticRoot)
        set(.staticURL, staticURL)
        if !ignore.isEmpty { values[.ignore] = .list(ignore) }
        if noDefaultIgnore { set(.useDefaultIgnore, "false") }
        set(.manifestName, manifestName)
        set(.verbosity, verbosity.map(String.init))
        set(.jobs, jobs.map(String.init))
        set(.config, config)
        if jsModules { set(.jsModules, "true") }
        set(.missing, missing)
        if !missingIgnore.isEmpty { values[.missingIgnore] = .list(missingIgnore) }
        set(.invalidUTF8, invalidUTF8)
        if noCompress { set(.compress, "false") }
        if let encodings { values[.encodings] = .list(encodings.split(separator: ",").map(String.init)) }
        set(.gzipLevel, gzipLevel.map(String.init))
        set(.brotliQuality, brotliQuality.map(String.init))
        set(.brotliWindow, brotliWindow.map(String.init))
        if let compressSkip { values[.compressSkip] = .list(compressSkip.split(separator: ",").map(String.init)) }
        set(.compressMaxRatio, compressMaxRatio)
        set(.cacheDir, cacheDir)
        if django { set(.django, "true") }
        set(.djangoSettings, djangoSettings)
        set(.python, python)
        return values
    }

    func loadConfiguration() async throws(CollectStaticError) -> Configuration {
        let configuration = try await ConfigurationLoader(flags: values).load()
        if configuration.verbosity >= 2 {
            FileHandle.standardError.write(Data(configuration.settingsReport.map { $0 + "\n" }.joined().utf8))
        }
        return configuration
    }
}
