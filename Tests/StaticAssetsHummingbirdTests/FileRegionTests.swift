import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import StaticAssets
import StaticAssetsHummingbird
import StaticAssetsServer
import Synchronization
import TestSupport
import Testing

/// docs/guides/serving.md, "File bodies through sendfile": with a `StaticAssetsFileRegionHandler` in
/// the server's HTTP/1 channel, file bodies go to the socket as file regions (`sendfile`), with the
/// same fields, ranges, HEAD and 304 answers, from the file the responder opened; under TLS the
/// middleware reads chunks as before.
@Suite struct FileRegionTests {
    static let big = "data/big.bbbbbbbbbbbb.txt"
    static let css = "css/app.3f2a9c1b7d4e.css"

    static func server(_ counter: FileRegionCounter) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [StaticAssetsFileRegionHandler(counter: counter)]))
    }

    /// Waits (2 s at most) for the write of the last region to be reported: the handler counts a
    /// region when NIO completes its write, which curl can see the end of a moment before.
    static func settled(_ counter: FileRegionCounter, regions: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(2)
        while counter.regions < regions && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return counter.regions
    }

    @Test func fileBodiesGoToTheSocketAsFileRegions() async throws {
        let site = try await CompressedStaticRoot.shared.value
        let original = try site.data(Self.big)
        let counter = FileRegionCounter()
        let seen = Mutex<[LiveServer.Exchange]>([])
        try await LiveServer.with(
            site.responder(.init(memory: .disabled)), record: { exchange in seen.withLock { $0.append(exchange) } },
            server: Self.server(counter)
        ) { port in
            let whole = try await Curl.request(port: port, "/static/" + Self.big)
            #expect(whole.status == 200)
            #expect(whole.body == original)
            #expect(whole.header("content-length") == "\(original.count)")
            #expect(whole.header("x-static-assets-file-region") == nil)
            #expect(try await Self.settled(counter, regions: 1) == 1)
            #expect(counter.bytes == original.count)

            let part = try await Curl.request(port: port, "/static/" + Self.big, headers: [("Range", "bytes=100-4099")])
            #expect(part.status == 206)
            #expect(part.body == original.subdata(in: 100..<4100))
            #expect(part.header("content-range") == "bytes 100-4099/\(original.count)")
            #expect(try await Self.settled(counter, regions: 2) == 2)
            #expect(counter.bytes == original.count + 4000)

            // A small body from disk (the .br variant) goes the same way.
            let br = try await Curl.request(port: port, "/static/" + Self.css, headers: [("Accept-Encoding", "br")])
            #expect(br.header("content-encoding") == "br")
            #expect(br.body == (try site.data(Self.css + ".br")))
            #expect(try await Self.settled(counter, regions: 3) == 3)

            // HEAD and 304: the GET's fields, no body, no region.
            let head = try await Curl.request(port: port, "/static/" + Self.big, head: true)
            #expect(head.status == 200)
            #expect(head.header("content-length") == "\(original.count)")
            let etag = try #require(whole.header("etag"))
            let notModified = try await Curl.request(
                port: port, "/static/" + Self.big, headers: [("If-None-Match", etag)])
            #expect(notModified.status == 304)
            #expect(notModified.body.isEmpty)
            // A client's own copy of the private request field is not taken for the handler's.
            let forged = try await Curl.request(
                port: port, "/static/" + Self.big, headers: [("X-Static-Assets-Connection", "0123456789abcdef")])
            #expect(forged.body == original)
            #expect(try await Self.settled(counter, regions: 4) == 4)
            let token = try #require(seen.withLock { $0.last?.request["x-static-assets-connection"] })
            #expect(token != "0123456789abcdef")
            #expect(token.count == 32)
            // The server closing the connection after the response waits for the region's bytes.
            let closing = try await Curl.request(port: port, "/static/" + Self.big, headers: [("Connection", "close")])
            #expect(closing.body == original)
            #expect(try await Self.settled(counter, regions: 5) == 5)
            let app = try await Curl.request(port: port, "/hello")
            #expect(app.text == "hello from the app")
        }
    }

    /// The region is a descriptor of the file the responder opened: the file replaced at its path (a
    /// new release's file renamed over it) after the response was made, before its bytes are sent,
    /// changes none of them; the next request gets the new file.
    @Test func aFileRegionSendsTheFileTheResponderOpened() async throws {
        let site = try await CompressedStaticRoot.make()
        defer { try? FileManager.default.removeItem(at: site.base) }
        let original = try site.data(Self.big)
        let replacement = Data(repeating: 0x45, count: original.count)
        let counter = FileRegionCounter()
        let replace = ReplaceAfterResponse(
            path: "/static/" + Self.big, file: site.root.appendingPathComponent(Self.big), with: replacement)
        try await LiveServer.with(
            site.responder(.init(memory: .disabled)), server: Self.server(counter), outer: replace
        ) { port in
            let first = try await Curl.request(port: port, "/static/" + Self.big)
            #expect(replace.count == 1)
            #expect(first.body == original)
            #expect(try await Self.settled(counter, regions: 1) == 1)
            let second = try await Curl.request(port: port, "/static/" + Self.big)
            #expect(second.body == replacement)
        }
    }

    /// The region's descriptor (`OpenFile.duplicateDescriptor()`) is the file the responder opened, not
    /// what its path names when the region is made: a file renamed over the path in between changes
    /// nothing.
    @Test func theRegionsDescriptorIsTheOpenedFile() throws {
        let folder = TestSupport.temporaryDirectory("file-region-dup")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("app.css")
        try Data("old bytes".utf8).write(to: file)
        let open = try #require(OpenFile.open(path: file.path))
        try Data("NEW BYTES, longer".utf8).write(to: folder.appendingPathComponent("next.css"))
        #expect(rename(folder.appendingPathComponent("next.css").path, file.path) == 0)
        let descriptor = try #require(open.duplicateDescriptor())
        let copy = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        #expect(try copy.readToEnd() == Data("old bytes".utf8))
    }

    /// Under TLS (Hummingbird's `.tls` around the same HTTP/1 channel) the handler finds ciphertext
    /// next to the socket and lets the middleware read chunks: the bodies are right, no region is
    /// written (a `FileRegion` reaching NIOSSL would stop the process).
    @Test(.enabled(if: Requirement.tool("openssl"), "needs openssl"))
    func underTLSBodiesAreReadNotSentAsRegions() async throws {
        let site = try await CompressedStaticRoot.shared.value
        let original = try site.data(Self.big)
        let folder = TestSupport.temporaryDirectory("file-region-tls")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("key.pem").path
        let certificate = folder.appendingPathComponent("cert.pem").path
        let made = TestSupport.shell(
            "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 -keyout '\(key)' -out '\(certificate)'"
        )
        try #require(made.status == 0, "openssl: \(made.stderr)")
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        let counter = FileRegionCounter()
        try await LiveServer.with(
            site.responder(.init(memory: .disabled)), chunkLength: 16 * 1024,
            server: try .tls(Self.server(counter), tlsConfiguration: tls)
        ) { port in
            let whole = try await Curl.request(port: port, "/static/" + Self.big, tls: true)
            #expect(whole.status == 200)
            #expect(whole.body == original)
            let part = try await Curl.request(
                port: port, "/static/" + Self.big, headers: [("Range", "bytes=100-4099")], tls: true)
            #expect(part.body == original.subdata(in: 100..<4100))
            #expect(whole.header("x-static-assets-file-region") == nil)
        }
        #expect(counter.regions == 0)
    }
}

/// Renames a new file over `file` once the static middleware has answered `path` (before the body is
/// sent), and counts how often it did.
final class ReplaceAfterResponse: RouterMiddleware, Sendable {
    let path: String
    let file: URL
    let replacement: Data
    private let done = Mutex(0)

    init(path: String, file: URL, with replacement: Data) {
        self.path = path
        self.file = file
        self.replacement = replacement
    }

    var count: Int { done.withLock { $0 } }

    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    ) async throws -> Response {
        let response = try await next(request, context)
        guard request.uri.path == path, done.withLock({ $0 }) == 0 else { return response }
        let next = file.deletingLastPathComponent().appendingPathComponent("next-\(UUID().uuidString)")
        try replacement.write(to: next)
        guard rename(next.path, file.path) == 0 else { throw CurlError(message: "rename failed: \(errno)") }
        done.withLock { $0 += 1 }
        return response
    }
}
