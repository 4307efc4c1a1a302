import Foundation
import Synchronization

/// Turns logical asset names into the URLs a page should use, from a loaded manifest.
///
/// Lookups are dictionary reads from memory (no file system access); the manifest can be swapped
/// atomically by `reload`, and readers never wait for a reload in progress (they keep using the
/// manifest they already hold).
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
    private let current: Mutex<Loaded>

    /// The manifest in use and how many times it has been replaced since this resolver was made.
    public struct Loaded: Sendable {
        public var manifest: Manifest
        /// 0 for the first manifest, 1 after the first `reload`, …: anything derived from an earlier
        /// revision (a server's in-memory copies of files) is stale once this changes.
        public var revision: Int
    }

    public init(manifest: Manifest, staticURL: String = "/static/", mode: Mode = .strict) {
        self.staticURL = staticURL.hasSuffix("/") ? staticURL : staticURL + "/"
        self.mode = mode
        self.current = Mutex(Loaded(manifest: manifest, revision: 0))
    }

    /// Loads the manifest at `manifestPath`. In debug mode a missing manifest is allowed.
    public convenience init(manifestPath: String, staticURL: String = "/static/", mode: Mode = .strict)
        throws(ManifestError)
    {
        let manifest: Manifest
        if mode == .debug && !FileManager.default.fileExists(atPath: manifestPath) {
            manifest = Manifest(paths: [:], hash: "")
        } else {
            manifest = try Manifest(contentsOf: URL(fileURLWithPath: manifestPath))
        }
        self.init(manifest: manifest, staticURL: staticURL, mode: mode)
    }

    /// The manifest lookups currently use.
    public var manifest: Manifest { current.withLock { $0.manifest } }

    /// How many times the manifest has been replaced (see ``Loaded/revision``).
    public var revision: Int { current.withLock { $0.revision } }

    /// The manifest in use together with its revision, read under one lock.
    public var loaded: Loaded { current.withLock { $0 } }

    /// Replaces the manifest (a new deploy). Readers see either the old or the new one, never a mix.
    public func reload(_ manifest: Manifest) {
        current.withLock { $0 = Loaded(manifest: manifest, revision: $0.revision + 1) }
    }

    /// Re-reads the manifest from disk and swaps it in; on error the old one stays in use.
    public func reload(fromPath path: String) throws(ManifestError) {
        reload(try Manifest(contentsOf: URL(fileURLWithPath: path)))
    }

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
