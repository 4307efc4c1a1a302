import Foundation
import TestSupport

@testable import CollectStaticS3

/// One of the moto fixture scripts (Tests/S3) started on a free loopback port: its first line says
/// where it listens and with which key; it exits when its stdin (`input`) closes.
struct MotoLaunch {
    let process: Process
    let input: Pipe
    let port: Int
    let accessKey: String
    let secretKey: String

    struct Failure: Error {
        let text: String
    }

    static func start(_ script: String) throws -> MotoLaunch {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PythonTools.script(script)]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure(text: "exited before it was ready") }
            line += chunk
        }
        guard let json = try JSONSerialization.jsonObject(with: line) as? [String: Any],
            let port = json["port"] as? Int, let access = json["access_key"] as? String,
            let secret = json["secret_key"] as? String
        else { throw Failure(text: String(decoding: line, as: UTF8.self)) }
        return MotoLaunch(process: process, input: input, port: port, accessKey: access, secretKey: secret)
    }
}

/// Measured: moto 5.2.1's signature check re-quotes the path its own way, so keys with `+`, `(`,
/// or non-ASCII letters get 403 SignatureDoesNotMatch even from boto3 (space, `~` and `/` pass).
/// Keys sent to moto avoid them; the signer's handling of them is proven against botocore instead.
/// One moto S3 server for the test process (Tests/S3/moto_server.py): loopback, free port, signature
/// checking on, a request log and injected faults. It exits when this process ends (its stdin closes).
final class MotoServer: Sendable {
    let port: Int
    let accessKey: String
    let secretKey: String
    private let process: Process
    private let input: Pipe

    var endpoint: String { "http://127.0.0.1:\(port)" }

    enum StartError: Error, CustomStringConvertible {
        case failed(String)
        var description: String {
            switch self {
            case .failed(let text): "moto did not start: \(text)"
            }
        }
    }

    /// The shared server, started on first use.
    static let shared: Result<MotoServer, StartError> = Result { try MotoServer() }.mapError {
        $0 as? StartError ?? .failed("\($0)")
    }

    static func get() throws -> MotoServer { try shared.get() }

    private init() throws {
        let launch: MotoLaunch
        do {
            launch = try MotoLaunch.start("moto_server.py")
        } catch let failure as MotoLaunch.Failure {
            throw StartError.failed(failure.text)
        }
        (process, input, port, accessKey, secretKey) = (
            launch.process, launch.input, launch.port, launch.accessKey, launch.secretKey
        )
    }

    /// A client configuration for `bucket` on this server.
    func configuration(
        bucket: String, prefix: String = "", secret: String? = nil, retry: RetryPolicy = RetryPolicy(attempts: 3)
    ) -> S3Configuration {
        S3Configuration(
            bucket: bucket, prefix: prefix, scheme: "http", host: "127.0.0.1", port: port, region: "us-east-1",
            credentials: Credentials(accessKeyID: accessKey, secretAccessKey: secret ?? secretKey),
            addressing: .path, retry: retry)
    }

    /// boto3 as the independent peer (Tests/S3/s3_peer.py); the JSON it printed.
    func peer(_ arguments: String...) throws -> Any {
        let result = TestSupport.run(
            "/usr/bin/env", ["python3", PythonTools.script("s3_peer.py"), endpoint, accessKey, secretKey] + arguments)
        guard result.status == 0 else { throw StartError.failed("s3_peer \(arguments): \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
    }

    /// A new bucket with a unique name.
    func makeBucket(_ label: String) throws -> String {
        let name = "\(label)-\(UInt32.random(in: 0...UInt32.max))"
        _ = try peer("create-bucket", name)
        return name
    }

    struct LoggedRequest: Decodable {
        let method: String
        let uri: String
        /// A PUT with `x-amz-copy-source` (CopyObject).
        let copy: Bool
    }

    /// Every request moto received so far.
    func requests() throws -> [LoggedRequest] {
        return try JSONDecoder().decode([LoggedRequest].self, from: try control("__requests"))
    }

    /// The next `count` requests whose URI contains `match` (and with `method`, when given) get
    /// `status`/`code` instead of moto's answer.
    func inject(status: Int, code: String, count: Int, match: String, method: String = "") throws {
        _ = try control(
            "__fault?status=\(status)&code=\(code)&count=\(count)&match=\(Self.escape(match))&method=\(method)")
    }

    /// The next `count` matching requests have their connection reset (RST, no answer).
    func injectReset(count: Int, match: String, method: String = "") throws {
        _ = try control("__fault?kind=reset&count=\(count)&match=\(Self.escape(match))&method=\(method)")
    }

    /// The next `count` matching requests reach moto, which does the work, but their answer is lost.
    func injectLostAnswer(count: Int, match: String, method: String = "") throws {
        _ = try control("__fault?kind=lose&count=\(count)&match=\(Self.escape(match))&method=\(method)")
    }

    /// The next `count` matching requests reach moto only after `seconds` (a slow response).
    func injectDelay(seconds: Double, count: Int, match: String, method: String = "") throws {
        _ = try control(
            "__fault?kind=delay&seconds=\(seconds)&count=\(count)&match=\(Self.escape(match))&method=\(method)")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    struct Verification: Decodable {
        /// SHA-256 of the pointer's bytes; nil when there is no pointer.
        let pointer: String?
        let checked: Int
        /// Problems of hashed names (and their variants and deltas).
        let problems: [String]
        /// Problems of the originals (unhashed names and their variants).
        let originals: [String]
        /// The history's newest release is the pointer's, with its originals placed.
        let originalsPlaced: Bool

        enum CodingKeys: String, CodingKey {
            case pointer, checked, problems, originals
            case originalsPlaced = "originals_placed"
        }

        /// Every name the pointer lists, hashed or not, holds the bytes the manifest records.
        var whole: Bool { problems.isEmpty && originals.isEmpty }
    }

    /// boto3 reads the pointer manifest `prefix/manifest` and every object it lists, hashed or not (sizes,
    /// digests, variants decoded with gzip, the brotli CLI and the zstd CLI): Tests/S3/s3_peer.py.
    func verify(bucket: String, prefix: String, manifest: String = "staticfiles.json") throws -> Verification {
        let result = TestSupport.run(
            "/usr/bin/env",
            [
                "python3", PythonTools.script("s3_peer.py"), endpoint, accessKey, secretKey, "verify", bucket, prefix,
                manifest,
            ])
        guard result.status == 0 else { throw StartError.failed("s3_peer verify: \(result.stderr)") }
        return try JSONDecoder().decode(Verification.self, from: Data(result.stdout.utf8))
    }

    /// A GET of the fixture's own control endpoints (never signed, never logged).
    private func control(_ path: String) throws -> Data {
        let result = TestSupport.run("/usr/bin/env", ["curl", "-sSf", "\(endpoint)/\(path)"])
        guard result.status == 0 else { throw StartError.failed("curl \(path): \(result.stderr)") }
        return Data(result.stdout.utf8)
    }
}
