import Foundation
import Synchronization

/// Turns logical asset names into the URLs a page should use, from a loaded manifest; and holds the
/// release that manifest belongs to, so that a server answers from the same one.
///
/// Lookups are dictionary reads from memory (no file system access). A resolver made from a
/// manifest's path holds its release as one snapshot (``Loaded``): the manifest together with an
/// open handle on the folder it was read from (``ReleaseTree``). A new release replaces the whole
/// snapshot atomically: `reloadIfChanged()` (called by ``watchForReleases(every:report:)``, or by
/// hand), or `reload(…)`. Readers never wait for a reload in progress: they keep the snapshot they
/// already hold.
public final class AssetResolver: Sendable {
    public enum Mode: Sendable, Equatable {
        /// A name missing from the manifest is an error (`AssetLookupError.notInManifest`).
        case strict
        /// Every name resolves to its unhashed URL (`STATIC_URL + name`); no manifest needed.
        case debug
    }

    /// URL prefix ending in `/`: `/static/` or `https://cdn.example.com/static/`.
    public let staticURL: String
    public let mode: Mode
    /// Where releases are read from (nil when the resolver was given a manifest value).
    let source: ReleaseSource?
    private let current: Mutex<Loaded>
    private let watcher = Mutex<ReleaseWatcher?>(nil)

    /// The release in use: its manifest, the tree it was read from, and how many times it has been
    /// replaced since this resolver was made.
    public struct Loaded: Sendable {
        public var manifest: Manifest
        /// 0 for the first release, 1 after the first reload, …: anything derived from an earlier
        /// revision (a server's in-memory copies of files) belongs to that revision only.
        public var revision: Int
        /// The folder the manifest was read from, held open; nil when the manifest was given as a
        /// value (then a server opens its STATIC_ROOT by path).
        public var tree: ReleaseTree?
        /// The manifest file this release was read from (device, inode, size, time).
        public var manifestIdentity: FileIdentity?
    }

    /// What a `reloadIfChanged()` did.
    public enum ReloadOutcome: Sendable, Equatable {
        /// The path still names the tree and manifest in use.
        case unchanged
        /// A new release is in use, with this revision.
        case reloaded(revision: Int)
        /// The path names something else but it could not be loaded: the previous release stays in use.
        case failed(ManifestError)
    }

    public init(manifest: Manifest, staticURL: String = "/static/", mode: Mode = .strict) {
        self.staticURL = staticURL.hasSuffix("/") ? staticURL : staticURL + "/"
        self.mode = mode
        self.source = nil
        self.current = Mutex(Loaded(manifest: manifest, revision: 0))
    }

    /// Loads the manifest at `manifestPath` and holds the folder it is in (STATIC_ROOT) open as the
    /// release's tree. In debug mode a missing manifest is allowed.
    public init(manifestPath: String, staticURL: String = "/static/", mode: Mode = .strict) throws(ManifestError) {
        self.staticURL = staticURL.hasSuffix("/") ? staticURL : staticURL + "/"
        self.mode = mode
        let source = ReleaseSource(manifestPath: manifestPath)
        self.source = source
        var first: Loaded
        do {
            first = try source.load()
        } catch {
            guard mode == .debug, !FileManager.default.fileExists(atPath: source.manifestPath) else { throw error }
            first = Loaded(manifest: Manifest(paths: [:], hash: ""), revision: 0)
        }
        self.current = Mutex(first)
    }

    /// Loads `STATIC_ROOT/manifestName` and holds STATIC_ROOT open as the release's tree.
    public convenience init(
        staticRoot: String, manifestName: String = "staticfiles.json", staticURL: String = "/static/",
        mode: Mode = .strict
    ) throws(ManifestError) {
        try self.init(
            manifestPath: RootFolder(staticRoot).path + "/" + manifestName, staticURL: staticURL, mode: mode)
    }

    deinit { watcher.withLock { $0?.stop(wait: false) } }

    /// The manifest lookups currently use.
    public var manifest: Manifest { current.withLock { $0.manifest } }

    /// How many times the release has been replaced (see ``Loaded/revision``).
    public var revision: Int { current.withLock { $0.revision } }

    /// The release in use (manifest, revision and tree), read under one lock: a request takes it once
    /// and answers wholly from it.
    public var loaded: Loaded { current.withLock { $0 } }

    /// Replaces the manifest with one given as a value; the tree held stays (files are looked up in
    /// it). Readers see either the old or the new one, never a mix. A watch replaces it in turn only
    /// when the manifest path names another release.
    public func reload(_ manifest: Manifest) {
        current.withLock { loaded in
            loaded = Loaded(
                manifest: manifest, revision: loaded.revision + 1, tree: loaded.tree,
                manifestIdentity: loaded.manifestIdentity)
        }
    }

    /// Re-reads the manifest from disk and swaps it in; on error the old release stays in use. The
    /// resolver's own manifest path is loaded as a whole release (manifest and tree).
    public func reload(fromPath path: String) throws(ManifestError) {
        if let source, RootFolder(path).path == source.manifestPath {
            let next = try source.load()
            swap(to: next)
            return
        }
        reload(try Manifest(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Loads the release the manifest path names now if it is not the one in use: STATIC_ROOT
    /// resolves to another folder (an exchange, a re-pointed symlink) or the manifest is another
    /// file (in-place publishing). A release that cannot be loaded (manifest missing, unreadable,
    /// corrupt) leaves the one in use in place. Cheap when nothing changed: two `stat` calls.
    @discardableResult
    public func reloadIfChanged() -> ReloadOutcome {
        guard let source else { return .unchanged }
        let held = loaded
        if let tree = held.tree, let folder = FileIdentity.of(path: source.root),
            folder.device == tree.identity.device, folder.inode == tree.identity.inode,
            FileIdentity.of(path: source.manifestPath) == held.manifestIdentity
        {
            return .unchanged
        }
        do {
            let next = try source.load()
            return .reloaded(revision: swap(to: next))
        } catch {
            return .failed(error)
        }
    }

    @discardableResult
    private func swap(to next: Loaded) -> Int {
        current.withLock { loaded in
            loaded = Loaded(
                manifest: next.manifest, revision: loaded.revision + 1, tree: next.tree,
                manifestIdentity: next.manifestIdentity)
            return loaded.revision
        }
    }

    /// Starts noticing new releases by itself: on Linux an inotify watch on STATIC_ROOT and the
    /// folder holding it wakes `reloadIfChanged()` at once, and it runs every `interval` anyway (and
    /// only that way elsewhere). `report` hears every reload and every failed one (default: failures
    /// as one line on stderr). Replaces a watch started before; a no-op for a resolver made from a
    /// manifest value. Runs on its own thread until ``stopWatching()`` or until the resolver goes.
    public func watchForReleases(
        every interval: Duration = .seconds(1),
        report: @escaping @Sendable (ReloadOutcome) -> Void = ReleaseWatcher.reportFailures
    ) {
        watchForReleases(every: interval, inotify: true, report: report)
    }

    /// `inotify: false`: the `stat` check at the interval only (what other systems get; for tests).
    func watchForReleases(
        every interval: Duration, inotify: Bool, report: @escaping @Sendable (ReloadOutcome) -> Void
    ) {
        guard let source else { return }
        let started = ReleaseWatcher(
            resolver: self, source: source, interval: interval, inotify: inotify, report: report)
        let previous = watcher.withLock { held in
            let previous = held
            held = started
            return previous
        }
        previous?.stop(wait: true)
    }

    /// Stops the watch ``watchForReleases(every:report:)`` started, and waits for its thread to end.
    public func stopWatching() {
        watcher.withLock { held in
            let previous = held
            held = nil
            return previous
        }?.stop(wait: true)
    }

    /// Whether a watch is running.
    public var isWatching: Bool { watcher.withLock { $0 != nil } }

    /// `css/app.css` → `/static/css/app.3f2a9c1b7d4e.css`. A `?query` or `#fragment` on the name
    /// is kept on the URL.
    public func url(for name: String) throws(AssetLookupError) -> String {
        let (path, suffix) = Self.splitSuffix(name)
        return staticURL + URLPath.encode(try storedName(path)) + suffix
    }

    /// The `integrity` attribute value for a name (`sha384-…`), or nil in debug mode.
    public func integrity(for name: String) throws(AssetLookupError) -> String? {
        try entry(for: name)?.integrity
    }

    /// Everything the manifest records about the file a name resolves to; nil in debug mode.
    public func entry(for name: String) throws(AssetLookupError) -> ManifestEntry? {
        guard mode == .strict else { return nil }
        let path = Self.normalize(Self.splitSuffix(name).path)
        // One lock for both lookups, so a concurrent reload cannot mix two manifests.
        let found = current.withLock { loaded in loaded.manifest.paths[path].map { loaded.manifest.files[$0] } }
        guard let entry = found else { throw .notInManifest(name: path) }
        return entry
    }

    /// The hashed name of a logical path (or the path itself in debug mode).
    public func storedName(_ logicalPath: String) throws(AssetLookupError) -> String {
        let path = Self.normalize(logicalPath)
        guard mode == .strict else { return path }
        guard let hashed = current.withLock({ $0.manifest.paths[path] }) else {
            throw .notInManifest(name: path)
        }
        return hashed
    }

    static func normalize(_ name: String) -> String {
        var path = Substring(name)
        while path.hasPrefix("/") { path = path.dropFirst() }
        return String(path)
    }

    static func splitSuffix(_ name: String) -> (path: String, suffix: String) {
        guard let index = name.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return (name, "") }
        return (String(name[..<index]), String(name[index...]))
    }
}

/// Why a logical name could not be resolved.
public enum AssetLookupError: Error, Equatable, CustomStringConvertible {
    case notInManifest(name: String)

    public var description: String {
        switch self {
        case .notInManifest(let name):
            return "static asset '\(name)' is not in the manifest (run collectstatic, or check the name)"
        }
    }
}
