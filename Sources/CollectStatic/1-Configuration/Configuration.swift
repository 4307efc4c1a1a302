/// Every setting of a run, merged from defaults, config file, `.env`, environment and flags
/// (see `ConfigurationLoader`) and validated once. Paths are absolute.
public struct Configuration: Sendable, Equatable {
    /// Source folders in order (`STATICFILES_DIRS`); a logical path found in an earlier root wins.
    public var sourceRoots: [SourceRoot]
    /// The folder the release is published to (`STATIC_ROOT`).
    public var staticRoot: String
    /// The URL prefix the files are served under (`STATIC_URL`); absolute references under it are rewritten.
    public var staticURL: String
    /// Glob patterns of files and folders left out (Django's `--ignore`, with its defaults).
    public var ignorePatterns: [String]
    /// The manifest's file name in STATIC_ROOT (`staticfiles.json`).
    public var manifestName: String
    /// 0 silent, 1 progress and summary, 2 every file, 3 debug (Django's `--verbosity`).
    public var verbosity: Int
    /// Parallel jobs, at least 1.
    public var jobs: Int
    /// Rewrite `import`/`export` references in JavaScript (Django's `support_js_module_import_aggregation`).
    public var jsModules: Bool
    /// What a reference to a file that is not there does: fail the run (Django), warn, or be ignored.
    public var missingReferences: MissingReferencePolicy
    /// Glob patterns of references that may be missing without failing the run.
    public var missingReferenceIgnore: [String]
    /// What a text file that is not UTF-8 does: fail the run (Django) or get copied unrewritten.
    public var invalidUTF8: InvalidUTF8Policy
    /// nil when compression is off.
    public var compression: CompressionPolicy?
    /// A folder that keeps variants, hashed files and releases across fresh STATIC_ROOTs (`COLLECTSTATIC_CACHE_DIR`).
    public var cacheDirectory: String?
    /// Previous releases kept by count, and by age (seconds since they were replaced).
    public var retention: Retention
    /// Seconds to wait for another run holding the lock on STATIC_ROOT.
    public var lockTimeout: Double
    /// `COLLECTSTATIC_STORAGE` as written (an `s3://` URL, read by CollectStaticS3); nil when unset.
    public var storage: String?
    /// An `s3://` URL of the compression cache shared by every build machine (`COLLECTSTATIC_CACHE`),
    /// in front of `cacheDirectory`.
    public var sharedCache: String?
    /// What the Django project said, with `--django`.
    package var django: DjangoProject?
    /// Where each setting's value came from (flag, environment, .env, config file, Django, default).
    package var settingSources: [SettingSource] = []
    /// What the settings are worth a warning for, e.g. a `STATICFILES_DIRS` folder that does not exist
    /// (left out, as Django's `staticfiles.W004` does); a run reports them through its observer.
    public var warnings: [String] = []

    /// Django's default ignore patterns.
    public static let defaultIgnorePatterns = ["CVS", ".*", "*~"]

    /// A configuration with Django's defaults for everything not given.
    public init(
        sourceRoots: [SourceRoot], staticRoot: String, staticURL: String = "/static/",
        ignorePatterns: [String] = Configuration.defaultIgnorePatterns, manifestName: String = "staticfiles.json",
        verbosity: Int = 1, jobs: Int = 1, jsModules: Bool = false,
        missingReferences: MissingReferencePolicy = .error, missingReferenceIgnore: [String] = [],
        invalidUTF8: InvalidUTF8Policy = .error, compression: CompressionPolicy? = nil,
        cacheDirectory: String? = nil, retention: Retention = Retention(), lockTimeout: Double = 300
    ) {
        self.sourceRoots = sourceRoots
        self.staticRoot = staticRoot
        self.staticURL = staticURL
        self.ignorePatterns = ignorePatterns
        self.manifestName = manifestName
        self.verbosity = verbosity
        self.jobs = jobs
        self.jsModules = jsModules
        self.missingReferences = missingReferences
        self.missingReferenceIgnore = missingReferenceIgnore
        self.invalidUTF8 = invalidUTF8
        self.compression = compression
        self.cacheDirectory = cacheDirectory
        self.retention = retention
        self.lockTimeout = lockTimeout
    }
}

/// One entry of STATICFILES_DIRS: a folder, optionally mounted under a prefix.
public struct SourceRoot: Sendable, Equatable, CustomStringConvertible {
    /// The folder under STATIC_ROOT its files go to (Django's `(prefix, path)` form), if any.
    public var prefix: String?
    /// The folder's path.
    public var path: String

    /// A root whose files go under `prefix`, or at the top of STATIC_ROOT.
    public init(prefix: String? = nil, path: String) {
        self.prefix = prefix
        self.path = path
    }

    /// Parses `PATH` or `PREFIX=PATH`.
    public init(parsing text: String) {
        if let equals = text.firstIndex(of: "="), !text[..<equals].contains("/") {
            self.init(prefix: String(text[..<equals]), path: String(text[text.index(after: equals)...]))
        } else {
            self.init(path: text)
        }
    }

    /// `prefix=path`, or the path: the form `STATICFILES_DIRS` takes.
    public var description: String { prefix.map { "\($0)=\(path)" } ?? path }
}

/// One setting's value and the source it came from, for `-v 2`.
package struct SettingSource: Sendable, Equatable, CustomStringConvertible {
    package var setting: Setting
    package var value: String
    /// `flag --static-root`, `environment`, `.env`, `config file PATH`, `Django settings MODULE`, `default`.
    package var source: String

    package init(_ setting: Setting, _ value: String, _ source: String) {
        self.setting = setting
        self.value = value
        self.source = source
    }

    package var description: String {
        "\(setting.name)=\(setting == .storage || setting == .cache ? Self.withoutSecret(value) : value)  (\(source))"
    }

    /// `s3://KEY:SECRET@HOST/…` → `s3://KEY:***@HOST/…`: a URL setting is shown without its secret.
    static func withoutSecret(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.lastIndex(of: "@"), scheme.upperBound <= at,
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// What a reference to a missing file does (`COLLECTSTATIC_MISSING`).
public enum MissingReferencePolicy: String, Sendable, CaseIterable {
    case error, warn
}

/// What a text file that is not valid UTF-8 does (`COLLECTSTATIC_INVALID_UTF8`).
public enum InvalidUTF8Policy: String, Sendable, CaseIterable {
    case error, copy
}
