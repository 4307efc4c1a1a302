import CollectStatic
import Foundation
import StaticAssets
import StaticAssetsServer
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The same STATIC_ROOT behind Debian's nginx (`gzip_static`, `brotli_static`) with the location block
/// docs/guides/nginx.md recommends: nginx must hand out the precompressed files byte for byte, with the same
/// cache headers our middleware sends. Skipped, with the reason printed, when nginx or the brotli
/// module is missing.
@Suite struct NginxInteropTests {
    static let modulePaths = [
        "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so",
        "/usr/share/nginx/modules/ngx_http_brotli_static_module.so",
        "/usr/lib64/nginx/modules/ngx_http_brotli_static_module.so",
    ]

    /// The block of docs/guides/nginx.md, with the paths filled in.
    static func locationBlock(root: String) -> String {
        """
        location /static/ {
            root \(root);
            gzip_static on;
            brotli_static on;
            gzip_vary on;
            add_header Cache-Control "public, max-age=60";
            error_page 404 = @static_miss;
            location ~ "/\\." { return 404; }
            location = /static/staticfiles.json { return 404; }
            location ~ "\\.[0-9a-f]{12}(\\.[^/.]+)?$" {
                add_header Cache-Control "public, max-age=31536000, immutable";
            }
        }
        location @static_miss {
            add_header Cache-Control "no-cache" always;
            return 404;
        }
        """
    }

    /// Runs where nginx and its brotli_static module are installed, and always in CI (`.ci/run`
    /// installs them), where their absence fails the test.
    static let nginxAvailable =
        Requirement.isCI
        || (ProcessRunner.find("nginx") != nil && modulePaths.contains { FileManager.default.fileExists(atPath: $0) })

    @Test(.enabled(if: nginxAvailable, "needs nginx and libnginx-mod-http-brotli-static"))
    func nginxServesThePrecompressedFilesByteForByte() async throws {
        let nginx = try #require(ProcessRunner.find("nginx"), "nginx is not installed")
        let module = try #require(
            Self.modulePaths.first(where: { FileManager.default.fileExists(atPath: $0) }),
            "ngx_http_brotli_static_module.so not found (apt-get install libnginx-mod-http-brotli-static)")
        let site = try await CompressedStaticRoot.make()
        let server = try await NginxProcess.start(nginx: nginx, module: module, base: site.base) { port in
            """
            server {
                listen 127.0.0.1:\(port);
                \(Self.locationBlock(root: site.base.appendingPathComponent("www").path))
            }
            """
        }
        defer { server.stop() }
        try await LiveServer.with(site.responder()) { ours in
            for name in [
                "css/app.3f2a9c1b7d4e.css", "js/app.0123456789ab.js", "img/logo.5d41402abc4b.svg",
                "data/big.bbbbbbbbbbbb.txt",
            ] {
                for (encoding, suffix) in [("br", ".br"), ("gzip", ".gz")] {
                    let theirs = try await Curl.request(
                        port: server.port, "/static/" + name, headers: [("Accept-Encoding", encoding)])
                    #expect(theirs.status == 200, "\(name)")
                    #expect(theirs.header("content-encoding") == encoding, "\(name)")
                    #expect(theirs.body == (try site.data(name + suffix)), "\(name) \(encoding)")
                    #expect(theirs.header("vary") == "Accept-Encoding")
                    #expect(theirs.header("cache-control") == "public, max-age=31536000, immutable")
                    let mine = try await Curl.request(
                        port: ours, "/static/" + name, headers: [("Accept-Encoding", encoding)])
                    #expect(mine.body == theirs.body, "\(name) \(encoding): middleware and nginx differ")
                    #expect(mine.header("content-encoding") == theirs.header("content-encoding"))
                }
                let plain = try await Curl.request(port: server.port, "/static/" + name)
                #expect(plain.header("content-encoding") == nil)
                #expect(plain.body == (try site.data(name)))
            }
            let unhashed = try await Curl.request(
                port: server.port, "/static/css/app.css", headers: [("Accept-Encoding", "br")])
            #expect(unhashed.header("cache-control") == "public, max-age=60")
            #expect(unhashed.body == (try site.data("css/app.css.br")))
            for path in ["/static/.env", "/static/css/.hidden.css", "/static/staticfiles.json", "/static/missing.css"] {
                let miss = try await Curl.request(port: server.port, path)
                #expect(miss.status == 404, "\(path)")
                #expect(miss.all("cache-control") == ["no-cache"], "\(path)")
            }
        }
    }

    /// The claim of docs/guides/nginx.md about deltas behind nginx: with the recommended block, a browser holding
    /// release 1 of a script and asking for release 2 with `Available-Dictionary` and `dcz` gets the
    /// `.br` from nginx (the static modules pick a file by `Accept-Encoding` alone, and their `Vary`
    /// does not name `Available-Dictionary`), while our responder on the same STATIC_ROOT sends the delta.
    @Test(.enabled(if: nginxAvailable, "needs nginx and libnginx-mod-http-brotli-static"))
    func nginxCannotPickADeltaByAvailableDictionary() async throws {
        let nginx = try #require(ProcessRunner.find("nginx"), "nginx is not installed")
        let module = try #require(
            Self.modulePaths.first(where: { FileManager.default.fileExists(atPath: $0) }),
            "ngx_http_brotli_static_module.so not found (apt-get install libnginx-mod-http-brotli-static)")
        let base = TestSupport.temporaryDirectory("nginx-dcz").resolvingSymlinksInPath()
        let src = base.appendingPathComponent("src")
        let root = base.appendingPathComponent("www/static")
        let v1 = DictionaryTransportTests.script("document.title = 'release 1';\n")
        for release in [v1, DictionaryTransportTests.script("document.title = 'release 2';\n")] {
            TestSupport.write(Data(release), to: src.appendingPathComponent("js/app.js"))
            let configuration = Configuration(
                sourceRoots: [SourceRoot(path: src.path)], staticRoot: root.path,
                compression: CompressionPolicy(brotliQuality: 5))
            _ = try await Collector(configuration: configuration).run()
        }
        let resolver = try AssetResolver(manifestPath: root.appendingPathComponent("staticfiles.json").path)
        let url = try resolver.url(for: "js/app.js")
        let hashed = String(url.dropFirst("/static/".count))
        #expect(resolver.manifest.files[hashed]?.deltas.isEmpty == false, "release 2 has a dcz delta")
        let headers = [
            ("Accept-Encoding", "gzip, deflate, br, zstd, dcb, dcz"),
            ("Available-Dictionary", ":" + Data(ZstdTool.sha256(v1)).base64EncodedString() + ":"),
        ]
        let server = try await NginxProcess.start(nginx: nginx, module: module, base: base) { port in
            """
            server {
                listen 127.0.0.1:\(port);
                \(Self.locationBlock(root: base.appendingPathComponent("www").path))
            }
            """
        }
        defer { server.stop() }
        let theirs = try await Curl.request(port: server.port, url, headers: headers)
        #expect(theirs.status == 200)
        #expect(theirs.header("content-encoding") == "br")
        #expect(theirs.body == (try Data(contentsOf: root.appendingPathComponent(hashed + ".br"))))
        #expect(theirs.header("vary") == "Accept-Encoding")
        let responder = StaticFileResponder(staticRoot: root.path, resolver: resolver)
        try await LiveServer.with(responder) { port in
            let mine = try await Curl.request(port: port, url, headers: headers)
            #expect(mine.header("content-encoding") == "dcz")
            #expect(mine.header("vary") == "Accept-Encoding, Available-Dictionary")
            #expect(mine.body.count * 10 < theirs.body.count, "dcz \(mine.body.count) B, br \(theirs.body.count) B")
        }
    }
}

/// nginx in the foreground (`daemon off; master_process off;`) on a free loopback port, with its
/// config, logs and temp folders in `base/nginx`. Stopped with SIGKILL to the process we started:
/// a child spawned from a thread of the test runner inherits its blocked signal mask, so nginx
/// never sees SIGTERM or SIGQUIT (and in single-process mode it has nothing to clean up).
final class NginxProcess: Sendable {
    let port: Int
    private let process: Process

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    static func start(nginx: String, module: String, base: URL, server: (Int) -> String) async throws -> NginxProcess {
        let folder = base.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        let port = try freePort()
        let temp = folder.appendingPathComponent("tmp").path
        let mimeTypes =
            FileManager.default.fileExists(atPath: "/etc/nginx/mime.types")
            ? "include /etc/nginx/mime.types;" : "types { text/css css; text/javascript js; image/svg+xml svg; }"
        let config = """
            load_module \(module);
            daemon off;
            master_process off;
            worker_processes 1;
            error_log \(folder.path)/error.log warn;
            pid \(folder.path)/nginx.pid;
            events { worker_connections 64; }
            http {
                access_log off;
                \(mimeTypes)
                default_type application/octet-stream;
                client_body_temp_path \(temp)/body;
                proxy_temp_path \(temp)/proxy;
                fastcgi_temp_path \(temp)/fastcgi;
                uwsgi_temp_path \(temp)/uwsgi;
                scgi_temp_path \(temp)/scgi;
                \(server(port))
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
        let started = NginxProcess(port: port, process: process)
        for _ in 0..<100 {
            if (try? await Curl.request(port: port, "/")) != nil { return started }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        started.stop()
        let log = (try? String(contentsOfFile: folder.path + "/error.log", encoding: .utf8)) ?? ""
        throw CurlError(message: "nginx did not start on port \(port): \(log)")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A port nobody listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CurlError(message: "socket() failed") }
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
        guard bound else { throw CurlError(message: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
