import Foundation

/// Runs command-line tools (curl, brotli, gzip, nginx) without blocking Swift concurrency's threads:
/// output goes to temporary files and the exit is awaited through the termination handler.
enum ProcessRunner {
    struct Result: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: Data
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let err = folder.appendingPathComponent("err")
        try Data().write(to: out)
        try Data().write(to: err)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Result(
            status: process.terminationStatus, stdout: try Data(contentsOf: out), stderr: try Data(contentsOf: err))
    }

    /// The full path of a program on PATH (or in the usual system folders), or nil.
    static func find(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders =
            path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/usr/sbin", "/sbin"]
        return folders.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// One HTTP exchange made with the real `curl`.
struct CurlResponse: Sendable {
    var status: Int
    /// Header fields in order, names lowercased.
    var headers: [(name: String, value: String)]
    var body: Data

    func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    func all(_ name: String) -> [String] {
        headers.filter { $0.name == name.lowercased() }.map(\.value)
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

enum Curl {
    /// `curl` against `http://127.0.0.1:port` + `path`, sent as is (`--path-as-is`: no `..` folding);
    /// `https://` with `tls` (any certificate accepted).
    static func request(
        port: Int, _ path: String, headers: [(String, String)] = [], head: Bool = false, compressed: Bool = false,
        method: String? = nil, tls: Bool = false
    ) async throws -> CurlResponse {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let headerFile = folder.appendingPathComponent("headers").path
        let bodyFile = folder.appendingPathComponent("body").path
        var arguments = ["-sS", "--path-as-is", "--max-time", "20", "-D", headerFile, "-o", bodyFile]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if head { arguments.append("--head") }
        if compressed { arguments.append("--compressed") }
        if let method { arguments += ["-X", method] }
        if tls { arguments.append("--insecure") }
        arguments.append("\(tls ? "https" : "http")://127.0.0.1:\(port)\(path)")
        let result = try await ProcessRunner.run(try curlPath(), arguments)
        guard result.status == 0 else {
            throw CurlError(
                message: "curl \(arguments.joined(separator: " ")): \(String(decoding: result.stderr, as: UTF8.self))")
        }
        let raw = String(decoding: try Data(contentsOf: URL(fileURLWithPath: headerFile)), as: UTF8.self)
        var lines = raw.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        let fields = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        // With --head curl writes the header block to the output file too: there is no body.
        let body = head ? Data() : (try? Data(contentsOf: URL(fileURLWithPath: bodyFile))) ?? Data()
        return CurlResponse(status: Int(statusLine[1]) ?? 0, headers: fields, body: body)
    }

    /// A HEAD then a GET of `path` over one kept-alive connection. Returns the GET's body and how many
    /// new connections it needed (curl's `%{num_connects}`).
    static func headThenGet(port: Int, _ path: String) async throws -> (body: Data, connections: String) {
        let url = "http://127.0.0.1:\(port)\(path)"
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: body) }
        let result = try await ProcessRunner.run(
            try curlPath(),
            [
                "-sS", "--max-time", "20", "--head", "-o", "/dev/null", url, "--next", "-sS", "--max-time", "20",
                "-o", body.path, "-w", "%{num_connects}", url,
            ])
        guard result.status == 0 else {
            throw CurlError(message: "curl HEAD+GET: \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return (try Data(contentsOf: body), String(decoding: result.stdout, as: UTF8.self))
    }

    static func curlPath() throws -> String {
        guard let path = ProcessRunner.find("curl") else { throw CurlError(message: "curl is not installed") }
        return path
    }
}

struct CurlError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
