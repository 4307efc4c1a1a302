import CollectStatic
import Foundation
import StaticAssets
import Synchronization
import TestSupport
import Testing

/// docs/guides/library.md: its snippet, run as it stands, collects; the page shows it unchanged.
@Suite struct LibraryGuideTests {
    /// Counts the files it hears of (the guide's `PrintingObserver` prints them).
    final class PrintingObserver: CollectionObserver, Sendable {
        let names = Mutex<[String]>([])
        func handle(_ event: CollectionEvent) {
            if case .copied(let name) = event { names.withLock { $0.append(name) } }
        }
    }

    @Test func theGuidesSnippetCollects() async throws {
        let ws = Workspace(["css/app.css": "body { background: url(../img/a.png) }\n", "img/a.png": "png"])
        let vendorFolder = ws.root.appendingPathComponent("vendor-src")
        try FileManager.default.createDirectory(at: vendorFolder, withIntermediateDirectories: true)
        try Data(String(repeating: "console.log(1)\n", count: 50).utf8).write(
            to: vendorFolder.appendingPathComponent("lib.js"))
        let (assets, vendor, staticRoot) = (ws.sources.path, vendorFolder.path, ws.staticRoot.path)

        // snippet: docs/guides/library.md
        var configuration = Configuration(
            sourceRoots: [SourceRoot(path: assets), SourceRoot(prefix: "vendor", path: vendor)],
            staticRoot: staticRoot)
        configuration.compression = CompressionPolicy(encodings: [.gzip], gzipLevel: 6)
        configuration.retention = Retention(count: 3)
        var collector = Collector(configuration: configuration, options: CollectOptions(clear: true))
        collector.observer = PrintingObserver()
        let report = try await collector.run()
        print(report.summaryLine)
        // end snippet

        #expect(report.modified == 3)
        let manifest = try Manifest(contentsOf: ws.staticRoot.appendingPathComponent("staticfiles.json"))
        #expect(Set(manifest.paths.keys) == ["css/app.css", "img/a.png", "vendor/lib.js"])
        let hashed = try #require(manifest.paths["vendor/lib.js"])
        #expect(FileManager.default.fileExists(atPath: staticRoot + "/" + hashed + ".gz"))
        #expect(!FileManager.default.fileExists(atPath: staticRoot + "/" + hashed + ".br"))
        #expect((collector.observer as? PrintingObserver)?.names.withLock { $0.count } == 3)
    }

    @Test func theGuideShowsTheSnippetThatRuns() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let test = try String(contentsOf: here, encoding: .utf8)
        let start = try #require(test.range(of: "// snippet: docs/guides/library.md\n"))
        let end = try #require(test.range(of: "        // end snippet", range: start.upperBound..<test.endIndex))
        let snippet = test[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }.joined(separator: "\n")
        let guide = try String(contentsOf: root.appendingPathComponent("docs/guides/library.md"), encoding: .utf8)
        #expect(guide.contains("```swift\nimport CollectStatic\n\n" + snippet + "```\n"))
    }
}
