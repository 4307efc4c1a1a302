import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// nginx in front of a bucket on ``EdgeMoto``, configured with the block of docs/guides/cdn.md
/// ("Serving the bucket"), read from the doc at test time so that the doc cannot drift from what is
/// tested. Runs in the foreground (`daemon off; master_process off;`) with its config, logs and
/// temp folders in `base/nginx`; stopped with SIGKILL to the process it started (a child of a test
/// runner thread inherits a blocked signal mask and would not see SIGTERM).
final class BucketEdge: Sendable {
    let port: Int
    let folder: URL
    private let process: Process

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs where nginx is installed, and always in CI (where its absence fails the test).
    static let available = Requirement.tool("nginx")

    static let docPath = "docs/guides/cdn.md"
    static let marker = "<!-- edge-nginx:"
    /// The values the doc's block uses for the bucket; the test replaces each with its own.
    static let docEndpoint = "127.0.0.1:9000"
    static let docBucketPath = "/my-bucket/site/static/"
    static let docListen = "listen 8080;"

    /// The fenced `nginx` block that follows the marker in docs/guides/cdn.md.
    static func documentedBlock() throws -> String {
        let doc = try String(
            contentsOf: TestSupport.packageRoot.appendingPathComponent(docPath), encoding: .utf8)
        guard let marker = doc.range(of: marker),
            let open = doc.range(of: "```nginx\n", range: marker.upperBound..<doc.endIndex),
            let close = doc.range(of: "\n```", range: open.upperBound..<doc.endIndex)
        else { throw Failure(description: "\(docPath) has no ```nginx block after '\(Self.marker)'") }
        return String(doc[open.upperBound..<close.lowerBound])
    }

    /// The doc's block for `bucket`/`prefix` on `moto`, listening on `port`; `extra` goes into the
    /// server block (the test's own page).
    static func configuration(moto: EdgeMoto, bucket: String, prefix: String, port: Int, extra: String = "")
        throws -> String
    {
        var block = try documentedBlock()
        for placeholder in [docEndpoint, docBucketPath, docListen] where !block.contains(placeholder) {
            throw Failure(description: "\(docPath)'s nginx block no longer contains '\(placeholder)'")
        }
        block = block.replacingOccurrences(of: docEndpoint, with: "127.0.0.1:\(moto.port)")
        block = block.replacingOccurrences(of: docBucketPath, with: "/\(bucket)/\(prefix)/")
        block = block.replacingOccurrences(of: docListen, with: "listen 127.0.0.1:\(port);\n" + extra)
        return block
    }

    private init(port: Int, folder: URL, process: Process) {
        self.port = port
        self.folder = folder
        self.process = process
    }

    /// Starts nginx with the documented block in front of `bucket`/`prefix`.
    static func start(moto: EdgeMoto, bucket: String, prefix: String, base: URL, extra: String = "") async throws
        -> BucketEdge
    {
        let nginx = try #require(
            ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }, "nginx is not installed")
        let folder = base.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        let port = try freePort()
        let temp = folder.appendingPathComponent("tmp").path
        let block = try configuration(moto: moto, bucket: bucket, prefix: prefix, port: port, extra: extra)
        let config = """
            daemon off;
            master_process off;
            worker_processes 1;
            error_log \(folder.path)/error.log warn;
            pid \(folder.path)/nginx.pid;
            events { worker_connections 64; }
            http {
                log_format edge '$request_uri $status $sent_http_content_encoding';
                access_log \(folder.path)/access.log edge;
                default_type application/octet-stream;
                client_body_temp_path \(temp)/body;
                proxy_temp_path \(temp)/proxy;
                fastcgi_temp_path \(temp)/fastcgi;
                uwsgi_temp_path \(temp)/uwsgi;
                scgi_temp_path \(temp)/scgi;
            \(block)
            }
            """
        let configPath = folder.appendingPathComponent("nginx.conf").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-p", folder.path, "-c", configPath, "-e", folder.path + "/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let started = BucketEdge(port: port, folder: folder, process: process)
        for _ in 0..<100 {
            if TestSupport.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"])
                .status == 0
            {
                return started
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        started.stop()
        let log = (try? String(contentsOfFile: folder.path + "/error.log", encoding: .utf8)) ?? ""
        throw Failure(description: "nginx did not start on port \(port): \(log)")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// nginx's access log so far: one line per request, `URI STATUS CONTENT-ENCODING`.
    func accessLog() -> [String] {
        let text = (try? String(contentsOfFile: folder.path + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// A port nobody listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// One HTTP exchange made with the curl CLI (it adds no Accept-Encoding and decodes nothing unless
/// told): status, headers (lowercased names) and the body's bytes as sent.
struct EdgeResponse {
    let status: Int
    let headers: [(String, String)]
    let body: Data

    func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
    func all(_ name: String) -> [String] { headers.filter { $0.0 == name.lowercased() }.map(\.1) }

    static func get(_ url: String, headers: [(String, String)] = [], method: String = "GET") throws -> EdgeResponse {
        let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("edge-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: bodyFile) }
        if method == "HEAD" { return try head(url, headers: headers) }
        var arguments = ["curl", "-s", "-g", "-X", method, "-o", bodyFile.path, "-D", "-", url]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        let result = TestSupport.run("/usr/bin/env", arguments)
        guard result.status == 0 else { throw BucketEdge.Failure(description: "curl \(url): \(result.stderr)") }
        let lines = result.stdout.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw BucketEdge.Failure(description: "curl \(url): no status line in \(result.stdout)") }
        let fields: [(String, String)] = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                line[..<colon].lowercased(),
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        let body = (try? Data(contentsOf: bodyFile)) ?? Data()
        return EdgeResponse(status: status, headers: fields, body: body)
    }

    /// A HEAD over a raw HTTP/1.0 connection read to its end, so that a body sent after the headers
    /// shows (curl's `-I` would not read one, and its `-X HEAD` waits for the announced length).
    static func head(_ url: String, headers: [(String, String)]) throws -> EdgeResponse {
        let script = """
            import socket, sys, urllib.parse
            u = urllib.parse.urlsplit(sys.argv[1])
            s = socket.create_connection((u.hostname, u.port))
            lines = [f"HEAD {u.path} HTTP/1.0", f"Host: {u.netloc}"] + sys.argv[2:]
            s.sendall(("\\r\\n".join(lines) + "\\r\\n\\r\\n").encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            sys.stdout.buffer.write(data)
            """
        let result = TestSupport.run(
            "/usr/bin/env", ["python3", "-c", script, url] + headers.map { "\($0.0): \($0.1)" })
        guard result.status == 0, let end = result.stdout.range(of: "\r\n\r\n") else {
            throw BucketEdge.Failure(description: "HEAD \(url): \(result.stderr)")
        }
        let lines = result.stdout[..<end.lowerBound].split(separator: "\r\n")
        guard let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") else {
            throw BucketEdge.Failure(description: "HEAD \(url): no status line")
        }
        let fields: [(String, String)] = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return EdgeResponse(status: status, headers: fields, body: Data(result.stdout[end.upperBound...].utf8))
    }
}
