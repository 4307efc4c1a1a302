import Configuration
import Foundation
import StaticAssets

/// A value given for a setting on the command line or in a config file.
package enum SettingValue: Sendable, Equatable {
    case string(String)
    case list([String])
}

/// Merges the configuration sources, lowest precedence first: built-in defaults < Django's settings
/// (only with `--django`, see ``DjangoProject``) < JSON config file < `.env` in the working directory
/// < environment variables < command-line flags; then validates. Layering is swift-configuration's
/// `ConfigReader` over one provider per source; where each value came from is kept in
/// ``Configuration/settingSources``.
public struct ConfigurationLoader: Sendable {
    /// Values from the command line (the `collectstatic` tool's flags), by setting.
    package var flags: [Setting: SettingValue]
    /// The environment variables read (`STATIC_ROOT`, `COLLECTSTATIC_…`, `DJANGO_SETTINGS_MODULE`).
    public var environment: [String: String]
    /// Where `.env` and `collectstatic.json` are looked for, and relative paths start.
    public var workingDirectory: String
    /// False for the commands that act on releases only (`rollback`, `clean`, `history`): they read
    /// no source root, so none has to exist (a CI job that only rolls the bucket back has none).
    package var readsSources = true

    /// A loader over the process's environment and working directory (or the ones given), as the
    /// `collectstatic` tool loads them without flags.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        self.init(flags: [:], environment: environment, workingDirectory: workingDirectory)
    }

    package init(
        flags: [Setting: SettingValue],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        self.flags = flags
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// Reads every source, merges them, and validates the result; a bad value is a
    /// `CollectStaticError.configuration` naming the setting, its source and what it expects.
    public func load() async throws(CollectStaticError) -> Configuration {
        let dotEnv = try readDotEnv()
        let (file, filePath) = try readConfigFile(dotEnv: dotEnv)
        let ours: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: Self.configValues(flags)),
            EnvironmentVariablesProvider(environmentVariables: environment),
            EnvironmentVariablesProvider(environmentVariables: dotEnv),
            InMemoryProvider(name: "config file", values: Self.configValues(file)),
        ]
        // Django's settings, when asked for, sit between the config file and the defaults.
        let first = SettingsReader(reader: ConfigReader(providers: ours), workingDirectory: workingDirectory)
        let settingsModule = first.string(.djangoSettings).flatMap { $0.isEmpty ? nil : $0 }
        var django: DjangoProject?
        if try first.bool(.django) || settingsModule != nil {
            let python = first.string(.python) ?? Setting.python.defaultValue
            guard !python.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .configuration(
                    "\(Setting.python.name): expected the project's Python (a path, or a name looked up in PATH), got an empty value"
                )
            }
            django = try DjangoProject.load(
                python: python, settingsModule: settingsModule,
                workingDirectory: workingDirectory, environment: environment)
        }
        var providers = ours
        if let django {
            providers.append(InMemoryProvider(name: "Django settings", values: Self.configValues(django.settingValues)))
        }
        if let django, django.staticRoot == nil,
            flags[.staticRoot] == nil && environment[Setting.staticRoot.name] == nil
                && dotEnv[Setting.staticRoot.name] == nil && file[.staticRoot] == nil
        {
            throw .configuration(
                "--django: STATIC_ROOT is not set in \(django.settingsModule) (Django's collectstatic refuses too); set it there or pass --static-root"
            )
        }
        let sources = Setting.all.map { setting in
            func text(_ value: SettingValue) -> String {
                switch value {
                case .string(let string): string
                case .list(let items): items.joined(separator: ",")
                }
            }
            if let value = flags[setting] { return SettingSource(setting, text(value), "flag \(setting.flag)") }
            if let value = environment[setting.name] { return SettingSource(setting, value, "environment") }
            if let value = dotEnv[setting.name] { return SettingSource(setting, value, ".env") }
            if let value = file[setting] { return SettingSource(setting, text(value), "config file \(filePath)") }
            if let django, let value = django.settingValues[setting] {
                return SettingSource(setting, text(value), "Django settings \(django.settingsModule)")
            }
            return SettingSource(setting, setting.defaultValue, "default")
        }
        var reader = SettingsReader(reader: ConfigReader(providers: providers), workingDirectory: workingDirectory)
        if let django { reader.defaultIgnorePatterns = django.ignorePatterns }
        reader.sources = Dictionary(uniqueKeysWithValues: sources.map { ($0.setting, $0.source) })
        var configuration = try reader.configuration()
        try ConfigurationValidator.validate(&configuration, readsSources: readsSources)
        configuration.django = django
        configuration.settingSources = sources
        return configuration
    }

    private func readDotEnv() throws(CollectStaticError) -> [String: String] {
        let path = workingDirectory + "/.env"
        guard FileSystem.exists(path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("cannot read \(path)")
        }
        return DotEnvFile.parse(String(decoding: data, as: UTF8.self))
    }

    /// Reads the JSON config file: an object whose keys are setting names (`STATIC_ROOT`, ...).
    /// Relative paths in it are resolved against the file's folder.
    private func readConfigFile(dotEnv: [String: String]) throws(CollectStaticError) -> (
        [Setting: SettingValue], path: String
    ) {
        var explicit: String?
        if case .string(let path)? = flags[.config] { explicit = path }
        explicit = explicit ?? environment[Setting.config.name] ?? dotEnv[Setting.config.name]
        let path = FileSystem.absolute(explicit ?? Setting.config.defaultValue, relativeTo: workingDirectory)
        guard FileSystem.exists(path) else {
            if explicit != nil { throw .configuration("config file \(path) does not exist") }
            return ([:], path)
        }
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data)
        else { throw .configuration("config file \(path) is not valid JSON") }
        guard let settings = object as? [String: Any] else {
            throw .configuration("config file \(path) must hold a JSON object of settings")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var values: [Setting: SettingValue] = [:]
        for (name, raw) in settings {
            guard let setting = Setting.named(name), setting != .config else {
                let known = Setting.all.filter { $0 != .config }.map(\.name).joined(separator: ", ")
                throw .configuration("unknown setting \"\(name)\" in \(path); known settings: \(known)")
            }
            values[setting] = try Self.fileValue(raw, for: setting, in: path, folder: folder)
        }
        return (values, path)
    }

    /// One setting's JSON value, checked against the setting's kind: a path or a text is a string
    /// (a number only where the setting is a number, a duration or a ratio), a whole number is a
    /// number or a string, a switch is `true`/`false` or a string, a list is an array of strings
    /// (or one string), and a source root may also be a `["prefix", "path"]` pair.
    private static func fileValue(_ raw: Any, for setting: Setting, in path: String, folder: String)
        throws(CollectStaticError) -> SettingValue
    {
        func wrong(_ expected: String, _ value: Any? = nil) -> CollectStaticError {
            .configuration("\(setting.name) in \(path): expected \(expected), got \(describe(value ?? raw))")
        }
        func resolve(_ text: String) -> String {
            // An empty path stays empty, so that it is refused (or means "none") like an empty variable.
            text.isEmpty ? text : FileSystem.absolute(text, relativeTo: folder)
        }
        switch setting.kind {
        case .list, .pathList:
            let expected =
                setting.kind == .pathList
                ? "a list of folder paths (each \"PATH\", \"PREFIX=PATH\" or [\"PREFIX\", \"PATH\"])"
                : "a list of strings"
            let items: [Any]
            if let array = raw as? [Any] {
                items = array
            } else if raw is String {
                items = [raw]
            } else {
                throw wrong(expected)
            }
            var list: [String] = []
            for item in items {
                if setting.kind == .pathList, let pair = item as? [Any], pair.count == 2,
                    let prefix = pair[0] as? String, let folderPath = pair[1] as? String
                {
                    list.append("\(prefix)=\(resolve(folderPath))")
                } else if let text = item as? String {
                    if setting.kind == .pathList {
                        let root = SourceRoot(parsing: text)
                        list.append(SourceRoot(prefix: root.prefix, path: resolve(root.path)).description)
                    } else {
                        list.append(text)
                    }
                } else {
                    throw wrong(expected, item)
                }
            }
            return .list(list)
        case .path:
            guard let text = raw as? String else { throw wrong("a string (a folder or file path)") }
            return .string(resolve(text))
        case .string:
            if let text = raw as? String { return .string(text) }
            if numericTexts.contains(setting), let number = raw as? NSNumber, !isBoolean(number) {
                return .string("\(number)")
            }
            throw wrong("a string")
        case .integer:
            if let text = raw as? String { return .string(text) }
            guard let number = raw as? NSNumber, !isBoolean(number), let value = Int(exactly: number.doubleValue)
            else { throw wrong("a whole number") }
            return .string(String(value))
        case .boolean:
            if let text = raw as? String { return .string(text) }
            guard let number = raw as? NSNumber, isBoolean(number) else { throw wrong("true or false") }
            return .string(number.boolValue ? "true" : "false")
        }
    }

    /// Text settings whose value may be written as a JSON number: `0.95`, `3600` (seconds).
    private static let numericTexts: Set<Setting> = [.compressMaxRatio, .keepAge, .lockTimeout]

    /// JSON `true`/`false` arrive as boolean NSNumbers (Objective-C type "c").
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// A JSON value as a message names it: `the number 7`, `true`, `an object`.
    private static func describe(_ raw: Any) -> String {
        switch raw {
        case let text as String: return "the string \"\(text)\""
        case let number as NSNumber:
            return isBoolean(number) ? (number.boolValue ? "true" : "false") : "the number \(number)"
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        case is NSNull: return "null"
        default: return "\(type(of: raw))"
        }
    }

    private static func configValues(_ values: [Setting: SettingValue]) -> [AbsoluteConfigKey: ConfigValue] {
        var result: [AbsoluteConfigKey: ConfigValue] = [:]
        for (setting, value) in values {
            let content: ConfigContent
            switch value {
            case .string(let text): content = .string(text)
            case .list(let items): content = .stringArray(items)
            }
            result[AbsoluteConfigKey(setting.key)] = ConfigValue(content, isSecret: false)
        }
        return result
    }
}

/// Reads each setting from the merged sources and turns it into a validated `Configuration`.
struct SettingsReader {
    let reader: ConfigReader
    let workingDirectory: String
    /// What `COLLECTSTATIC_DEFAULT_IGNORE=true` adds: Django's defaults, or the staticfiles app
    /// config's `ignore_patterns` of a Django project.
    var defaultIgnorePatterns = Configuration.defaultIgnorePatterns
    /// Where each setting's value came from (`environment`, `flag --static-root`...), for messages.
    var sources: [Setting: String] = [:]

    func string(_ setting: Setting) -> String? {
        reader.string(forKey: setting.key)
    }

    /// A configuration error about `setting`: `NAME (from SOURCE): problem`; exit code 2.
    func problem(_ setting: Setting, _ text: String) -> CollectStaticError {
        let source = sources[setting].map { $0 == "default" ? "" : " (from \($0))" } ?? ""
        return .configuration("\(setting.name)\(source): \(text)")
    }

    /// A path setting that, when given, is not empty: an empty `STATIC_ROOT=` is a mistake, not the default.
    func requiredPath(_ setting: Setting) throws(CollectStaticError) -> String? {
        guard let text = string(setting) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw problem(setting, "expected a folder path, got an empty value")
        }
        return FileSystem.absolute(text, relativeTo: workingDirectory)
    }

    func list(_ setting: Setting) -> [String]? {
        reader.stringArray(forKey: setting.key)?.filter { !$0.isEmpty }
    }

    func path(_ setting: Setting) -> String? {
        string(setting).flatMap { $0.isEmpty ? nil : FileSystem.absolute($0, relativeTo: workingDirectory) }
    }

    func bool(_ setting: Setting) throws(CollectStaticError) -> Bool {
        let text = string(setting) ?? setting.defaultValue
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw problem(setting, "expected true or false, got \"\(text)\"")
        }
    }

    func integer(_ setting: Setting, in range: ClosedRange<Int>) throws(CollectStaticError) -> Int {
        let text = string(setting) ?? setting.defaultValue
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw problem(
                setting, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    /// Seconds, written `3600`, `90s`, `30m`, `1h` or `2d`.
    func duration(_ setting: Setting) throws(CollectStaticError) -> Double {
        let text = (string(setting) ?? setting.defaultValue).trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = Substring(text)
        var scale = 1.0
        if let last = text.last, let unit = units[last] {
            number = number.dropLast()
            scale = unit
        }
        guard let value = Double(number), value >= 0, value.isFinite else {
            throw problem(setting, "expected a duration such as 3600, 90s, 30m, 1h or 2d, got \"\(text)\"")
        }
        return value * scale
    }

    func choice<T: RawRepresentable & CaseIterable>(_ setting: Setting, as type: T.Type) throws(CollectStaticError) -> T
    where T.RawValue == String {
        let text = string(setting) ?? setting.defaultValue
        guard let value = T(rawValue: text.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: " or ")
            throw problem(setting, "expected \(allowed), got \"\(text)\"")
        }
        return value
    }

    func configuration() throws(CollectStaticError) -> Configuration {
        let roots = (list(.staticfilesDirs) ?? [Setting.staticfilesDirs.defaultValue]).map { text in
            let root = SourceRoot(parsing: text)
            return SourceRoot(prefix: root.prefix, path: FileSystem.absolute(root.path, relativeTo: workingDirectory))
        }
        let staticRoot =
            try requiredPath(.staticRoot)
            ?? FileSystem.absolute(Setting.staticRoot.defaultValue, relativeTo: workingDirectory)
        var ignore = list(.ignore) ?? []
        if try bool(.useDefaultIgnore) { ignore += defaultIgnorePatterns }
        let jobs = try integer(.jobs, in: 0...1024)
        var configuration = Configuration(
            sourceRoots: roots,
            staticRoot: staticRoot,
            staticURL: Self.absoluteStaticURL(string(.staticURL) ?? Setting.staticURL.defaultValue),
            ignorePatterns: IgnorePattern.normalized(ignore),
            manifestName: string(.manifestName) ?? Setting.manifestName.defaultValue,
            verbosity: try integer(.verbosity, in: 0...3),
            jobs: jobs == 0 ? ProcessInfo.processInfo.activeProcessorCount : jobs,
            jsModules: try bool(.jsModules),
            missingReferences: try choice(.missing, as: MissingReferencePolicy.self),
            missingReferenceIgnore: list(.missingIgnore) ?? [],
            invalidUTF8: try choice(.invalidUTF8, as: InvalidUTF8Policy.self),
            compression: try compression(),
            cacheDirectory: path(.cacheDir),
            retention: Retention(
                count: try integer(.keep, in: 0...1000), maximumAge: try duration(.keepAge)),
            lockTimeout: try duration(.lockTimeout)
        )
        configuration.storage = string(.storage).flatMap { $0.isEmpty ? nil : $0 }
        if let cache = string(.cache), !cache.isEmpty {
            if cache.hasPrefix("s3://") {
                configuration.sharedCache = cache
            } else {
                configuration.cacheDirectory = path(.cache)
            }
        }
        return configuration
    }

    /// Django's reading of STATIC_URL (`Settings._add_script_prefix`): a relative value such as
    /// `static/`, which `django-admin startproject` writes, is served from the site's root, `/static/`.
    /// Absolute paths and `http://`/`https://` URLs stay as written.
    static func absoluteStaticURL(_ url: String) -> String {
        guard !url.isEmpty, !url.hasPrefix("/"), !url.hasPrefix("http://"), !url.hasPrefix("https://") else {
            return url
        }
        return "/" + url
    }

    func compression() throws(CollectStaticError) -> CompressionPolicy? {
        guard try bool(.compress) else { return nil }
        var encodings: Set<ContentEncoding> = []
        let tokens = list(.encodings) ?? ["br", "gzip"]
        guard !tokens.isEmpty else {
            throw problem(
                .encodings,
                "expected one or more of br, zstd, gzip, got an empty list (COLLECTSTATIC_COMPRESS=false or --no-compress writes no variants)"
            )
        }
        for token in tokens {
            guard let encoding = ContentEncoding(token: token), encoding != .identity else {
                throw problem(.encodings, "unknown encoding \"\(token)\"; use br, zstd, gzip")
            }
            encodings.insert(encoding)
        }
        let ratioText = string(.compressMaxRatio) ?? "0.95"
        guard let ratio = Double(ratioText), ratio > 0, ratio <= 1 else {
            throw problem(.compressMaxRatio, "expected a number in (0, 1], got \"\(ratioText)\"")
        }
        let policy = CompressionPolicy(
            encodings: encodings,
            gzipLevel: try integer(.gzipLevel, in: 1...9),
            brotliQuality: try integer(.brotliQuality, in: 0...11),
            brotliWindow: try integer(.brotliWindow, in: 10...24),
            zstdLevel: try integer(.zstdLevel, in: ZstdCompressor.levelRange),
            dictionaryReleases: try integer(.dictionaryReleases, in: 0...10),
            dictionaryExtensions: list(.dictionaryTypes).map(Set.init)
                ?? CompressionPolicy.defaultDictionaryExtensions,
            skipExtensions: list(.compressSkip).map(Set.init) ?? CompressionPolicy.defaultSkipExtensions,
            maximumRatio: ratio)
        do {
            try policy.validate()
        } catch {
            throw .configuration("\(error)")
        }
        return policy
    }
}

extension Configuration {
    /// For `-v 2`: every setting's value and where it came from; with `--django` also the folders
    /// Django's finders gave, in search order, and the storage it uses.
    public var settingsReport: [String] {
        var lines = ["Settings (flags > environment > .env > config file > Django settings > defaults):"]
        lines += settingSources.map { "  \($0)" }
        if let django {
            lines.append(
                "Django \(django.django) (\(django.python)), settings \(django.settingsModule), storage \(django.storage.backend); folders in search order:"
            )
            for root in django.roots {
                lines.append("  \(root.prefix.isEmpty ? "" : root.prefix + "=")\(root.path)  (\(root.origin))")
            }
            lines.append(
                "  default ignore patterns \(django.ignorePatterns.joined(separator: ", "))  (staticfiles app config)")
        }
        return lines
    }
}
