import Crypto
import Foundation
import StaticAssets
import StaticAssetsServer
import Testing

/// A request is answered from one release: the tree its manifest was read from, held open. A
/// publish that switches STATIC_ROOT between the lookup and the body read changes nothing in that
/// response; the next reload serves the next release whole; old trees are let go.
@Suite struct ReleaseSnapshotTests {
    /// Two releases side by side: `static` (release 1: a 960-byte unhashed stylesheet) and
    /// `static.next` (release 2: 1,760 bytes), each with a `.br` variant, a hashed copy held in
    /// memory, and a manifest with real digests.
    struct Releases {
        let dir = StaticRootFixture.temporaryDirectory("snapshot")
        var root: URL { dir.appendingPathComponent("static") }
        var next: URL { dir.appendingPathComponent("static.next") }

        static func css(_ version: Int) -> Data {
            let size = version == 1 ? 960 : 1760
            let text = "/* release \(version) */\n" + String(repeating: ".r\(version) { color: red }\n", count: 200)
            return Data(text.utf8.prefix(size - 1)) + Data("\n".utf8)
        }

        static func brotli(_ version: Int) -> Data {
            Data("BR-\(version)-".utf8) + Data(repeating: 0, count: version * 5)
        }

        init() throws {
            try Self.write(release: 1, to: root)
            try Self.write(release: 2, to: next)
        }

        static func write(release version: Int, to folder: URL) throws {
            var entries: [String: Any] = [:]
            for name in ["css/app.css", "css/app.aaaaaaaaaaa\(version).css"] {
                StaticRootFixture.write(css(version), to: folder.appendingPathComponent(name))
                StaticRootFixture.write(brotli(version), to: folder.appendingPathComponent(name + ".br"))
                entries[name] = MemoryServingTests.Site.entry(css(version), variants: ["br": brotli(version)])
            }
            let manifest: [String: Any] = [
                "paths": ["css/app.css": "css/app.aaaaaaaaaaa\(version).css"], "version": "1.1",
                "hash": "00000000000\(version)", "files": entries,
            ]
            StaticRootFixture.write(
                try JSONSerialization.data(withJSONObject: manifest),
                to: folder.appendingPathComponent("staticfiles.json"))
        }

        /// What a publish does to the path: STATIC_ROOT now names the other tree (the engine swaps
        /// them with one `renameat2(RENAME_EXCHANGE)`; three renames here).
        func exchange() throws {
            let aside = dir.appendingPathComponent("static.aside")
            try FileManager.default.moveItem(at: root, to: aside)
            try FileManager.default.moveItem(at: next, to: root)
            try FileManager.default.moveItem(at: aside, to: next)
        }

        var manifestPath: String { root.appendingPathComponent("staticfiles.json").path }
    }

    static func bytes(_ response: StaticResponse?) -> Data? {
        switch response?.body {
        case .file(let file, let range): return file.read(offset: range.lowerBound, count: range.count).map { Data($0) }
        case .memory(let bytes, let range): return Data(bytes[range])
        default: return nil
        }
    }

    /// The corrupt `200`: `Content-Length: 960` with the first 960 bytes of the new
    /// 1,760-byte file. Here the switch happens after the lookup and before the body is read, and
    /// again before the next lookup: size, ETag and bytes all stay release 1's until the resolver
    /// takes release 2, then all are release 2's.
    @Test func sizeValidatorsAndBytesComeFromTheSameRelease() throws {
        let releases = try Releases()
        defer { try? FileManager.default.removeItem(at: releases.dir) }
        let resolver = try AssetResolver(manifestPath: releases.manifestPath)
        let responder = StaticFileResponder(staticRoot: releases.root.path, resolver: resolver)
        let plain = responder.respond(to: get("/static/css/app.css"))
        let brotli = responder.respond(to: get("/static/css/app.css", [("Accept-Encoding", "br")]))
        #expect(plain?.header("Content-Length") == "960")
        let firstTag = plain?.header("ETag")

        try releases.exchange()
        #expect(Self.bytes(plain) == Releases.css(1))
        #expect(Self.bytes(brotli) == Releases.brotli(1))
        // Looked up after the switch, before any reload: still release 1, whole.
        let between = responder.respond(to: get("/static/css/app.css"))
        #expect(between?.header("Content-Length") == "960")
        #expect(between?.header("ETag") == firstTag)
        #expect(Self.bytes(between) == Releases.css(1))
        let hashedBetween = responder.respond(to: get("/static/css/app.aaaaaaaaaaa1.css"))
        #expect(Self.bytes(hashedBetween) == Releases.css(1))

        #expect(resolver.reloadIfChanged() == .reloaded(revision: 1))
        #expect(resolver.reloadIfChanged() == .unchanged)
        let after = responder.respond(to: get("/static/css/app.css"))
        #expect(after?.header("Content-Length") == "1760")
        #expect(after?.header("ETag") != firstTag)
        #expect(Self.bytes(after) == Releases.css(2))
        #expect(try resolver.url(for: "css/app.css") == "/static/css/app.aaaaaaaaaaa2.css")
        let hashed = responder.respond(to: get("/static/css/app.aaaaaaaaaaa2.css", [("Accept-Encoding", "br")]))
        #expect(Self.bytes(hashed) == Releases.brotli(2))
        // Release 1's name is gone with its manifest (this fixture keeps no earlier release).
        #expect(responder.respond(to: get("/static/css/app.aaaaaaaaaaa1.css"))?.status == 404)
    }

    /// A response begun on a release keeps its bytes after that tree is retired (deleted).
    @Test func aResponseOutlivesItsRetiredTree() throws {
        let releases = try Releases()
        defer { try? FileManager.default.removeItem(at: releases.dir) }
        let resolver = try AssetResolver(manifestPath: releases.manifestPath)
        let responder = StaticFileResponder(staticRoot: releases.root.path, resolver: resolver)
        let begun = responder.respond(to: get("/static/css/app.css"))
        try releases.exchange()
        #expect(resolver.reloadIfChanged() == .reloaded(revision: 1))
        try FileManager.default.removeItem(at: releases.next)
        #expect(Self.bytes(begun) == Releases.css(1))
        #expect(Self.bytes(responder.respond(to: get("/static/css/app.css"))) == Releases.css(2))
    }

    /// A publish that deletes the previous tree right after the switch (a release not kept), before
    /// the resolver has looked: a listed name missing from the tree held makes the responder look
    /// once, and it answers from the new release instead of a 404.
    @Test func aRetiredTreeBeforeTheReloadIsNotA404() throws {
        let releases = try Releases()
        defer { try? FileManager.default.removeItem(at: releases.dir) }
        let resolver = try AssetResolver(manifestPath: releases.manifestPath)
        let responder = StaticFileResponder(
            staticRoot: releases.root.path, resolver: resolver, options: .init(memory: .disabled))
        #expect(responder.respond(to: get("/static/css/app.css"))?.header("Content-Length") == "960")
        try releases.exchange()
        try FileManager.default.removeItem(at: releases.next)
        let response = responder.respond(to: get("/static/css/app.css"))
        #expect(response?.status == 200)
        #expect(response?.header("Content-Length") == "1760")
        #expect(Self.bytes(response) == Releases.css(2))
        #expect(resolver.revision == 1)
        // A name no release lists is still a plain 404, without a reload.
        #expect(responder.respond(to: get("/static/css/missing.css"))?.status == 404)
        #expect(resolver.revision == 1)
    }

    /// Descriptors this test's trees are open under (directories and files, retired ones included).
    static func descriptors(under folder: URL) -> Int {
        let links = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return links.filter { fd in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd)
            return target?.hasPrefix(folder.path + "/") == true
        }.count
    }

    /// 200 switches, each followed by a reload and requests from memory and disk: once the
    /// responses are gone, only the current tree is held open (no descriptor per old release).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")))
    func oldReleasesAreClosedOnceNoRequestHoldsThem() throws {
        let releases = try Releases()
        defer { try? FileManager.default.removeItem(at: releases.dir) }
        let resolver = try AssetResolver(manifestPath: releases.manifestPath)
        let responder = StaticFileResponder(staticRoot: releases.root.path, resolver: resolver)
        var held: [StaticResponse] = []
        for round in 0..<200 {
            try releases.exchange()
            #expect(resolver.reloadIfChanged() == .reloaded(revision: round + 1))
            let hashed = try resolver.storedName("css/app.css")
            for (path, coding) in [("css/app.css", "br"), ("css/app.css", "identity"), (hashed, "br"), (hashed, "")] {
                if let response = responder.respond(to: get("/static/" + path, [("Accept-Encoding", coding)])) {
                    held.append(response)
                }
            }
            if held.count > 40 { held.removeFirst(20) }
        }
        #expect(Self.descriptors(under: releases.dir) > 10, "the held responses keep their files open")
        held.removeAll()
        #expect(Self.descriptors(under: releases.dir) == 1, "only the current release's tree")
        #expect(resolver.revision == 200)
    }
}
