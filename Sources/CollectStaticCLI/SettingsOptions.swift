import ArgumentParser
import CollectStatic
import Foundation

/// The flags that override settings, one property per entry of `Setting.all`, in groups that
/// `--help` lists under their own titles (`Setting.Group`). Names and help text come from the table.
/// `SettingsFlagTests` fails when a setting has no flag here or a flag here has no setting.
protocol SettingFlags: ParsableArguments {
    /// The flags given, as setting values for `ConfigurationLoader`.
    var values: [Setting: SettingValue] { get }
}

extension SettingFlags {
    func set(_ setting: Setting, _ value: String?, into values: inout [Setting: SettingValue]) {
        if let value { values[setting] = .string(value) }
    }

    func set(_ setting: Setting, _ list: [String], into values: inout [Setting: SettingValue]) {
        if !list.isEmpty { values[setting] = .list(list) }
    }

    /// `br,gzip` → a list; an empty text is an empty list, not an absent flag.
    func set(_ setting: Setting, commaSeparated text: String?, into values: inout [Setting: SettingValue]) {
        if let text { values[setting] = .list(text.split(separator: ",").map(String.init)) }
    }
}

/// Settings Django's collectstatic also has as flags (`-i`, `--no-default-ignore`).
struct IgnoreOptions: SettingFlags {
    @Option(name: Setting.ignore.argumentName, help: Setting.ignore.argumentHelp(valueName: "pattern"))
    var ignore: [String] = []

    @Flag(name: Setting.useDefaultIgnore.argumentName, help: Setting.useDefaultIgnore.argumentHelp())
    var noDefaultIgnore = false

    var values: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [:]
        set(.ignore, ignore, into: &values)
        if noDefaultIgnore { set(.useDefaultIgnore, "false", into: &values) }
        return values
    }
}

/// Django's `-v/--verbosity`, which every command takes.
struct VerbosityOption: SettingFlags {
    @Option(
        name: Setting.verbosity.argumentName, parsing: .unconditional,
        help: Setting.verbosity.argumentHelp(valueName: "0-3"))
    var verbosity: Int?

    var values: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [:]
        set(.verbosity, verbosity.map(String.init), into: &values)
        return values
    }
}

/// Where the files come from and go, and how references are handled.
struct GeneralOptions: SettingFlags {
    @Option(name: Setting.staticfilesDirs.argumentName, help: Setting.staticfilesDirs.argumentHelp())
    var dirs: [String] = []

    @Option(name: Setting.staticRoot.argumentName, help: Setting.staticRoot.argumentHelp())
    var staticRoot: String?

    @Option(name: Setting.staticURL.argumentName, help: Setting.staticURL.argumentHelp(valueName: "url"))
    var staticURL: String?

    @Option(name: Setting.manifestName.argumentName, help: Setting.manifestName.argumentHelp(valueName: "name"))
    var manifestName: String?

    @Option(name: Setting.jobs.argumentName, parsing: .unconditional, help: Setting.jobs.argumentHelp())
    var jobs: Int?

    @Option(name: Setting.config.argumentName, help: Setting.config.argumentHelp())
    var config: String?

    @Flag(name: Setting.jsModules.argumentName, help: Setting.jsModules.argumentHelp())
    var jsModules = false

    @Option(name: Setting.missing.argumentName, help: Setting.missing.argumentHelp(valueName: "error|warn"))
    var missing: String?

    @Option(name: Setting.missingIgnore.argumentName, help: Setting.missingIgnore.argumentHelp(valueName: "pattern"))
    var missingIgnore: [String] = []

    @Option(name: Setting.invalidUTF8.argumentName, help: Setting.invalidUTF8.argumentHelp(valueName: "error|copy"))
    var invalidUTF8: String?

    @Flag(name: Setting.django.argumentName, help: Setting.django.argumentHelp())
    var django = false

    @Option(name: Setting.djangoSettings.argumentName, help: Setting.djangoSettings.argumentHelp(valueName: "module"))
    var djangoSettings: String?

    @Option(name: Setting.python.argumentName, help: Setting.python.argumentHelp(valueName: "python"))
    var python: String?

    var values: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [:]
        set(.staticfilesDirs, dirs, into: &values)
        set(.staticRoot, staticRoot, into: &values)
        set(.staticURL, staticURL, into: &values)
        set(.manifestName, manifestName, into: &values)
        set(.jobs, jobs.map(String.init), into: &values)
        set(.config, config, into: &values)
        if jsModules { set(.jsModules, "true", into: &values) }
        set(.missing, missing, into: &values)
        set(.missingIgnore, missingIgnore, into: &values)
        set(.invalidUTF8, invalidUTF8, into: &values)
        if django { set(.django, "true", into: &values) }
        set(.djangoSettings, djangoSettings, into: &values)
        set(.python, python, into: &values)
        return values
    }
}

/// The `.br`/`.gz` variants (`collect` only).
struct CompressionOptions: SettingFlags {
    @Flag(name: Setting.compress.argumentName, help: Setting.compress.argumentHelp())
    var noCompress = false

    @Option(name: Setting.encodings.argumentName, help: Setting.encodings.argumentHelp())
    var encodings: String?

    @Option(
        name: Setting.gzipLevel.argumentName, parsing: .unconditional,
        help: Setting.gzipLevel.argumentHelp(valueName: "1-9"))
    var gzipLevel: Int?

    @Option(
        name: Setting.brotliQuality.argumentName, parsing: .unconditional,
        help: Setting.brotliQuality.argumentHelp(valueName: "0-11"))
    var brotliQuality: Int?

    @Option(
        name: Setting.brotliWindow.argumentName, parsing: .unconditional,
        help: Setting.brotliWindow.argumentHelp(valueName: "10-24"))
    var brotliWindow: Int?

    @Option(
        name: Setting.zstdLevel.argumentName, parsing: .unconditional,
        help: Setting.zstdLevel.argumentHelp(valueName: "1-22"))
    var zstdLevel: Int?

    @Option(
        name: Setting.dictionaryReleases.argumentName, parsing: .unconditional,
        help: Setting.dictionaryReleases.argumentHelp(valueName: "count"))
    var dictionaryReleases: Int?

    @Option(name: Setting.dictionaryTypes.argumentName, help: Setting.dictionaryTypes.argumentHelp())
    var dictionaryTypes: String?

    @Option(name: Setting.compressSkip.argumentName, help: Setting.compressSkip.argumentHelp())
    var compressSkip: String?

    @Option(
        name: Setting.compressMaxRatio.argumentName, help: Setting.compressMaxRatio.argumentHelp(valueName: "ratio"))
    var compressMaxRatio: String?

    @Option(name: Setting.cache.argumentName, help: Setting.cache.argumentHelp())
    var cache: String?

    @Option(name: Setting.cacheDir.argumentName, help: Setting.cacheDir.argumentHelp())
    var cacheDir: String?

    var values: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [:]
        if noCompress { set(.compress, "false", into: &values) }
        set(.encodings, commaSeparated: encodings, into: &values)
        set(.gzipLevel, gzipLevel.map(String.init), into: &values)
        set(.brotliQuality, brotliQuality.map(String.init), into: &values)
        set(.brotliWindow, brotliWindow.map(String.init), into: &values)
        set(.zstdLevel, zstdLevel.map(String.init), into: &values)
        set(.dictionaryReleases, dictionaryReleases.map(String.init), into: &values)
        set(.dictionaryTypes, commaSeparated: dictionaryTypes, into: &values)
        set(.compressSkip, commaSeparated: compressSkip, into: &values)
        set(.compressMaxRatio, compressMaxRatio, into: &values)
        set(.cache, cache, into: &values)
        set(.cacheDir, cacheDir, into: &values)
        return values
    }
}

/// Which releases stay in STATIC_ROOT, and waiting for another run (`collect`, `clean`, `rollback`).
struct ReleaseOptions: SettingFlags {
    @Option(name: Setting.keep.argumentName, parsing: .unconditional, help: Setting.keep.argumentHelp())
    var keep: Int?

    @Option(name: Setting.keepAge.argumentName, help: Setting.keepAge.argumentHelp(valueName: "age"))
    var keepAge: String?

    @Option(name: Setting.lockTimeout.argumentName, help: Setting.lockTimeout.argumentHelp(valueName: "time"))
    var lockTimeout: String?

    var values: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [:]
        set(.keep, keep.map(String.init), into: &values)
        set(.keepAge, keepAge, into: &values)
        set(.lockTimeout, lockTimeout, into: &values)
        return values
    }
}

/// Where releases are also published (`collect` only).
struct StorageOptions: SettingFlags {
    @Option(name: Setting.storage.argumentName, help: Setting.storage.argumentHelp(valueName: "url"))
    var storage: String?

    @Flag(name: Setting.verifyBucket.argumentName, help: Setting.verifyBucket.argumentHelp())
    var verifyBucket = false

    var values: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [:]
        set(.storage, storage, into: &values)
        if verifyBucket { set(.verifyBucket, "true", into: &values) }
        return values
    }
}

/// The bucket `clean` and `rollback` also act on.
struct StorageURLOption: SettingFlags {
    @Option(name: Setting.storage.argumentName, help: Setting.storage.argumentHelp(valueName: "url"))
    var storage: String?

    var values: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [:]
        set(.storage, storage, into: &values)
        return values
    }
}

/// Loads the configuration from the flags of several groups (later groups never repeat a setting).
func loadConfiguration(
    _ groups: [any SettingFlags], readsSources: Bool = true
) async throws(CollectStaticError) -> Configuration {
    var flags: [Setting: SettingValue] = [:]
    for group in groups { flags.merge(group.values) { _, new in new } }
    var loader = ConfigurationLoader(flags: flags)
    loader.readsSources = readsSources
    let configuration = try await loader.load()
    // What the Django project's settings printed while loading, as `manage.py` would show it.
    if let output = configuration.django?.output, !output.isEmpty {
        FileHandle.standardError.write(Data((output.hasSuffix("\n") ? output : output + "\n").utf8))
    }
    if configuration.verbosity >= 2 {
        // Which value came from where (flag, environment, .env, config file, Django, default).
        FileHandle.standardError.write(Data(configuration.settingsReport.map { $0 + "\n" }.joined().utf8))
    }
    return configuration
}
