import CollectStatic
import Crypto
import Foundation
import Hummingbird
import StaticAssets
import StaticAssetsHummingbird
import StaticAssetsServer
import Synchronization
import TestSupport
import Testing

/// Serving across a switch, over real HTTP: collects publish the next release (the engine's
/// exchange) while a server answers, and every response is checked against the release that
/// served it.
@Suite struct ReleaseSwitchTests {
    /// The watch interval the middleware uses by default, and what a response may lag behind a
    /// publish by: the interval plus time for the check itself on a busy machine.
    static let grace: Duration = .milliseconds(1500)

    /// 960 bytes for odd releases, 1,760 for even ones (the sizes of the issue's report), each
    /// release's bytes different.
    static func css(_ version: Int) -> String {
        var text = "/* release \(version) */\n"
        let target = version % 2 == 1 ? 960 : 1760
        while text.utf8.count + 48 <= target { text += ".r\(version) { margin: 0 auto; color: #123456 }\n" }
        return text + String(repeating: " ", count: target - text.utf8.count - 1) + "\n"
    }

    static func js(_ version: Int) -> String {
        "// release \(version)\n" + String(repeating: "console.log('release \(version)');\n", count: 10 + version * 7)
    }

    /// A source folder and STATIC_ROOT; `publish(version)` collects that version with the engine.
    struct Project: Sendable {
        let dir = TestSupport.temporaryDirectory("switch")
        var src: URL { dir.appendingPathComponent("src") }
        var root: URL { dir.appendingPathComponent("static") }
        var manifestPath: String { root.appendingPathComponent("staticfiles.json").path }

        func publish(_ version: Int) async throws -> Manifest {
            TestSupport.write(ReleaseSwitchTests.css(version), to: src.appendingPathComponent("css/app.css"))
            TestSupport.write(ReleaseSwitchTests.js(version), to: src.appendingPathComponent("js/app.js"))
            let configuration = Configuration(
                sourceRoots: [SourceRoot(path: src.path)], staticRoot: root.path, compression: CompressionPolicy(),
                retention: Retention(count: 2, maximumAge: 0))
            _ = try await Collector(configuration: configuration).run()
            return try Manifest(contentsOf: URL(fileURLWithPath: manifestPath))
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    /// The ETag the responder gives a representation of `entry` (see `Asset.entityTag`).
    static func entityTag(_ entry: ManifestEntry, coding: String?) -> String? {
        let digest = entry.integrity.split(separator: "-", maxSplits: 1).last.map(String.init) ?? entry.integrity
        guard let coding else { return "\"\(digest.prefix(32))\"" }
        let encoding: ContentEncoding = coding == "br" ? .brotli : .gzip
        guard let variant = entry.encodings[encoding] else { return nil }
        return "\"\(digest.prefix(32))-\(coding)-\(variant.size)\""
    }

    /// What is wrong with one response for `name` (nil: nothing), given the releases published so
    /// far; `served` is set to the index of the release whose validators it carries.
    static func problem(
        _ response: LoopbackClient.Response, name: String, releases: [Manifest], served: inout Int?
    ) -> String? {
        guard response.status == 200 else { return "status \(response.status)" }
        guard response.headers["content-length"] == "\(response.body.count)" else {
            return "Content-Length \(response.headers["content-length"] ?? "-") but \(response.body.count) bytes"
        }
        let coding = response.headers["content-encoding"]
        guard let tag = response.headers["etag"] else { return "no ETag" }
        served = releases.indices.last { index in
            releases[index].files[name].map { entityTag($0, coding: coding) == tag } ?? false
        }
        guard let index = served, let entry = releases[index].files[name] else {
            return "ETag \(tag) is no release's for \(name) (\(coding ?? "identity"))"
        }
        let decoded: Data?
        switch coding {
        case nil: decoded = response.body
        case "br": decoded = Decoders.brotli(response.body)
        case "gzip": decoded = Decoders.gzip(response.body)
        default: return "unexpected Content-Encoding \(coding!)"
        }
        guard let decoded else { return "\(coding!) body does not decode (\(response.body.count) bytes)" }
        let integrity = "sha384-" + Data(SHA384.hash(data: decoded)).base64EncodedString()
        guard decoded.count == entry.size, integrity == entry.integrity else {
            return "body (\(decoded.count) bytes) is not release \(index + 1)'s \(name) that its ETag names"
        }
        return nil
    }

    struct Observation: Sendable {
        var name: String
        var started: ContinuousClock.Instant
        var result: Result<LoopbackClient.Response, LoopbackClient.Failure>
    }

    /// The issue's load: releases of different sizes published one after another while three
    /// clients keep asking for the unhashed names (identity, br, gzip) and the current hashed one.
    /// Every response must carry the bytes its fields describe (size, integrity, decodable
    /// variant), validators of a release that was published, and (once the watch interval has
    /// passed since a publish) that release or a later one. Bounded: 6 publishes, at most 6,000
    /// requests per client, 3 seconds after the last publish.
    @Test(.timeLimit(.minutes(4))) func responsesStayWholeAndFreshWhileReleasesSwitchUnderLoad() async throws {
        let project = Project()
        defer { project.remove() }
        let first = try await project.publish(1)
        let resolver = try AssetResolver(manifestPath: project.manifestPath)
        let published = Mutex<[(at: ContinuousClock.Instant, manifest: Manifest)]>([(.now, first)])
        let observations = Mutex<[Observation]>([])
        let stop = Mutex(false)
        let clock = ContinuousClock()
        try await LiveServer.with(StaticFileResponder(staticRoot: project.root.path, resolver: resolver)) { port in
            let clients = DispatchGroup()
            for client in 0..<3 {
                clients.enter()
                Thread.detachNewThread {
                    defer { clients.leave() }
                    // A response later than 20 s is a stall; under the whole suite's load (other
                    // suites compile, collect and SIGKILL on the same two cores) 5 s is not one.
                    let connection = LoopbackClient(port: port, timeout: 20)
                    for request in 0..<6000 {
                        if stop.withLock({ $0 }) { break }
                        let hashed = published.withLock { $0.last!.manifest.paths["css/app.css"]! }
                        let choices: [(String, String?)] = [
                            ("css/app.css", nil), ("css/app.css", "br"), ("css/app.css", "gzip"), ("js/app.js", "br"),
                            ("js/app.js", nil), (hashed, "br"), (hashed, nil),
                        ]
                        let (name, coding) = choices[(request + client) % choices.count]
                        let started = clock.now
                        let result = Result {
                            try connection.send(
                                "/static/" + name, headers: coding.map { [("Accept-Encoding", $0)] } ?? [])
                        }.mapError { $0 as? LoopbackClient.Failure ?? .malformed("\($0)") }
                        observations.withLock {
                            $0.append(Observation(name: name, started: started, result: result))
                        }
                    }
                }
            }
            for version in 2...7 {
                try await Task.sleep(for: .milliseconds(300))
                let manifest = try await project.publish(version)
                let at = clock.now
                published.withLock { $0.append((at, manifest)) }
            }
            try await Task.sleep(for: Self.grace + .milliseconds(1500))
            stop.withLock { $0 = true }
            await withCheckedContinuation { continuation in
                clients.notify(queue: .global()) { continuation.resume() }
            }
        }
        let releases = published.withLock { $0 }
        let manifests = releases.map(\.manifest)
        var stalled = 0
        var wrong: [String] = []
        var stale: [String] = []
        var freshChecked = 0
        var afterLast = 0
        for observation in observations.withLock({ $0 }) {
            switch observation.result {
            case .failure(.stalled):
                stalled += 1
            case .failure(let failure):
                wrong.append("\(observation.name): \(failure)")
            case .success(let response):
                var served: Int?
                if let problem = Self.problem(response, name: observation.name, releases: manifests, served: &served) {
                    wrong.append("\(observation.name): \(problem)")
                    continue
                }
                // Only unhashed names change from one release to the next.
                guard manifests[0].paths[observation.name] != nil, let served else { continue }
                let due = releases.lastIndex { $0.at + Self.grace <= observation.started } ?? 0
                freshChecked += 1
                if due == releases.count - 1 { afterLast += 1 }
                if served < due {
                    stale.append("\(observation.name): release \(served + 1)'s validators, \(due + 1) was due")
                }
            }
        }
        let total = observations.withLock { $0.count }
        #expect(total > 300, "only \(total) requests made")
        #expect(freshChecked > 100)
        #expect(afterLast > 50, "only \(afterLast) requests once the last release was due")
        #expect(stalled == 0, "\(stalled) of \(total) responses stalled")
        #expect(wrong.isEmpty, "\(wrong.count) of \(total) wrong: \(wrong.prefix(5))")
        #expect(stale.isEmpty, "\(stale.count) of \(total) stale: \(stale.prefix(5))")
    }

    /// After a re-collect the running server answers with the new release within the watch
    /// interval, by itself: new bytes, new ETags (variants too), and a client revalidating with the
    /// old ETag gets the new bytes with 200, never a 304 for bytes it does not have.
    @Test(.timeLimit(.minutes(3))) func aReCollectIsServedWithinTheIntervalWithItsOwnValidators() async throws {
        let project = Project()
        defer { project.remove() }
        _ = try await project.publish(1)
        let resolver = try AssetResolver(manifestPath: project.manifestPath)
        try await LiveServer.with(StaticFileResponder(staticRoot: project.root.path, resolver: resolver)) { port in
            let old = try await Curl.request(port: port, "/static/css/app.css")
            let oldBrotli = try await Curl.request(
                port: port, "/static/css/app.css", headers: [("Accept-Encoding", "br")])
            #expect(old.text == Self.css(1))
            let oldTag = try #require(old.header("etag"))
            let oldBrotliTag = try #require(oldBrotli.header("etag"))
            let manifest = try await project.publish(2)
            let published = ContinuousClock.now
            var current = old
            while ContinuousClock.now < published + Self.grace {
                current = try await Curl.request(port: port, "/static/css/app.css")
                if current.header("etag") != oldTag { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let expected = try #require(manifest.files["css/app.css"])
            #expect(current.text == Self.css(2))
            #expect(current.header("etag") == Self.entityTag(expected, coding: nil))
            let brotli = try await Curl.request(port: port, "/static/css/app.css", headers: [("Accept-Encoding", "br")])
            #expect(brotli.header("etag") == Self.entityTag(expected, coding: "br"))
            #expect(brotli.header("etag") != oldBrotliTag)
            #expect(Decoders.brotli(brotli.body) == Data(Self.css(2).utf8))
            let revalidated = try await Curl.request(
                port: port, "/static/css/app.css", headers: [("If-None-Match", oldTag)])
            #expect(revalidated.status == 200)
            #expect(revalidated.text == Self.css(2))
            let revalidatedBrotli = try await Curl.request(
                port: port, "/static/css/app.css",
                headers: [("If-None-Match", oldBrotliTag), ("Accept-Encoding", "br")])
            #expect(revalidatedBrotli.status == 200)
            // The new hashed name is served, and the resolver templates use names it.
            let hashed = try #require(manifest.paths["css/app.css"])
            #expect(try resolver.url(for: "css/app.css") == "/static/" + hashed)
            #expect(try await Curl.request(port: port, "/static/" + hashed).text == Self.css(2))
        }
    }

    /// The middleware starts the resolver's watch unless told not to.
    @Test func theMiddlewareWatchesByDefaultAndCanBeTurnedOff() async throws {
        let project = Project()
        defer { project.remove() }
        _ = try await project.publish(1)
        let resolver = try AssetResolver(manifestPath: project.manifestPath)
        let responder = StaticFileResponder(staticRoot: project.root.path, resolver: resolver)
        _ = StaticAssetsMiddleware<BasicRequestContext>(responder, reload: .off)
        #expect(!resolver.isWatching)
        _ = StaticAssetsMiddleware<BasicRequestContext>(responder)
        #expect(resolver.isWatching)
        resolver.stopWatching()
        #expect(!resolver.isWatching)
    }
}
