import Foundation
import StaticAssets

/// A collected STATIC_ROOT the conformance table is written against: its manifest (names, sizes,
/// SRI values, variants, deltas), the files themselves, and the `Available-Dictionary` value of the
/// release-1 script a client holds. Made by the test target that runs the table (it collects with
/// the engine); the table itself needs only what is here.
public struct ConformanceSite: Sendable {
    public let root: URL
    public let manifest: Manifest
    /// `:<base64 SHA-256>:` of release 1's `js/app.js` (release 2 has a delta against it).
    public let heldDictionary: String
    /// Folders of development mode: `assets` (no prefix) and `vendor` (under `vendor/`).
    public let sourceRoots: [(prefix: String?, path: String)]
    /// A folder of files served at `/` (WhiteNoise's `WHITENOISE_ROOT`): `favicon.ico`, `robots.txt`
    /// (with a `.gz`), `.well-known/security.txt`, `sub/index.html`, plus a dotfile and a symlink out.
    public let rootFiles: URL?

    public init(
        root: URL, manifest: Manifest, heldDictionary: String, sourceRoots: [(prefix: String?, path: String)],
        rootFiles: URL? = nil
    ) {
        self.root = root
        self.manifest = manifest
        self.heldDictionary = heldDictionary
        self.sourceRoots = sourceRoots
        self.rootFiles = rootFiles
    }

    /// The hashed name of a logical one (`css/app.css` → `css/app.3f2a9c1b7d4e.css`).
    public func hashed(_ logical: String) -> String { manifest.paths[logical] ?? "missing:\(logical)" }

    public func entry(_ name: String) -> ManifestEntry? { manifest.files[name] }

    public func data(_ name: String) -> Data { (try? Data(contentsOf: root.appendingPathComponent(name))) ?? Data() }

    /// The strong ETag the responder derives from the manifest: the first 32 characters of the SRI
    /// digest, plus `-<coding>-<size>` for a variant.
    public func entityTag(_ name: String, _ coding: ContentEncoding = .identity) -> String {
        guard let entry = entry(name) else { return "no entry" }
        let digest = entry.integrity.split(separator: "-", maxSplits: 1).last.map(String.init) ?? entry.integrity
        var opaque = String(digest.prefix(32))
        if let token = coding.token { opaque += "-\(token)-\(entry.encodings[coding]?.size ?? -1)" }
        return "\"\(opaque)\""
    }

    /// The delta's strong ETag: digest, coding, dictionary prefix and size.
    public func deltaTag(_ name: String, _ coding: DeltaCoding, dictionary: String) -> String {
        guard let entry = entry(name), let size = entry.deltas(coding)[dictionary]?.size else { return "no delta" }
        let digest = entry.integrity.split(separator: "-", maxSplits: 1).last.map(String.init) ?? entry.integrity
        return "\"\(digest.prefix(32))-\(coding.token)-\(dictionary.prefix(16))-\(size)\""
    }

    /// `Last-Modified` of a file in STATIC_ROOT (IMF-fixdate of its modification time, whole seconds).
    public func lastModified(_ name: String) -> String {
        let date =
            (try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(name).path)[
                .modificationDate]
                as? Date) ?? Date(timeIntervalSince1970: 0)
        return Self.httpDate(date)
    }

    public static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }
}
