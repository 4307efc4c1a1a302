import Foundation
import StaticAssets
import StaticAssetsRemote
import Synchronization
import TestSupport
import Testing

/// docs/guides/cdn.md, "An app without STATIC_ROOT": `RemoteManifest` reads the pointer manifest a
/// real publish moved, from the bucket's public URL and through the edge, and notices the next
/// release with a conditional GET.
@Suite(
    "The runtime reads the pointer manifest from the bucket",
    .enabled(if: PythonTools.moto, "needs moto and boto3"))
struct RemoteManifestTests {
    @Test func urlsResolveToThePublishedReleaseAndTheNextPublishIsPickedUp() async throws {
        let moto = try EdgeMoto.get()
        let prefix = "site/static"
        let bucket = try moto.makePublicBucket("remote", prefix: prefix)
        let dir = TestSupport.temporaryDirectory("s3-remote")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = EdgeSite(directory: dir, bucket: bucket, prefix: prefix)
        try site.publish(version: "1", moto: moto)
        let first = try site.manifest

        let bucketURL = "\(moto.endpoint)/\(bucket)/\(prefix)/"
        let remote = RemoteManifest(url: try #require(URL(string: bucketURL + "staticfiles.json")))
        let resolver = try await remote.makeResolver()
        #expect(resolver.staticURL == bucketURL)
        let css = try resolver.url(for: "css/app.css")
        #expect(css == bucketURL + (try #require(first.paths["css/app.css"])))
        #expect(resolver.manifest == first)
        // The URL it gives is the object (a browser would fetch it from there).
        let object = try EdgeResponse.get(css)
        #expect(object.status == 200)
        #expect(object.body == (try site.local(try #require(first.paths["css/app.css"]))))

        // Nothing published since: a 304, the same release.
        #expect(try await remote.fetch() == .unchanged)
        #expect(await remote.reloadIfChanged(resolver) == .unchanged)

        // Release 2 is published: the next check swaps it in.
        try site.publish(version: "2", moto: moto)
        let second = try site.manifest
        #expect(second.paths["css/app.css"] != first.paths["css/app.css"])
        #expect(await remote.reloadIfChanged(resolver) == .reloaded(revision: 1))
        #expect(try resolver.url(for: "css/app.css") == bucketURL + (try #require(second.paths["css/app.css"])))
        #expect(try resolver.url(for: "img/logo.png") == bucketURL + (try #require(first.paths["img/logo.png"])))

        // keepUpdated notices release 3 by itself, and stops when its task is cancelled.
        let reports = Reports()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await remote.keepUpdated(resolver, every: .milliseconds(100)) { outcome in
                    reports.outcomes.withLock { $0.append(outcome) }
                }
            }
            try site.publish(version: "3", moto: moto)
            let third = try site.manifest.paths["css/app.css"]
            for _ in 0..<100 where (try? resolver.storedName("css/app.css")) != third {
                try await Task.sleep(for: .milliseconds(100))
            }
            group.cancelAll()
            #expect(try resolver.storedName("css/app.css") == third)
        }
        #expect(reports.outcomes.withLock { $0 } == [.reloaded(revision: 2)])
    }

    @Test(.enabled(if: BucketEdge.available, "needs nginx"))
    func throughTheEdgeTheDefaultStaticURLIsTheEdge() async throws {
        let moto = try EdgeMoto.get()
        let prefix = "site/static"
        let bucket = try moto.makePublicBucket("remote-edge", prefix: prefix)
        let dir = TestSupport.temporaryDirectory("s3-remote-edge")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = EdgeSite(directory: dir, bucket: bucket, prefix: prefix)
        try site.publish(version: "1", moto: moto)
        let edge = try await BucketEdge.start(moto: moto, bucket: bucket, prefix: prefix, base: dir)
        defer { edge.stop() }
        let staticURL = "http://127.0.0.1:\(edge.port)/static/"
        let remote = RemoteManifest(url: try #require(URL(string: staticURL + "staticfiles.json")))
        let resolver = try await remote.makeResolver()
        let js = try resolver.url(for: "js/app.js")
        #expect(js == staticURL + (try #require(try site.manifest.paths["js/app.js"])))
        let response = try EdgeResponse.get(js, headers: [("Accept-Encoding", "br")])
        #expect(response.header("content-encoding") == "br")
        #expect(try await remote.fetch() == .unchanged)
    }

    /// A private bucket, a missing pointer, an unreachable server: a clear error naming the URL, and a
    /// resolver already in use keeps its release.
    @Test func anUnreadableManifestIsAnErrorAndTheReleaseInUseStays() async throws {
        let moto = try EdgeMoto.get()
        let prefix = "site/static"
        let bucket = try moto.makeBucket("remote-private")
        let dir = TestSupport.temporaryDirectory("s3-remote-private")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = EdgeSite(directory: dir, bucket: bucket, prefix: prefix)
        try site.publish(version: "1", moto: moto)
        let url = "\(moto.endpoint)/\(bucket)/\(prefix)/staticfiles.json"
        let remote = RemoteManifest(url: try #require(URL(string: url)))
        let denied = await #expect(throws: ManifestError.self) { _ = try await remote.makeResolver() }
        #expect(denied == .unreadable(path: url, reason: "HTTP 403"))
        let closed = "http://127.0.0.1:\(try BucketEdge.freePort())/static/staticfiles.json"
        let resolver = AssetResolver(manifest: try site.manifest)
        let unreachable = RemoteManifest(url: try #require(URL(string: closed)), timeout: .seconds(5))
        let outcome = await unreachable.reloadIfChanged(resolver)
        guard case .failed(.unreadable(let path, _)) = outcome else {
            Issue.record("expected a failed reload, got \(outcome)")
            return
        }
        #expect(path == closed)
        #expect(resolver.manifest == (try site.manifest))
        #expect(resolver.revision == 0)
    }
}

/// What a `keepUpdated` reported, shared with the task that runs it.
private final class Reports: Sendable {
    let outcomes = Mutex<[AssetResolver.ReloadOutcome]>([])
}
