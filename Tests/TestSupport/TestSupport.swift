import Foundation

/// Helpers shared by the test targets: temporary folders, running processes, locating the package,
/// the built `collectstatic` binary and a Python with Django as the reference peer.
public enum TestSupport {
    /// Root of this package (where Package.swift is).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    public static var fixtures: URL { packageRoot.appendingPathComponent("Fixtures") }

    /// The `collectstatic` executable built next to the test bundle.
    public static var collectstaticBinary: String {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleFolder, Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL] {
            let path = candidate.appendingPathComponent("collectstatic").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return bundleFolder.appendingPathComponent("collectstatic").path
    }

    /// A new empty folder, removed by `cleanup`.
    public static func temporaryDirectory(_ label: String = "test") -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("collectstatic-\(label)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.resolvingSymlinksInPath()
    }

    public static func write(_ text: String, to url: URL) {
        write(Data(text.utf8), to: url)
    }

    public static func write(_ data: Data, to url: URL) {
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! data.write(to: url)
    }

    /// Every regular file below `root`, as sorted relative paths.
    public static func files(in root: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var result: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(
                atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                result.append(path)
            }
        }
        return result.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public struct ProcessResult: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a program to completion. `environment` replaces the environment when given.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: URL? = nil, stdin: String? = nil
    ) -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
        } catch {
            return ProcessResult(status: -1, stdout: "", stderr: "cannot run \(executable): \(error)")
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so neither fills up.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a shell command line.
    @discardableResult
    public static func shell(_ command: String, environment: [String: String]? = nil) -> ProcessResult {
        run("/bin/sh", ["-c", command], environment: environment)
    }
}
