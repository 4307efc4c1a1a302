/// Every setting of a run, merged from defaults, config file, `.env`, environment and flags
/// (see `ConfigurationLoader`) and validated once. Paths are absolute.
public struct Configuration: Sendable, Equatable {
    public var sourceRoots: [SourceRoot]
    public var staticRoot: String
    public var staticURL: String
    public var ignorePatterns: [String]
    public var manifestName: String
    public var verbosity: Int
    /// Parallel jobs, at least 1.
    public var jobs: Int
    public var jsModules: Bool
    public var missingReferences: MissingReferencePolicy
    public var missingReferenceIgnore: [String]
    public var invalidUTF8: InvalidUTF8Policy
    /// nil when compression is off.
    public var compression: CompressionPolicy?
    public var cacheDirectory: String?
    /// Previous generations kept by count, and by age (seconds since they were replaced).
    public var retention: Retention
    /// Seconds to wait for another run holding the lock on STATIC_ROOT.
    public var lockTimeout: Double
    /// `COLLECTSTATIC_STORAGE` as written (an `s3://` URL, read by CollectStaticS3); nil when unset.
    public var storage: String?
    /// What the Django project said, with `--django`.
    public var django: DjangoProject?
    /// Where each setting's value came from (flag, environment, .env, config file, Django, default).
    public var settingSources: [SettingSource] = []
    /// What the settings are worth a warning for, e.g. a `STATICFILES_DIRS` folder that does not exist
    /// (left out, as Django's `staticfiles.W004` does); a run reports them through its observer.
    public var warnings: [String] = []

    /// Django's default ignore patterns.
    public static let defaultIgnorePatterns = ["CVS", ".*", "*~"]

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
    public var prefix: String?
    public var path: String

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

    public var description: String { prefix.map { "\($0)=\(path)" } ?? path }
}

/// One setting's value and the source it came from, for `-v 2`.
public struct SettingSource: Sendable, Equatable, CustomStringConvertible {
    public var setting: Setting
    public var value: String
    /// `flag --static-root`, `environment`, `.env`, `config file PATH`, `Django settings MODULE`, `default`.
    public var source: String

    public init(_ setting: Setting, _ value: String, _ source: String) {
        self.setting = setting
        self.value = value
        self.source = source
    }

    public var description: String {
        "\(setting.name)=\(setting == .storage ? Self.withoutSecret(value) : value)  (\(source))"
    }

    /// `s3://KEY:SECRET@HOST/…` → `s3://KEY:***@HOST/…`: a URL setting is shown without its secret.
    static func withoutSecret(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.lastIndex(of: "@"), scheme.upperBound <= at,
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

public enum MissingReferencePolicy: String, Sendable, CaseIterable {
    case error, warn
}

public enum InvalidUTF8Policy: String, Sendable, CaseIterable {
    case error, copy
}
