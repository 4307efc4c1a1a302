import Foundation
import Synchronization
import TestSupport
import Testing

@testable import StaticAssets

/// The resolver holds one release (manifest + the tree it was read from) and notices the next one
/// by itself: an exchanged STATIC_ROOT, a re-pointed symlink, a manifest replaced in place. A
/// release that cannot be loaded leaves the previous one in use.
@Suite struct ReleaseWatchTests {
    static func manifest(_ version: Int) -> String {
        #"{"paths": {"css/app.css": "css/app.00000000000\#(version).css"}, "version": "1.1", "hash": "x"}"#
    }

    /// Writes `text` to `url` the way a publish does: a new file renamed over the old one.
    static func replace(_ url: URL, with text: String) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".tmp-\(UUID().uuidString)")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    static func hashed(_ resolver: AssetResolver) -> String? { try? resolver.storedName("css/app.css") }

    @Test func aBrokenOrMissingNewManifestKeepsThePreviousRelease() throws {
        let dir = TestSupport.temporaryDirectory("watch-broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = dir.appendingPathComponent("static/staticfiles.json")
        TestSupport.write(Self.manifest(1), to: manifest)
        let resolver = try AssetResolver(manifestPath: manifest.path)
        #expect(resolver.reloadIfChanged() == .unchanged)

        try Self.replace(manifest, with: "{")
        guard case .failed(.corrupt) = resolver.reloadIfChanged() else {
            Issue.record("a corrupt manifest was not reported")
            return
        }
        #expect(Self.hashed(resolver) == "css/app.000000000001.css")
        #expect(resolver.revision == 0)

        try FileManager.default.removeItem(at: manifest)
        #expect(
            resolver.reloadIfChanged()
                == .failed(
                    .unreadable(
                        path: manifest.path,
                        reason: "no such file; run `collectstatic --noinput` first to collect the static files")))
        #expect(Self.hashed(resolver) == "css/app.000000000001.css")

        TestSupport.write(Self.manifest(2), to: manifest)
        #expect(resolver.reloadIfChanged() == .reloaded(revision: 1))
        #expect(Self.hashed(resolver) == "css/app.000000000002.css")
        #expect(resolver.loaded.tree?.path == manifest.deletingLastPathComponent().path)
    }

    /// `static -> releases/1` re-pointed to `releases/2` by a deploy (a new symlink renamed over it).
    @Test func aRePointedSymlinkIsANewRelease() throws {
        let dir = TestSupport.temporaryDirectory("watch-symlink")
        defer { try? FileManager.default.removeItem(at: dir) }
        for version in [1, 2] {
            TestSupport.write(
                Self.manifest(version), to: dir.appendingPathComponent("releases/\(version)/staticfiles.json"))
        }
        let link = dir.appendingPathComponent("static")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "releases/1")
        let resolver = try AssetResolver(manifestPath: link.path + "/staticfiles.json")
        #expect(Self.hashed(resolver) == "css/app.000000000001.css")
        let next = dir.appendingPathComponent("static.new")
        try FileManager.default.createSymbolicLink(atPath: next.path, withDestinationPath: "releases/2")
        #expect(rename(next.path, link.path) == 0)
        #expect(resolver.reloadIfChanged() == .reloaded(revision: 1))
        #expect(Self.hashed(resolver) == "css/app.000000000002.css")
        let release2 = FileIdentity.of(path: dir.appendingPathComponent("releases/2").path)
        #expect(resolver.loaded.tree?.identity.inode == release2?.inode)
        #expect(resolver.loaded.tree?.path == link.path)
    }

    static func waitFor(_ condition: () -> Bool, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// With a 60-second interval only inotify can make the watch notice a switch within 2 seconds:
    /// an exchanged folder, then a manifest replaced in place in the new one.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/sys/fs/inotify")))
    func theWatchNoticesASwitchByItself() async throws {
        let dir = TestSupport.temporaryDirectory("watch-inotify")
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("static")
        TestSupport.write(Self.manifest(1), to: root.appendingPathComponent("staticfiles.json"))
        TestSupport.write(Self.manifest(2), to: dir.appendingPathComponent("static.next/staticfiles.json"))
        let resolver = try AssetResolver(manifestPath: root.path + "/staticfiles.json")
        let reports = ReportLog()
        resolver.watchForReleases(every: .seconds(60), report: { reports.append($0) })
        defer { resolver.stopWatching() }
        try await Task.sleep(for: .milliseconds(100))
        try FileManager.default.moveItem(at: root, to: dir.appendingPathComponent("static.old"))
        try FileManager.default.moveItem(at: dir.appendingPathComponent("static.next"), to: root)
        #expect(try await Self.waitFor({ Self.hashed(resolver) == "css/app.000000000002.css" }, within: .seconds(2)))
        try Self.replace(root.appendingPathComponent("staticfiles.json"), with: Self.manifest(3))
        #expect(try await Self.waitFor({ Self.hashed(resolver) == "css/app.000000000003.css" }, within: .seconds(2)))
        try Self.replace(root.appendingPathComponent("staticfiles.json"), with: "not json")
        #expect(try await Self.waitFor({ reports.corruptManifests == 1 }, within: .seconds(2)))
        #expect(Self.hashed(resolver) == "css/app.000000000003.css")
        #expect(reports.reloads == 2)
    }

    /// Without inotify (what other systems get, or a file system that raises no events), the `stat`
    /// check every interval finds an exchange and a manifest replaced in place; no inotify instance
    /// is opened.
    @Test func theIntervalCheckFindsASwitchWithoutInotify() async throws {
        let dir = TestSupport.temporaryDirectory("watch-interval")
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("static")
        TestSupport.write(Self.manifest(1), to: root.appendingPathComponent("staticfiles.json"))
        TestSupport.write(Self.manifest(2), to: dir.appendingPathComponent("static.next/staticfiles.json"))
        let resolver = try AssetResolver(manifestPath: root.path + "/staticfiles.json")
        resolver.watchForReleases(every: .milliseconds(100), inotify: false, report: { _ in })
        defer { resolver.stopWatching() }
        #expect(Self.watches(on: dir) == 0)
        try FileManager.default.moveItem(at: root, to: dir.appendingPathComponent("static.old"))
        try FileManager.default.moveItem(at: dir.appendingPathComponent("static.next"), to: root)
        #expect(try await Self.waitFor({ Self.hashed(resolver) == "css/app.000000000002.css" }, within: .seconds(2)))
        try Self.replace(root.appendingPathComponent("staticfiles.json"), with: Self.manifest(3))
        #expect(try await Self.waitFor({ Self.hashed(resolver) == "css/app.000000000003.css" }, within: .seconds(2)))
    }

    /// inotify instances of this process watching `folder` (from `/proc/self/fdinfo`, which lists
    /// each watch's inode): other tests' watches do not count.
    static func watches(on folder: URL) -> Int {
        guard let inode = FileIdentity.of(path: folder.path)?.inode else { return -1 }
        let links = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return links.filter { fd in
            guard
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd))
                    == "anon_inode:inotify",
                let info = try? String(contentsOfFile: "/proc/self/fdinfo/" + fd, encoding: .utf8)
            else { return false }
            return info.contains(" ino:\(String(inode, radix: 16)) ")
        }.count
    }

    /// Starting and stopping a watch 30 times, and dropping a watched resolver, leaves no
    /// descriptor (and so no thread waiting on one) behind.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/sys/fs/inotify")))
    func watchesEndWithoutLeavingDescriptors() async throws {
        let dir = TestSupport.temporaryDirectory("watch-leak")
        defer { try? FileManager.default.removeItem(at: dir) }
        TestSupport.write(Self.manifest(1), to: dir.appendingPathComponent("static/staticfiles.json"))
        do {
            let resolver = try AssetResolver(manifestPath: dir.path + "/static/staticfiles.json")
            for _ in 0..<30 {
                resolver.watchForReleases(every: .milliseconds(50))
                #expect(resolver.isWatching)
            }
            #expect(Self.watches(on: dir) == 1)
            resolver.stopWatching()
            #expect(!resolver.isWatching)
            #expect(Self.watches(on: dir) == 0)
            resolver.watchForReleases(every: .milliseconds(50))
            #expect(Self.watches(on: dir) == 1)
        }
        // The resolver is gone: its watch ends by itself.
        #expect(try await Self.waitFor({ Self.watches(on: dir) == 0 }, within: .seconds(2)))
    }
}

/// Outcomes a watch reported, from its thread.
final class ReportLog: Sendable {
    private let outcomes = Mutex<[AssetResolver.ReloadOutcome]>([])
    func append(_ outcome: AssetResolver.ReloadOutcome) { outcomes.withLock { $0.append(outcome) } }
    var reloads: Int { outcomes.withLock { $0.filter { if case .reloaded = $0 { true } else { false } }.count } }
    /// Failed reloads because the manifest was not valid JSON (not the moment between the two
    /// renames of the test's exchange, when STATIC_ROOT does not exist).
    var corruptManifests: Int {
        outcomes.withLock { $0.filter { if case .failed(.corrupt) = $0 { true } else { false } }.count }
    }
}
