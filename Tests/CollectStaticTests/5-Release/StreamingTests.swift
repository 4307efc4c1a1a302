import Foundation
import StaticAssets
import Synchronization
import TestSupport
import Testing

@testable import CollectStatic

/// The streaming collect: bytes are copied, compared and hashed in pieces, rewritten files are
/// written once to the run's spool, and names with the same bytes share one copy.
@Suite struct StreamingTests {
    func inode(_ url: URL) throws -> UInt64 {
        try #require(FileSystem.status(url.path)).inode
    }

    @Test func namesWithTheSameBytesShareOneCopy() async throws {
        let ws = Workspace(["css/app.css": "body { background: url(../img/a.png) }\n", "img/a.png": "png-bytes"])
        _ = try await ws.collect()
        let manifest = try ws.manifest()
        let hashedPNG = try #require(manifest.paths["img/a.png"])
        let hashedCSS = try #require(manifest.paths["css/app.css"])
        let root = ws.staticRoot
        // The image's hashed copy holds the source's bytes: one inode for both names.
        #expect(
            try inode(root.appendingPathComponent(hashedPNG)) == inode(root.appendingPathComponent("img/a.png")))
        #expect(try String(contentsOf: root.appendingPathComponent(hashedPNG), encoding: .utf8) == "png-bytes")
        // The stylesheet's hashed copy is rewritten: its own file, with the rewritten bytes.
        #expect(
            try inode(root.appendingPathComponent(hashedCSS)) != inode(root.appendingPathComponent("css/app.css")))
        #expect(
            try String(contentsOf: root.appendingPathComponent(hashedCSS), encoding: .utf8)
                == "body { background: url(\"../\(hashedPNG)\") }\n")
        #expect(PublishedTreeVerifier.problems(in: root) == [])
    }

    /// Records, when the run has planned its release, the spool folders it finds and the files in them.
    final class SpoolWatcher: CollectionObserver, Sendable {
        let folder: String
        let prefix: String
        let seen = Mutex<[String: [String]]>([:])

        init(folder: String, prefix: String) {
            self.folder = folder
            self.prefix = prefix
        }

        func handle(_ event: CollectionEvent) {
            guard case .memoryLetGo = event else { return }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names where name.hasPrefix(prefix) {
                let files = TestSupport.files(in: URL(fileURLWithPath: folder + "/" + name))
                seen.withLock { $0[name] = files }
            }
        }
    }

    @Test func theSpoolLeavesWithTheRun() async throws {
        let ws = Workspace(["css/app.css": "body { background: url(../img/a.png) }\n", "img/a.png": "png"])
        let work = ws.root.appendingPathComponent(".out.collectstatic")
        // During the run, the rewritten stylesheet is in a spool in the work folder...
        let watcher = SpoolWatcher(folder: work.path, prefix: "new-")
        var collector = Collector(configuration: ws.configuration(), observer: watcher)
        _ = try await collector.run()
        let spools = watcher.seen.withLock { $0 }.filter { $0.key.hasSuffix(".rewritten") }
        #expect(spools.count == 1 && spools.values.first?.count == 1, "one spool holding the rewritten file")
        // ...and after it, only the lock is left.
        #expect(TestSupport.files(in: work) == ["lock"])
        // A dry run writes its spool to the temporary folder, and removes it too.
        let prefix = RunContext.dryRunSpoolPrefix(ws.staticRoot.path)
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()))
        ws.write("css/app.css", "body { background: url(../img/a.png); color: red }\n")
        let dryWatcher = SpoolWatcher(folder: NSTemporaryDirectory(), prefix: prefix)
        collector = Collector(
            configuration: ws.configuration(), options: CollectOptions(dryRun: true), observer: dryWatcher)
        _ = try await collector.run()
        #expect(dryWatcher.seen.withLock { $0 }.values.map(\.count) == [1], "the dry run's spool held the stylesheet")
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()))
        #expect(after.subtracting(before).filter { $0.hasPrefix(prefix) }.isEmpty)
    }

    @Test func aLargeFileIsCopiedInPiecesByteForByte() async throws {
        let ws = Workspace()
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<(3 * FileStream.chunkSize + 12_345)).map { _ in UInt8.random(in: 0...255, using: &random) }
        ws.write("media/big.bin", bytes: bytes)
        _ = try await ws.collect()
        let hashed = try #require(try ws.manifest().paths["media/big.bin"])
        #expect(try [UInt8](Data(contentsOf: ws.staticRoot.appendingPathComponent("media/big.bin"))) == bytes)
        #expect(try [UInt8](Data(contentsOf: ws.staticRoot.appendingPathComponent(hashed))) == bytes)
        #expect(HashedName.make("media/big.bin", hash: String(ContentDigest(of: bytes).fingerprint)) == hashed)
    }

    /// A source edited after it was fingerprinted is never published under the old digest's name.
    @Test func aSourceChangedDuringTheRunFailsItAndPublishesNothing() async throws {
        let ws = Workspace(["img/a.png": "png-1", "img/b.png": "png-b", "css/app.css": "a { color: red }\n"])
        _ = try await ws.collect()
        let old = try ws.manifest()
        ws.write("img/a.png", "png-2")
        var hooks = CollectorHooks()
        let edited = Mutex(false)
        let sources = ws.sources
        hooks.willWrite = { _ throws(CollectStaticError) in
            guard
                !edited.withLock({ value in
                    defer { value = true }; return value
                })
            else { return }
            // Before the first write: every source changes under the run.
            for name in ["img/a.png", "img/b.png", "css/app.css"] {
                TestSupport.write("changed under the run", to: sources.appendingPathComponent(name))
            }
        }
        await #expect {
            _ = try await ws.collect(hooks: hooks)
        } throws: { error in
            "\(error)".contains("changed while collectstatic was running")
        }
        #expect(try ws.manifest() == old)
        #expect(PublishedTreeVerifier.problems(in: ws.staticRoot) == [])
    }

    /// The process's peak resident size so far (`VmHWM`), in MB.
    static func highWaterMark() throws -> Double {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let kilobytes = try #require(Double(line.split(separator: " ").dropFirst().first ?? ""))
        return kilobytes / 1024
    }

    @Test func theReportGivesEachStagesTimeAndPeakMemory() async throws {
        let ws = Workspace(["css/app.css": "body { background: url(../img/a.png) }\n", "img/a.png": "png"])
        let before = try Self.highWaterMark()
        let report = try await ws.collect()
        let after = try Self.highWaterMark()
        for stage in ["find", "fingerprint", "plan", "stage", "publish"] {
            #expect(report.seconds[stage] != nil, "\(stage)")
            // The process's peak as the kernel counts it while the stage ran: in MB (to 0.1), between
            // the peak before the run and the peak after it.
            let peak = report.peakMegabytes[stage] ?? 0
            #expect(
                peak >= before - 0.051 && peak <= after + 0.051, "\(stage): \(peak) MB, not in \(before)...\(after)")
        }
        // Peaks only grow from one stage to the next.
        let order = ["find", "fingerprint", "plan", "stage", "publish"].compactMap { report.peakMegabytes[$0] }
        #expect(order == order.sorted())
    }
}
