import Foundation

/// One request of the conformance table: what is sent.
public struct ConformanceRequest: Sendable, CustomStringConvertible {
    public var method: String
    /// The request target as sent (`--path-as-is`: no `..` folding by the client).
    public var path: String
    public var headers: [(name: String, value: String)]

    public init(_ method: String, _ path: String, _ headers: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.headers = headers
    }

    public var description: String {
        "\(method) \(path)" + headers.map { " [\($0.name): \($0.value)]" }.joined()
    }
}

/// What came back, however it was obtained (the responder called directly, or real HTTP).
public struct ConformanceExchange: Sendable {
    /// 0 when the request was passed on to the application (the responder's nil).
    public var status: Int
    /// Field names lowercased, in the order received.
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    /// The fields that the responder decides: all but those a server adds on its own (`Date`,
    /// `Connection`, `Server`, `Keep-Alive`). A 304's `Content-Length` is left out too: the responder
    /// sets it (the size a 200 would have), and SwiftNIO's HTTP/1 encoder, under both Hummingbird and
    /// Vapor, removes it from every response that has no body by its status (RFC 9110 §8.6 allows both).
    public var responderFields: [String] {
        headers.filter { !Self.serverFields.contains($0.name) && !(status == 304 && $0.name == "content-length") }
            .map { "\($0.name): \($0.value)" }
    }

    static let serverFields: Set<String> = ["date", "connection", "server", "keep-alive"]
}

/// Sends a table request with the real `curl` to `http://127.0.0.1:port` (async: the process exit is
/// awaited through its termination handler, no thread blocked).
public enum ConformanceHTTP {
    public static func send(_ request: ConformanceRequest, port: Int) async throws -> ConformanceExchange {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let headerFile = folder.appendingPathComponent("headers")
        let bodyFile = folder.appendingPathComponent("body")
        let errorFile = folder.appendingPathComponent("stderr")
        try Data().write(to: errorFile)
        var arguments = ["-sS", "--path-as-is", "--max-time", "20", "-D", headerFile.path, "-o", bodyFile.path]
        for (name, value) in request.headers { arguments += ["-H", "\(name): \(value)"] }
        switch request.method {
        case "GET": break
        case "HEAD": arguments.append("--head")
        default: arguments += ["-X", request.method]
        }
        arguments.append("http://127.0.0.1:\(port)\(request.path)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard process.terminationStatus == 0 else {
            let message = String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
            throw ConformanceError("curl \(request): exit \(process.terminationStatus): \(message)")
        }
        let raw = String(decoding: try Data(contentsOf: headerFile), as: UTF8.self)
        var lines = raw.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw ConformanceError("curl \(request): no response") }
        let statusLine = lines.removeFirst().split(separator: " ")
        let fields = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        // With --head curl writes the header block to the output file too: there is no body.
        let body = request.method == "HEAD" ? Data() : (try? Data(contentsOf: bodyFile)) ?? Data()
        return ConformanceExchange(
            status: statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0, headers: fields, body: body)
    }
}

public struct ConformanceError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ConformanceExchange {
    /// An answer from the application behind the middleware (`X-Passed-On: 1`) becomes status 0 with
    /// no fields, as the responder's nil does.
    public static func passedOnMarked(_ exchange: ConformanceExchange) -> ConformanceExchange {
        guard exchange.header("x-passed-on") == "1",
            String(decoding: exchange.body, as: UTF8.self) == ConformanceTable.passedOnBody
        else { return exchange }
        return ConformanceExchange(status: 0, headers: [], body: Data())
    }
}
