import Foundation
import StaticAssets
import TestSupport
import Testing

/// Inputs of a size that found edges: many files, a stylesheet of millions of references, and
/// reports of many missing references.
@Suite(.serialized, .longRunner) struct LargeInputTests {
    /// A folder on a tmpfs where there is one (the cost is the runs, not this disk's inode allocator).
    static func scratch(_ label: String) -> URL {
        let shm = URL(fileURLWithPath: "/dev/shm")
        let base = FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
        return base.appendingPathComponent("collectstatic-\(label)-\(UUID().uuidString.prefix(8))")
    }

    /// Re-runs with nothing changed on a 50,000-file tree, where the source walk and the published
    /// tree's listing read tens of thousands of `readdir` records: a read past a record's end faulted
    /// there about one run in ten (SIGSEGV, exit 139).
    @Test(
        .enabled(
            if: CrashAndConcurrencyTests.hasReleaseBinary,
            "needs the release build: swift build -c release --product collectstatic"))
    func twentyRerunsOfAFiftyThousandFileTreeAllSucceed() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: CrashAndConcurrencyTests.releaseBinary), "no release binary")
        let dir = Self.scratch("large")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("src")
        for folder in 0..<100 {
            let path = src.appendingPathComponent("f\(folder)")
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
            for index in 0..<500 {
                // Names of varied length, so records end buffers at many offsets.
                let name = "n\(index)" + String(repeating: "x", count: (index * 7 + folder) % 40) + ".txt"
                try Data("\(folder)/\(index)\n".utf8).write(to: path.appendingPathComponent(name))
            }
        }
        let arguments = ["--noinput", "--no-compress", "--dir", "src", "--static-root", "out", "-v", "0"]
        let first = TestSupport.run(CrashAndConcurrencyTests.releaseBinary, arguments, currentDirectory: dir)
        try #require(first.status == 0, "\(first.stderr.prefix(2000))")
        for run in 1...20 {
            let again = TestSupport.run(CrashAndConcurrencyTests.releaseBinary, arguments, currentDirectory: dir)
            #expect(again.status == 0, "re-run \(run): exit \(again.status): \(again.stderr.prefix(2000))")
            if again.status != 0 { break }
        }
        #expect(PublishedTreeVerifier.problems(in: dir.appendingPathComponent("out")) == [])
    }

    /// A 40 MB stylesheet of 1.5 million references is scanned and rewritten in memory of a few times
    /// its size (it took 13 times its size: every reference held as strings, twice).
    @Test(
        .enabled(
            if: CrashAndConcurrencyTests.hasReleaseBinary,
            "needs the release build: swift build -c release --product collectstatic"))
    func aReferenceDenseStylesheetIsRewrittenInMemoryNearItsSize() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: CrashAndConcurrencyTests.releaseBinary), "no release binary")
        let dir = Self.scratch("dense")
        defer { try? FileManager.default.removeItem(at: dir) }
        let line = ".a{background:url(a.png)}\n"
        let count = 40_000_000 / line.utf8.count
        TestSupport.write(String(repeating: line, count: count), to: dir.appendingPathComponent("src/app.css"))
        TestSupport.write("png", to: dir.appendingPathComponent("src/a.png"))
        let size = Double(count * line.utf8.count) / 1_048_576
        let run = TestSupport.run(
            CrashAndConcurrencyTests.releaseBinary,
            ["--noinput", "--no-compress", "--dir", "src", "--static-root", "out", "-v", "0", "--json"],
            currentDirectory: dir)
        try #require(run.status == 0, "\(run.stderr.prefix(2000))")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let peaks = try #require(report["peakMegabytes"] as? [String: Double])
        let peak = try #require(peaks.values.max())
        // The source, the rewritten file (1.6 times the source) and the references' offsets.
        #expect(peak < 6 * size, "peak \(peak) MB for a \(size) MB stylesheet")
        let manifest = try Manifest(contentsOf: dir.appendingPathComponent("out/staticfiles.json"))
        let hashed = try #require(manifest.paths["app.css"])
        let output = try String(contentsOf: dir.appendingPathComponent("out/\(hashed)"), encoding: .utf8)
        let png = try #require(manifest.paths["a.png"])
        #expect(output.hasPrefix(".a{background:url(\"\(png)\")}\n.a{background:url(\"\(png)\")}\n"))
    }

    /// Ten thousand missing references: the first fifty in full with file, line and column, then
    /// how many more; never one line each.
    @Test func aReportOfManyMissingReferencesStaysReadable() throws {
        let dir = TestSupport.temporaryDirectory("missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let css = (1...10_000).map { ".a\($0){background:url(gone\($0).png)}" }.joined(separator: "\n")
        TestSupport.write(css, to: dir.appendingPathComponent("src/app.css"))
        let run = CLI.run(["--noinput", "--no-compress", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count < 60, "\(lines.count) lines on stderr")
        #expect(run.stderr.contains("app.css:1:16: url(gone1.png) → gone1.png not found"), "\(run.stderr.prefix(500))")
        #expect(run.stderr.contains("app.css:50:17: url(gone50.png) → gone50.png not found"))
        #expect(!run.stderr.contains("gone51.png"))
        #expect(run.stderr.contains("... and 9950 more"))
        #expect(run.stderr.contains("10000 missing references; nothing was published"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/staticfiles.json").path))
    }
}
