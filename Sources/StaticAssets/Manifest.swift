import Foundation

/// The `staticfiles.json` manifest, as Django's `ManifestStaticFilesStorage` reads it, plus the
/// per-file metadata collectstatic adds under `files` (a key Django's loader ignores).
public struct Manifest: Sendable, Equatable {
    /// Manifest format versions Django can read; we write `1.1`.
    public static let supportedVersions: Set<String> = ["1.0", "1.1"]
    public static let currentVersion = "1.1"

    /// Logical name (`css/app.css`) → hashed name (`css/app.3f2a9c1b7d4e.css`).
    public var paths: [String: String]
    public var version: String
    /// Django's manifest hash: `md5(json.dumps(sorted(paths.items())))[:12]`.
    public var hash: String
    /// Every file name in STATIC_ROOT (hashed and original) → what a server needs to know about it
    /// without touching the disk.
    public var files: [String: ManifestEntry]
    /// The compression settings the variants were made with (collectstatic's own bookkeeping: a
    /// later run with the same settings reuses them).
    public var compression: String?

    public init(
        paths: [String: String], version: String = Manifest.currentVersion, hash: String,
        files: [String: ManifestEntry] = [:], compression: String? = nil
    ) {
        self.paths = paths
        self.version = version
        self.hash = hash
        self.files = files
        self.compression = compression
    }

    /// Parses manifest bytes; throws `ManifestError` for anything Django itself would refuse.
    public init(data: Data, source: String = "manifest") throws(ManifestError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .corrupt(source: source, reason: "not valid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw .corrupt(source: source, reason: "top level is not a JSON object")
        }
        guard let version = root["version"] as? String else {
            throw .unsupportedVersion(source: source, version: nil)
        }
        guard Manifest.supportedVersions.contains(version) else {
            throw .unsupportedVersion(source: source, version: version)
        }
        guard let rawPaths = root["paths"] as? [String: Any] else {
            throw .corrupt(source: source, reason: "\"paths\" is missing or not an object")
        }
        var paths: [String: String] = [:]
        paths.reserveCapacity(rawPaths.count)
        for (name, value) in rawPaths {
            guard let hashed = value as? String else {
                throw .corrupt(source: source, reason: "\"paths\"[\"\(name)\"] is not a string")
            }
            paths[name] = hashed
        }
        var files: [String: ManifestEntry] = [:]
        if let rawFiles = root["files"] as? [String: Any] {
            for (name, value) in rawFiles {
                guard let fields = value as? [String: Any], let entry = ManifestEntry(json: fields) else {
                    throw .corrupt(source: source, reason: "\"files\"[\"\(name)\"] is malformed")
                }
                files[name] = entry
            }
        }
        self.init(
            paths: paths, version: version, hash: root["hash"] as? String ?? "", files: files,
            compression: root["compression"] as? String)
    }

    /// Reads and parses the manifest at `url`. A missing file is `.unreadable` with a reason that
    /// says how to make it.
    public init(contentsOf url: URL) throws(ManifestError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            var isDirectory: ObjCBool = false
            let reason =
                !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
                ? "no such file; run `collectstatic --noinput` first to collect the static files"
                : isDirectory.boolValue
                    ? "it is a directory"
                    : FileManager.default.isReadableFile(atPath: url.path)
                        ? error.localizedDescription : "permission denied"
            throw .unreadable(path: url.path, reason: reason)
        }
        try self.init(data: data, source: url.path)
    }
}

/// What the manifest records about one hashed file.
public struct ManifestEntry: Sendable, Equatable {
    /// Size in bytes of the identity representation.
    public var size: Int
    /// Subresource Integrity value of the exact served bytes, `sha384-<base64>`.
    public var integrity: String
    /// Precompressed variants that exist next to the file (`.br`, `.gz`) and their sizes.
    public var encodings: [String: Int]

    public init(size: Int, integrity: String, encodings: [String: Int] = [:]) {
        self.size = size
        self.integrity = integrity
        self.encodings = encodings
    }

    init?(json: [String: Any]) {
        guard let size = json["size"] as? Int, let integrity = json["integrity"] as? String else { return nil }
        var encodings: [String: Int] = [:]
        if let raw = json["encodings"] {
            guard let dict = raw as? [String: Any] else { return nil }
            for (name, value) in dict {
                guard let count = value as? Int else { return nil }
                encodings[name] = count
            }
        }
        self.init(size: size, integrity: integrity, encodings: encodings)
    }
}

/// Why a manifest could not be loaded.
public enum ManifestError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case corrupt(source: String, reason: String)
    case unsupportedVersion(source: String, version: String?)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read manifest '\(path)': \(reason)"
        case .corrupt(let source, let reason):
            return "corrupt manifest '\(source)': \(reason)"
        case .unsupportedVersion(let source, let version):
            let found = version.map { "version \"\($0)\"" } ?? "no version"
            return "manifest '\(source)' has \(found); supported versions are 1.0 and 1.1"
        }
    }
}
