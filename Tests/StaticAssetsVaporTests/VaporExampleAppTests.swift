import Foundation
import StaticAssets
import TestSupport
import Testing

/// The Vapor example of docs/guides/serving.md (Examples/VaporLeafApp): started as a process, its Leaf page fetched
/// over real HTTP with curl, and one asset it links to fetched with `Accept-Encoding: br`.
@Suite(.serialized, .enabled(if: Requirement.tool("curl"), "needs curl"))
struct VaporExampleAppTests {
    static var binary: String {
        URL(fileURLWithPath: TestSupport.collectstaticBinary).deletingLastPathComponent()
            .appendingPathComponent("StaticAssetsVaporExample").path
    }

    /// A running example app: its process and the base URL it printed.
    final class RunningApp: @unchecked Sendable {
        let process = Process()
        var base = ""

        init(arguments: [String], environment: [String: String]) throws {
            process.executableURL = URL(fileURLWithPath: VaporExampleAppTests.binary)
            process.arguments = arguments
            process.environment = environment
            process.currentDirectoryURL = TestSupport.packageRoot
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Vapor's "[ NOTICE ] Server started on http://127.0.0.1:PORT", read on its own thread
            // with a deadline.
            let reader = output.fileHandleForReading
            let text = LockedText()
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                while !text.value.contains("Server started on http") || !text.value.hasSuffix("\n") {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    text.append(String(decoding: chunk, as: UTF8.self))
                }
                done.signal()
            }
            guard done.wait(timeout: .now() + 120) == .success,
                let range = text.value.range(of: "Server started on ")
            else {
                stop()
                throw ConformanceError("the example app did not start: \(text.value)")
            }
            base = String(text.value[range.upperBound...].prefix { !$0.isWhitespace }) + "/"
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    static func curl(_ arguments: [String]) -> TestSupport.ProcessResult {
        TestSupport.run("/usr/bin/curl", ["-sS", "--max-time", "20"] + arguments)
    }

    @Test func productionPageLinksHashedAssetsWithIntegrityAndTheMiddlewareServesBrotli() async throws {
        let root = try await CollectedSite.shared.value
        let manifest = try CollectedSite.manifest(root)
        let app = try RunningApp(
            arguments: ["serve", "--env", "production"],
            environment: [
                "STATIC_ROOT": root.path, "PORT": "0",
                "TEMPLATES": CollectedSite.site.appendingPathComponent("templates").path,
            ])
        defer { app.stop() }
        #expect(app.base.hasPrefix("http://127.0.0.1:"))

        let page = Self.curl([app.base]).stdout
        let css = manifest.paths["css/app.css"]!
        let js = manifest.paths["js/app.js"]!
        #expect(page.contains("href=\"/static/\(css)\""), "\(page)")
        #expect(page.contains("integrity=\"\(manifest.files[css]!.integrity)\""))
        #expect(page.contains("src=\"/static/\(js)\""))
        #expect(page.contains("integrity=\"\(manifest.files[js]!.integrity)\""))
        #expect(page.contains("src=\"/static/\(manifest.paths["img/logo.svg"]!)\""))

        let asset = Self.curl(["-o", "/dev/null", "-D", "-", "-H", "Accept-Encoding: br", app.base + "static/" + css])
        let headers = asset.stdout.lowercased()
        #expect(headers.hasPrefix("http/1.1 200"), "\(asset.stdout) \(asset.stderr)")
        #expect(headers.contains("content-encoding: br"))
        #expect(headers.contains("cache-control: public, max-age=31536000, immutable"))
        #expect(headers.contains("content-length: \(manifest.files[css]!.encodings[.brotli]!.size)"))
        let body = TestSupport.temporaryDirectory("vapor-example-body").appendingPathComponent("app.css.br")
        _ = Self.curl(["-o", body.path, "-H", "Accept-Encoding: br", app.base + "static/" + css])
        #expect(try Data(contentsOf: body) == (try Data(contentsOf: root.appendingPathComponent(css + ".br"))))
    }

    /// With no `--env` Vapor runs in development: the page links unhashed URLs and the middleware
    /// serves them straight from Fixtures/site, uncached; no collect run is needed.
    @Test func developmentServesTheSourceFoldersWithoutACollect() async throws {
        let empty = TestSupport.temporaryDirectory("vapor-example-dev").appendingPathComponent("static")
        let app = try RunningApp(arguments: [], environment: ["STATIC_ROOT": empty.path, "PORT": "0"])
        defer { app.stop() }
        let page = Self.curl([app.base]).stdout
        #expect(page.contains("href=\"/static/css/app.css\""), "\(page)")
        #expect(page.contains("integrity=\"\""))
        #expect(page.contains("development: source folders"))
        let asset = Self.curl(["-D", "-", "-H", "Accept-Encoding: br", app.base + "static/css/app.css"])
        #expect(asset.stdout.lowercased().contains("cache-control: no-cache"), "\(asset.stdout)")
        let source = try String(contentsOfFile: CollectedSite.assets + "/css/app.css", encoding: .utf8)
        #expect(asset.stdout.hasSuffix(source))
    }

    @Test func inProductionWithoutACollectItSaysWhatToRunAndExitsWithOne() throws {
        let empty = TestSupport.temporaryDirectory("vapor-example-uncollected").appendingPathComponent("static")
        let result = TestSupport.run(
            Self.binary, ["serve", "--env", "production"], environment: ["STATIC_ROOT": empty.path, "PORT": "0"],
            currentDirectory: TestSupport.packageRoot, stdin: nil)
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "StaticAssetsVaporExample: error: static assets: cannot read manifest '\(empty.path)/staticfiles.json': no such file; run `collectstatic --noinput` first to collect the static files\n"
        )
    }
}

/// The Dockerfile for a Vapor app in docs/guides/serving.md: the build stage collects, the run stage gets the binary
/// and STATIC_ROOT; the run stage installs nothing, which holds only if the app links no library
/// beyond the Swift runtime (static there) and what every Debian image has.
@Suite struct VaporDockerfileTests {
    static func vaporDockerfile() throws -> String {
        let readme = try String(
            contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/guides/serving.md"), encoding: .utf8)
        let blocks = readme.matches(of: /```dockerfile\n((?:.|\n)*?)```/).map { String($0.1) }
        return try #require(blocks.first { $0.contains("StaticAssetsVaporExample") })
    }

    @Test func buildStageCollectsAndRunStageCopiesTheBinaryAndStaticRoot() throws {
        let dockerfile = try Self.vaporDockerfile().replacingOccurrences(of: "\\\n", with: " ")
        let stages = dockerfile.components(separatedBy: "\nFROM ")
        #expect(stages.count == 2)
        let build = stages[0]
        let run = stages[1]
        #expect(build.contains("swift build -c release --static-swift-stdlib --product StaticAssetsVaporExample"))
        #expect(build.contains(".build/release/collectstatic --noinput"))
        // collectstatic.json's STATIC_ROOT is what the run stage copies and the app is told.
        let settings = try JSONSerialization.jsonObject(
            with: Data(contentsOf: TestSupport.packageRoot.appendingPathComponent("collectstatic.json")))
        let staticRoot = try #require((settings as? [String: Any])?["STATIC_ROOT"] as? String)
        #expect(run.contains("COPY --from=build /app/\(staticRoot) ./\(staticRoot)"))
        #expect(run.contains("ENV STATIC_ROOT=/app/\(staticRoot)"))
        #expect(run.contains("COPY --from=build /app/.build/release/StaticAssetsVaporExample ./app"))
        #expect(run.contains(#"CMD ["./app", "serve", "--env", "production""#))
        #expect(!run.contains("apt-get"))
    }

    @Test(.enabled(if: Requirement.tool("ldd"), "needs ldd"))
    func theAppLinksNoCodecLibrary() throws {
        let linked = TestSupport.run("/usr/bin/ldd", [VaporExampleAppTests.binary]).stdout
            .split(separator: "\n").compactMap { $0.split(whereSeparator: \.isWhitespace).first.map(String.init) }
        #expect(linked.contains { $0.hasPrefix("libc.so") })
        // Swift's own libraries are linked statically with --static-swift-stdlib; the rest must be
        // in debian:bookworm-slim (libc6, libgcc-s1, libstdc++6, zlib1g).
        let debian = ["linux-vdso", "ld-linux", "libc.so", "libm.so", "libgcc_s", "libstdc++", "libz.so"]
        let swift = ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime"]
        for library in linked where !swift.contains(where: { library.hasPrefix($0) }) {
            #expect(debian.contains { library.contains($0) }, "\(library)")
        }
    }
}

/// Text appended from one thread and read from another.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    var value: String { lock.withLock { text } }
    func append(_ more: String) { lock.withLock { text += more } }
}
