import Foundation
import StaticAssets
import TestSupport
import Testing

/// Runs the built `collectstatic` binary the way a user (or a Dockerfile) does.
enum CLI {
    static var binary: String { TestSupport.collectstaticBinary }

    /// Unprivileged runs need setpriv when the tests run as root (always in CI, where it must be
    /// there: `Requirement.tool`).
    static let canDropPrivileges = getuid() != 0 || Requirement.tool("setpriv")

    /// Runs the binary as `nobody` (uid 65534) when the tests run as root, so permission bits count.
    static func runUnprivileged(_ arguments: [String], in dir: URL) throws -> TestSupport.ProcessResult {
        if getuid() != 0 { return run(arguments, in: dir) }
        try #require(Requirement.available("setpriv"), "setpriv is missing")
        let command = ([binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return TestSupport.shell("cd '\(dir.path)' && setpriv --reuid=65534 --regid=65534 --clear-groups \(command)")
    }

    /// An environment with nothing but PATH (and LD_LIBRARY_PATH when set), like `env -i PATH=$PATH` in
    /// a Docker build.
    static var bareEnvironment: [String: String] {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        // A build against libraries outside the system's (Benchmarks/dcb-upgrade.sh's libbrotli 1.1.0)
        // runs only with them on the library path.
        if let path = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"] { environment["LD_LIBRARY_PATH"] = path }
        return environment
    }

    @discardableResult
    static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = bareEnvironment, stdin: String? = nil
    ) -> TestSupport.ProcessResult {
        TestSupport.run(binary, arguments, environment: environment, currentDirectory: directory, stdin: stdin)
    }

    /// Runs the binary inside a pseudo-terminal (util-linux `script`), typing `input`.
    static func runOnTerminal(_ arguments: [String], in directory: URL, input: String) -> TestSupport.ProcessResult {
        let command = ([binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let shell = "cd '\(directory.path)' && printf '\(input)' | script -qec \"\(command)\" /dev/null"
        return TestSupport.shell(shell)
    }

    /// What a run on a pseudo-terminal printed, chunk by chunk, with the time since launch.
    struct TimedRun {
        var status: Int32
        var chunks: [(seconds: Double, text: String)]
        /// Seconds from launch to exit.
        var seconds: Double
    }

    /// Runs the binary inside a pseudo-terminal (`script -f` flushes every write) and records when
    /// each piece of output arrived.
    static func runOnTerminalTimed(_ arguments: [String], in directory: URL) throws -> TimedRun {
        let command = ([binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        var chunks: [(seconds: Double, text: String)] = []
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        let reader = output.fileHandleForReading
        while case let data = reader.availableData, !data.isEmpty {
            chunks.append(
                (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, String(decoding: data, as: UTF8.self)))
        }
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return TimedRun(status: process.terminationStatus, chunks: chunks, seconds: seconds)
    }

    /// A folder with `src/` holding the given files.
    static func project(_ files: [String: String]) -> URL {
        let dir = TestSupport.temporaryDirectory("cli")
        for (path, text) in files { TestSupport.write(text, to: dir.appendingPathComponent("src/" + path)) }
        try? FileManager.default.createDirectory(
            at: dir.appendingPathComponent("src"), withIntermediateDirectories: true)
        return dir
    }
}
