import Foundation

/// What a Django project's own Python and Django say its `collectstatic` would use: the finders'
/// folders in Django's search order (STATICFILES_DIRS with prefixes, every installed app's
/// `static/` in INSTALLED_APPS order, other finders' file system storages), STATIC_ROOT,
/// STATIC_URL, the staticfiles app's ignore patterns and the configured storage. Asked with one
/// subprocess call (``DjangoSettingsProgram``); it is the configuration layer just above the
/// defaults (`collectstatic --django`).
package struct DjangoProject: Sendable, Equatable, Decodable {
    package struct Root: Sendable, Equatable, Decodable {
        /// Empty for no prefix.
        package var prefix: String
        package var path: String
        /// `STATICFILES_DIRS`, `app django.contrib.admin`, `finder myproject.finders.X`.
        package var origin: String
    }

    package struct Storage: Sendable, Equatable, Decodable {
        /// e.g. `whitenoise.storage.CompressedManifestStaticFilesStorage`.
        package var backend: String
        /// A `ManifestFilesMixin`: fingerprinted names and a manifest.
        package var manifest: Bool
        package var manifestName: String?
        /// `support_js_module_import_aggregation`.
        package var jsModules: Bool
        /// WhiteNoise's compressed storages: `.br`/`.gz` variants.
        package var compressed: Bool
        /// `WHITENOISE_SKIP_COMPRESS_EXTENSIONS`, when set.
        package var skipCompressExtensions: [String]?
    }

    package var django: String
    package var python: String
    package var settingsModule: String
    package var staticRoot: String?
    package var staticURL: String
    package var roots: [Root]
    /// The staticfiles app config's `ignore_patterns` (Django's default ignore patterns).
    package var ignorePatterns: [String]
    package var storage: Storage
    /// What the project's settings printed while they were loaded (their `print`s, Python's
    /// warnings): `manage.py collectstatic` shows it, so `--django` passes it on to stderr.
    package var output: String = ""

    enum CodingKeys: String, CodingKey {
        case django, python, settingsModule, staticRoot, staticURL, roots, ignorePatterns, storage
    }

    /// The settings this layer gives, for ``ConfigurationLoader``.
    var settingValues: [Setting: SettingValue] {
        var values: [Setting: SettingValue] = [
            .staticfilesDirs: .list(roots.map { $0.prefix.isEmpty ? $0.path : "\($0.prefix)=\($0.path)" }),
            .staticURL: .string(staticURL),
            .jsModules: .string(storage.jsModules ? "true" : "false"),
            .compress: .string(storage.compressed ? "true" : "false"),
        ]
        if let staticRoot { values[.staticRoot] = .string(staticRoot) }
        if storage.manifest, let name = storage.manifestName { values[.manifestName] = .string(name) }
        if storage.compressed, let skip = storage.skipCompressExtensions { values[.compressSkip] = .list(skip) }
        return values
    }

    /// Runs `python` (a path, or a name looked up in PATH) in `workingDirectory` and reads the answer.
    /// Every problem is a configuration error (exit code 2) naming it.
    static func load(
        python: String, settingsModule: String?, workingDirectory: String, environment: [String: String]
    ) throws(CollectStaticError) -> DjangoProject {
        guard let executable = Self.executable(python, environment: environment) else {
            throw .configuration(
                "--django: no Python \"\(python)\" found (PATH=\(environment["PATH"] ?? "")); install Python or set COLLECTSTATIC_PYTHON to the project's python"
            )
        }
        let output: (status: Int32, stdout: Data, stderr: Data)
        do {
            output = try run(
                executable, ["-c", DjangoSettingsProgram.source, settingsModule ?? ""],
                in: workingDirectory, environment: environment)
        } catch {
            throw .configuration("--django: cannot run \(executable): \(error)")
        }
        struct Problem: Decodable {
            var problem: String
            var message: String
        }
        if let problem = try? JSONDecoder().decode(Problem.self, from: output.stdout) {
            throw .configuration("--django: \(problem.message)")
        }
        guard output.status == 0, var project = try? JSONDecoder().decode(DjangoProject.self, from: output.stdout)
        else {
            let stderr = String(decoding: output.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .configuration(
                "--django: \(executable) did not answer with Django's settings (exit \(output.status)): \(stderr.suffix(600))"
            )
        }
        project.output = String(decoding: output.stderr, as: UTF8.self)
        return project
    }

    /// `name` as given when it holds a `/`, else the first executable of that name in PATH.
    static func executable(_ name: String, environment: [String: String]) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func run(
        _ executable: String, _ arguments: [String], in directory: String, environment: [String: String]
    ) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // stderr on its own thread so that neither pipe fills up while the other is read.
        let errorOutput = ErrorCollector(err.fileHandleForReading)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = errorOutput.wait()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }

    /// Reads a pipe to its end on a separate thread.
    private final class ErrorCollector: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var data = Data()

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }

        func wait() -> Data {
            done.wait()
            return data
        }
    }
}
