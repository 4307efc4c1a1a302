import Foundation
import TestSupport

/// A second moto S3 server for the edge tests (Tests/S3/moto_edge_server.py): the same fixture as
/// ``MotoServer`` (signature checking on for signed requests, the request log), plus anonymous
/// reads judged by the bucket policy the way S3 judges them, which an edge such as nginx needs. A
/// bucket is private until ``makePublicBucket(_:prefix:)`` gives it the policy of docs/guides/cdn.md.
final class EdgeMoto: Sendable {
    let port: Int
    let accessKey: String
    let secretKey: String
    private let process: Process
    private let input: Pipe

    var endpoint: String { "http://127.0.0.1:\(port)" }

    struct StartError: Error, CustomStringConvertible {
        let description: String
    }

    static let shared: Result<EdgeMoto, StartError> = Result { try EdgeMoto() }.mapError {
        $0 as? StartError ?? StartError(description: "moto did not start: \($0)")
    }

    static func get() throws -> EdgeMoto { try shared.get() }

    private init() throws {
        let launch: MotoLaunch
        do {
            launch = try MotoLaunch.start("moto_edge_server.py")
        } catch let failure as MotoLaunch.Failure {
            throw StartError(description: "moto: " + failure.text)
        }
        (process, input, port, accessKey, secretKey) = (
            launch.process, launch.input, launch.port, launch.accessKey, launch.secretKey
        )
    }

    private func python(_ script: String, _ arguments: [String]) throws -> String {
        let result = TestSupport.run(
            "/usr/bin/env", ["python3", PythonTools.script(script), endpoint, accessKey, secretKey] + arguments)
        guard result.status == 0 else { throw StartError(description: "\(script) \(arguments): \(result.stderr)") }
        return result.stdout
    }

    /// A new private bucket with a unique name.
    func makeBucket(_ label: String) throws -> String {
        let name = "\(label)-\(UInt32.random(in: 0...UInt32.max))"
        _ = try python("s3_peer.py", ["create-bucket", name])
        return name
    }

    /// A new bucket whose `prefix` anyone may read (the bucket policy of docs/guides/cdn.md).
    /// `motoHead`: also allow `s3:HeadObject`, the action moto judges an anonymous HEAD by (AWS judges
    /// it by `s3:GetObject`, the policy's own action).
    func makePublicBucket(_ label: String, prefix: String, motoHead: Bool = false) throws -> String {
        let name = try makeBucket(label)
        _ = try python("edge_peer.py", [motoHead ? "public-read-head" : "public-read", name, prefix])
        return name
    }

    /// `collectstatic --dir src --static-root root` in `directory`, publishing to `storage` on this server.
    func collect(_ directory: URL, storage: String, extra: [String: String] = [:]) -> TestSupport.ProcessResult {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "COLLECTSTATIC_STORAGE": storage, "AWS_ENDPOINT_URL_S3": endpoint, "AWS_ACCESS_KEY_ID": accessKey,
            "AWS_SECRET_ACCESS_KEY": secretKey,
        ]
        environment.merge(extra) { _, new in new }
        return TestSupport.run(
            TestSupport.collectstaticBinary, ["--noinput", "--dir", "src", "--static-root", "root"],
            environment: environment, currentDirectory: directory)
    }
}
