import Foundation
import StaticAssets
import TestSupport
import Testing

/// The example app of docs/guides/serving.md: collect Fixtures/site, run the Hummingbird + Mustache app, fetch the page and
/// one of the assets it links to over real HTTP.
@Suite struct ExampleAppTests {
    @Test func pageLinksFingerprintedAssetsAndTheMiddlewareServesThem() throws {
        let dir = TestSupport.temporaryDirectory("example")
        let staticRoot = dir.appendingPathComponent("static")
        let site = TestSupport.fixtures.appendingPathComponent("site")
        let collect = CLI.run(
            [
                "--noinput", "--dir", site.appendingPathComponent("assets").path, "--dir",
                "vendor=" + site.appendingPathComponent("vendor").path, "--static-root", staticRoot.path,
                "--js-modules",
            ], in: dir)
        #expect(collect.status == 0, "\(collect.stderr)")
        let manifest = try Manifest(contentsOf: staticRoot.appendingPathComponent("staticfiles.json"))

        let environment = [
            "STATIC_ROOT": staticRoot.path, "PORT": "0", "TEMPLATES": site.appendingPathComponent("templates").path,
        ]
        try Self.withRunningApp(environment) { base in
            #expect(base.hasPrefix("http://127.0.0.1:"))

            let page = TestSupport.run("/usr/bin/curl", ["-s", base])
            let css = manifest.paths["css/app.css"]!
            #expect(page.stdout.contains("href=\"/static/\(css)\""), "\(page.stdout)")
            #expect(page.stdout.contains("integrity=\"\(manifest.files[css]!.integrity)\""))
            #expect(page.stdout.contains("src=\"/static/\(manifest.paths["js/app.js"]!)\""))

            let asset = TestSupport.run(
                "/usr/bin/curl",
                ["-s", "-o", "/dev/null", "-D", "-", "-H", "Accept-Encoding: br", base + "static/" + css])
            let headers = asset.stdout.lowercased()
            #expect(headers.hasPrefix("http/1.1 200"))
            #expect(headers.contains("content-encoding: br"))
            #expect(headers.contains("cache-control: public, max-age=31536000, immutable"))
        }
    }
}

extension ExampleAppTests {
    static var exampleBinary: String {
        URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent("StaticAssetsExample").path
    }

    /// `swift run StaticAssetsExample` before any collect: one message that says what to do, exit 1,
    /// never a trap (it used to die with SIGILL, exit 132, and a register dump).
    @Test func withoutACollectItSaysWhatToRunAndExitsWithOne() throws {
        let dir = TestSupport.temporaryDirectory("example-uncollected")
        let result = TestSupport.run(
            Self.exampleBinary, [], environment: ["PORT": "0"], currentDirectory: dir, stdin: nil)
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "StaticAssetsExample: error: cannot read manifest '\(dir.path)/public/static/staticfiles.json': no such file; run `collectstatic --noinput` first to collect the static files\n"
        )
        #expect(result.stdout.isEmpty)

        // A manifest that is there but broken is reported the same way.
        TestSupport.write("{", to: dir.appendingPathComponent("public/static/staticfiles.json"))
        let corrupt = TestSupport.run(
            Self.exampleBinary, [], environment: ["PORT": "0"], currentDirectory: dir, stdin: nil)
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.hasPrefix("StaticAssetsExample: error: corrupt manifest"), "\(corrupt.stderr)")
    }
}

extension ExampleAppTests {
    /// The example app started with `environment`, until `body` returns; `body` gets its base URL.
    static func withRunningApp(_ environment: [String: String], _ body: (String) throws -> Void) throws {
        let app = Process()
        app.executableURL = URL(fileURLWithPath: exampleBinary)
        app.environment = environment
        let output = Pipe()
        app.standardOutput = output
        app.standardError = FileHandle.nullDevice
        try app.run()
        defer {
            app.terminate()
            app.waitUntilExit()
        }
        let reader = output.fileHandleForReading
        let line = LockedText()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while !line.value.contains("\n") {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                line.append(String(decoding: chunk, as: UTF8.self))
            }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 60) == .success, "the example app did not start listening")
        let base = try #require(
            line.value.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        try body(base)
    }

    /// A re-collect while the app runs: within its reload interval the page links the new release's
    /// files, and the unhashed stylesheet comes with the new bytes and the new release's ETag; the
    /// old ETag no longer gets a 304.
    @Test func theRunningAppPicksUpAReCollectByItself() throws {
        let dir = TestSupport.temporaryDirectory("example-reload")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("site")
        try FileManager.default.copyItem(at: TestSupport.fixtures.appendingPathComponent("site"), to: site)
        let staticRoot = dir.appendingPathComponent("static")
        func collect() throws -> Manifest {
            let result = CLI.run(
                [
                    "--noinput", "--dir", site.appendingPathComponent("assets").path, "--dir",
                    "vendor=" + site.appendingPathComponent("vendor").path, "--static-root", staticRoot.path,
                    "--js-modules",
                ], in: dir)
            #expect(result.status == 0, "\(result.stderr)")
            return try Manifest(contentsOf: staticRoot.appendingPathComponent("staticfiles.json"))
        }
        let first = try collect()
        let environment = [
            "STATIC_ROOT": staticRoot.path, "PORT": "0", "TEMPLATES": site.appendingPathComponent("templates").path,
            "STATIC_RELOAD_INTERVAL": "0.5",
        ]
        try Self.withRunningApp(environment) { base in
            let before = TestSupport.run("/usr/bin/curl", ["-s", base]).stdout
            #expect(before.contains("href=\"/static/\(first.paths["css/app.css"]!)\""))
            let oldTag = TestSupport.run(
                "/usr/bin/curl", ["-s", "-o", "/dev/null", "-D", "-", base + "static/css/app.css"]
            )
            .stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }
            .map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) }
            #expect(oldTag != nil)

            let css = site.appendingPathComponent("assets/css/app.css")
            let source = try String(contentsOf: css, encoding: .utf8)
            try (source + "\n.reloaded { color: green }\n").write(to: css, atomically: true, encoding: .utf8)
            let second = try collect()
            let hashed = try #require(second.paths["css/app.css"])
            #expect(hashed != first.paths["css/app.css"])
            let deadline = Date().addingTimeInterval(3)
            var page = before
            while Date() < deadline && !page.contains(hashed) {
                Thread.sleep(forTimeInterval: 0.1)
                page = TestSupport.run("/usr/bin/curl", ["-s", base]).stdout
            }
            #expect(page.contains("href=\"/static/\(hashed)\""), "\(page)")
            #expect(page.contains("integrity=\"\(second.files[hashed]!.integrity)\""))

            let body = dir.appendingPathComponent("body")
            let unhashed = TestSupport.run(
                "/usr/bin/curl",
                ["-s", "-o", body.path, "-D", "-", "-H", "If-None-Match: \(oldTag ?? "")", base + "static/css/app.css"])
            #expect(unhashed.stdout.hasPrefix("HTTP/1.1 200"), "\(unhashed.stdout)")
            #expect(
                try Data(contentsOf: body) == (try Data(contentsOf: staticRoot.appendingPathComponent("css/app.css"))))
            let digest = second.files["css/app.css"]!.integrity.split(separator: "-", maxSplits: 1).last!
            #expect(unhashed.stdout.lowercased().contains("etag: \"\(digest.prefix(32).lowercased())\""))
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
