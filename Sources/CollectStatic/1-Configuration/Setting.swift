import Configuration

/// One configurable setting: its environment variable (also its key in the JSON config file and in
/// `.env`), its command-line flag, its default and what it means. `Setting.all` is the single list
/// the loader and the validation of config files are built from; the table of
/// docs/reference/settings.md is checked against it.
package struct Setting: Sendable, Hashable {
    package enum Kind: Sendable, Hashable {
        case string, path, list, pathList, integer, boolean
    }

    /// Where the flag is listed in `--help`: Django's own collectstatic options, the general settings,
    /// the compression settings, or the kept releases (`findstatic` takes neither of the last two).
    package enum Group: Sendable, Hashable, CaseIterable {
        case django, general, compression, releases
    }

    /// Environment variable name, e.g. `STATIC_ROOT`.
    package let name: String
    package let kind: Kind
    /// Command-line flag that sets it, e.g. `--static-root`.
    package let flag: String
    /// Single-letter flag Django also has, e.g. `v` for `-v`.
    package let shortFlag: Character?
    /// Default as a user would write it.
    package let defaultValue: String
    package let help: String
    package let group: Group

    package init(
        name: String, kind: Kind, flag: String, shortFlag: Character? = nil, defaultValue: String, help: String,
        group: Group = .general
    ) {
        self.name = name
        self.kind = kind
        self.flag = flag
        self.shortFlag = shortFlag
        self.defaultValue = defaultValue
        self.help = help
        self.group = group
    }

    /// swift-configuration key; its environment encoding (`static.root` → `STATIC_ROOT`) is `name`.
    var key: ConfigKey { ConfigKey(name.lowercased().split(separator: "_").map(String.init)) }

    package static func named(_ name: String) -> Setting? { all.first { $0.name == name } }
}

extension Setting {
    package static let staticfilesDirs = Setting(
        name: "STATICFILES_DIRS", kind: .pathList, flag: "--dir", defaultValue: "static",
        help: "Source roots, searched in order (first match wins); each PATH or PREFIX=PATH.")
    package static let staticRoot = Setting(
        name: "STATIC_ROOT", kind: .path, flag: "--static-root", defaultValue: "staticfiles",
        help: "Destination folder the collected files and the manifest are written to.")
    package static let staticURL = Setting(
        name: "STATIC_URL", kind: .string, flag: "--static-url", defaultValue: "/static/",
        help: "URL prefix the files are served under; must end with '/'.")
    package static let ignore = Setting(
        name: "COLLECTSTATIC_IGNORE", kind: .list, flag: "--ignore", shortFlag: "i", defaultValue: "",
        help: "Ignore files or folders matching this glob-style pattern; repeatable.", group: .django)
    package static let useDefaultIgnore = Setting(
        name: "COLLECTSTATIC_DEFAULT_IGNORE", kind: .boolean, flag: "--no-default-ignore",
        defaultValue: "true", help: "Also ignore Django's default patterns CVS, .*, *~.", group: .django)
    package static let manifestName = Setting(
        name: "COLLECTSTATIC_MANIFEST", kind: .string, flag: "--manifest-name",
        defaultValue: "staticfiles.json", help: "File name of the manifest inside STATIC_ROOT.")
    package static let verbosity = Setting(
        name: "COLLECTSTATIC_VERBOSITY", kind: .integer, flag: "--verbosity", shortFlag: "v", defaultValue: "1",
        help: "0 silent, 1 progress and summary, 2 every file, 3 debug.", group: .django)
    package static let jobs = Setting(
        name: "COLLECTSTATIC_JOBS", kind: .integer, flag: "--jobs", shortFlag: "j", defaultValue: "0",
        help: "Parallel jobs; 0 means one per core.")
    package static let jsModules = Setting(
        name: "COLLECTSTATIC_JS_MODULES", kind: .boolean, flag: "--js-modules", defaultValue: "false",
        help: "Rewrite ES module import/export specifiers in .js/.mjs (Django's support_js_module_import_aggregation).")
    package static let missing = Setting(
        name: "COLLECTSTATIC_MISSING", kind: .string, flag: "--missing", defaultValue: "error",
        help: "What a reference to a missing file does: error (publish nothing) or warn (leave it as written).")
    package static let missingIgnore = Setting(
        name: "COLLECTSTATIC_MISSING_IGNORE", kind: .list, flag: "--missing-ignore", defaultValue: "",
        help: "Glob patterns of referenced paths that may be absent (e.g. *.map); left as written.")
    package static let invalidUTF8 = Setting(
        name: "COLLECTSTATIC_INVALID_UTF8", kind: .string, flag: "--invalid-utf8", defaultValue: "error",
        help: "CSS/JS that is not UTF-8: error, or copy (treat as opaque bytes, not rewritten).")
    package static let compress = Setting(
        name: "COLLECTSTATIC_COMPRESS", kind: .boolean, flag: "--no-compress", defaultValue: "true",
        help: "Write .br/.gz variants next to the collected files.", group: .compression)
    package static let encodings = Setting(
        name: "COLLECTSTATIC_ENCODINGS", kind: .list, flag: "--encodings", defaultValue: "br,gzip",
        help: "Which variants to write: any of br, zstd, gzip.", group: .compression)
    package static let gzipLevel = Setting(
        name: "COLLECTSTATIC_GZIP_LEVEL", kind: .integer, flag: "--gzip-level", defaultValue: "9",
        help: "zlib level 1-9.", group: .compression)
    package static let brotliQuality = Setting(
        name: "COLLECTSTATIC_BROTLI_QUALITY", kind: .integer, flag: "--brotli-quality", defaultValue: "11",
        help: "Brotli quality 0-11.", group: .compression)
    package static let brotliWindow = Setting(
        name: "COLLECTSTATIC_BROTLI_WINDOW", kind: .integer, flag: "--brotli-window", defaultValue: "22",
        help: "Brotli window bits 10-24.", group: .compression)
    package static let zstdLevel = Setting(
        name: "COLLECTSTATIC_ZSTD_LEVEL", kind: .integer, flag: "--zstd-level", defaultValue: "19",
        help: "zstd level 1-22 (window at most 8 MiB).", group: .compression)
    package static let dictionaryReleases = Setting(
        name: "COLLECTSTATIC_DICTIONARY_RELEASES", kind: .integer, flag: "--dictionary-releases",
        defaultValue: "2",
        help:
            "Previous versions (from kept releases) each changed file gets a dcz (and dcb) delta against; 0 for none.",
        group: .compression)
    package static let dictionaryTypes = Setting(
        name: "COLLECTSTATIC_DICTIONARY_TYPES", kind: .list, flag: "--dictionary-types",
        defaultValue: "css,js,mjs,json,svg,wasm", help: "Extensions of files that get dcz/dcb deltas.",
        group: .compression)
    package static let compressSkip = Setting(
        name: "COLLECTSTATIC_COMPRESS_SKIP", kind: .list, flag: "--compress-skip",
        defaultValue: "WhiteNoise's list + avif,jxl,zst",
        help: "Extensions never compressed (already-compressed formats).", group: .compression)
    package static let compressMaxRatio = Setting(
        name: "COLLECTSTATIC_COMPRESS_MAX_RATIO", kind: .string, flag: "--compress-max-ratio",
        defaultValue: "0.95", help: "Keep a variant only if compressed/original is at most this.", group: .compression)
    package static let cache = Setting(
        name: "COLLECTSTATIC_CACHE", kind: .string, flag: "--cache", defaultValue: "",
        help:
            "The compression cache: a folder (as COLLECTSTATIC_CACHE_DIR), or s3://BUCKET/PREFIX shared by every build machine.",
        group: .compression)
    package static let cacheDir = Setting(
        name: "COLLECTSTATIC_CACHE_DIR", kind: .path, flag: "--cache-dir", defaultValue: "",
        help: "Folder of compressed variants keyed by content + settings, reused across fresh STATIC_ROOTs.",
        group: .compression)
    package static let keep = Setting(
        name: "COLLECTSTATIC_KEEP", kind: .integer, flag: "--keep", defaultValue: "2",
        help: "Previous releases whose hashed files stay in STATIC_ROOT for pages they rendered (rolling deploys).",
        group: .releases)
    package static let keepAge = Setting(
        name: "COLLECTSTATIC_KEEP_AGE", kind: .string, flag: "--keep-age", defaultValue: "1h",
        help: "Also keep any previous release replaced less than this long ago (seconds, or 90s, 30m, 1h, 2d).",
        group: .releases)
    package static let lockTimeout = Setting(
        name: "COLLECTSTATIC_LOCK_TIMEOUT", kind: .string, flag: "--lock-timeout", defaultValue: "5m",
        help: "How long to wait for another run on the same STATIC_ROOT to finish (seconds, or 30s, 5m).",
        group: .releases)
    package static let storage = Setting(
        name: "COLLECTSTATIC_STORAGE", kind: .string, flag: "--storage", defaultValue: "",
        help:
            "Also publish each release to S3-compatible storage, s3://BUCKET/PREFIX (endpoint, region, credentials from AWS_* variables or the URL).",
        group: .releases)
    package static let verifyBucket = Setting(
        name: "COLLECTSTATIC_VERIFY_BUCKET", kind: .boolean, flag: "--verify-bucket", defaultValue: "false",
        help: "Check the bucket against a listing (not the last release's record) and upload what is missing.",
        group: .releases)
    package static let config = Setting(
        name: "COLLECTSTATIC_CONFIG", kind: .path, flag: "--config", defaultValue: "collectstatic.json",
        help: "JSON config file; the default is read only if it exists.")

    package static let django = Setting(
        name: "COLLECTSTATIC_DJANGO", kind: .boolean, flag: "--django", defaultValue: "false",
        help:
            "Ask the Django project in the working directory (manage.py) for its static folders, STATIC_ROOT, STATIC_URL and storage."
    )
    package static let djangoSettings = Setting(
        name: "COLLECTSTATIC_DJANGO_SETTINGS", kind: .string, flag: "--django-settings",
        defaultValue: "(from manage.py)", help: "Django settings module to ask (implies --django).")
    package static let python = Setting(
        name: "COLLECTSTATIC_PYTHON", kind: .string, flag: "--python", defaultValue: "python",
        help: "The project's Python that --django runs (a path, or a name looked up in PATH).")

    package static let all: [Setting] = [
        .staticfilesDirs, .staticRoot, .staticURL, .ignore, .useDefaultIgnore, .manifestName, .verbosity,
        .jobs, .jsModules, .missing, .missingIgnore, .invalidUTF8, .compress, .encodings, .gzipLevel,
        .brotliQuality, .brotliWindow, .zstdLevel, .dictionaryReleases,
        .dictionaryTypes, .compressSkip, .compressMaxRatio, .cache, .cacheDir, .keep, .keepAge, .lockTimeout,
        .storage, .verifyBucket, .config, .django, .djangoSettings, .python,
    ]
}
