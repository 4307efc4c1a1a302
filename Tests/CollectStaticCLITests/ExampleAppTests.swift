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

        let app = Process()
        app.executableURL = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent(
            "StaticAssetsExample")
        app.environment = [
            "STATIC_ROOT": staticRoot.path, "PORT": "0", "TEMPLATES": site.appendingPathComponent("templates").path,
        ]
        let output = Pipe()
        app.standardOutput = output
        app.standardError = FileHandle.nullDevice
        try app.run()
        defer {
            app.terminate()
            app.waitUntilExit()
        }
        // "listening on http://127.0.0.1:PORT/", read on its own thread with a deadline.
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
        let printed = line.value
        let base = try #require(
            printed.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(base.hasPrefix("http://127.0.0.1:"))

        let page = TestSupport.run("/usr/bin/curl", ["-s", base])
        let css = manifest.paths["css/app.css"]!
        #expect(page.stdout.contains("href=\"/static/\(css)\""), "\(page.stdout)")
        #expect(page.stdout.contains("integrity=\"\(manifest.files[css]!.integrity)\""))
        #expect(page.stdout.contains("src=\"/static/\(manifest.paths["js/app.js"]!)\""))

        let asset = TestSupport.run(
            "/usr/bin/curl", ["-s", "-o", "/dev/null", "-D", "-", "-H", "Accept-Encoding: br", base + "static/" + css])
        let headers = asset.stdout.lowercased()
        #expect(headers.hasPrefix("http/1.1 200"))
        #expect(headers.contains("content-encoding: br"))
        #expect(headers.contains("cache-control: public, max-age=31536000, immutable"))
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

/// Text appended from one thread and read from another.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    var value: String { lock.withLock { text } }
    func append(_ more: String) { lock.withLock { text += more } }
}
