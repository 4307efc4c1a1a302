import Crypto
import Foundation
import StaticAssets

#if canImport(Glibc)
    import Glibc
#endif

/// Compressed variants an earlier run already made, reused only when proven to be exactly the
/// variant of this content with these settings:
///
/// - in the published tree: the manifest in force records, per file, its content integrity and each
///   variant's SHA-256, and the compression settings; a variant is reused only if the settings match
///   and the bytes on disk hash to the recorded SHA-256;
/// - in the cache folder (`COLLECTSTATIC_CACHE_DIR`, e.g. a BuildKit cache mount): entries keyed by
///   content integrity + kind + settings, each with a record of its variants' SHA-256 written after
///   the variants (all atomically); an entry that does not verify is ignored and replaced.
struct VariantCache: Sendable {
    struct Key: Hashable, Sendable {
        var integrity: String
        var kind: ContentKind
    }

    /// A proven variant and, when it can be linked instead of written, the file holding it.
    struct Reused: Sendable {
        var bytes: [UInt8]
        var path: String?
    }

    private let published: PublishedState
    private let previous: [Key: [(name: String, encodings: [ContentEncoding: ManifestVariant])]]
    let folder: CacheFolder?
    private let settingsKey: String

    init(published: PublishedState, settings: String, folder: CacheFolder?) {
        self.published = published
        var index: [Key: [(name: String, encodings: [ContentEncoding: ManifestVariant])]] = [:]
        if let manifest = published.manifest, !published.fromCache, manifest.compression == settings {
            for (name, entry) in manifest.files {
                index[Key(integrity: entry.integrity, kind: ContentKind.forPath(name)), default: []].append(
                    (name, entry.encodings))
            }
        }
        self.previous = index
        self.folder = folder
        self.settingsKey = String(SHA256.hash(data: Array(settings.utf8)).hexString.prefix(16))
    }

    /// The variants worth keeping for this content, if an earlier run with the same settings made
    /// them and they verify (an empty result: none paid off).
    func lookup(_ key: Key) -> [ContentEncoding: Reused]? {
        for (name, encodings) in previous[key] ?? [] {
            if let variants = read(encodings, base: published.root + "/" + name) { return variants }
        }
        guard let base = folder?.variantBase(settingsKey, key), let record = try? FileSystem.readFile(base + ".json")
        else { return nil }
        if let recorded = Self.parseRecord(record), let variants = read(recorded, base: base) { return variants }
        // A corrupt or truncated entry: forget it, so that the fresh variants replace it.
        unlink(base + ".json")
        return nil
    }

    /// Stores variants for later runs; a failure only costs a future recompression.
    func store(_ key: Key, _ variants: [ContentEncoding: ManifestVariant], bytes: [ContentEncoding: [UInt8]]) {
        guard let base = folder?.variantBase(settingsKey, key) else { return }
        if let record = try? FileSystem.readFile(base + ".json"), Self.parseRecord(record) == variants { return }
        do {
            for (encoding, data) in bytes { try FileSystem.writeAtomically(data, to: base + encoding.fileSuffix) }
            let record = variants.keys.sorted().map { encoding in
                "\"\(encoding.httpToken)\": {\"size\": \(variants[encoding]!.size), \"sha256\": \"\(variants[encoding]!.sha256 ?? "")\"}"
            }
            try FileSystem.writeAtomically(Array(("{" + record.joined(separator: ", ") + "}").utf8), to: base + ".json")
        } catch {}
    }

    private static func parseRecord(_ bytes: [UInt8]) -> [ContentEncoding: ManifestVariant]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        var variants: [ContentEncoding: ManifestVariant] = [:]
        for (token, value) in object {
            guard let encoding = ContentEncoding(token: token), encoding != .identity,
                let fields = value as? [String: Any], let size = fields["size"] as? Int,
                let digest = fields["sha256"] as? String
            else { return nil }
            variants[encoding] = ManifestVariant(size: size, sha256: digest)
        }
        return variants
    }

    /// Reads `base + suffix` for every variant listed and checks its SHA-256; nil if anything is off.
    private func read(_ encodings: [ContentEncoding: ManifestVariant], base: String) -> [ContentEncoding: Reused]? {
        var variants: [ContentEncoding: Reused] = [:]
        for (encoding, expected) in encodings {
            let path = base + encoding.fileSuffix
            guard let digest = expected.sha256, let bytes = try? FileSystem.readFile(path),
                bytes.count == expected.size,
                SHA256.hash(data: bytes).hexString == digest
            else { return nil }
            variants[encoding] = Reused(bytes: bytes, path: path)
        }
        return variants
    }
}

/// The cache folder (`COLLECTSTATIC_CACHE_DIR`): compressed variants, the bytes of hashed files, and
/// the last manifest published to each STATIC_ROOT, so that a fresh image built with a BuildKit
/// cache mount still carries the previous releases. Every entry is written atomically and verified
/// when read.
struct CacheFolder: Sendable {
    let path: String

    func variantBase(_ settingsKey: String, _ key: VariantCache.Key) -> String {
        path + "/v2/variants/" + settingsKey + "/" + key.kind.rawValue + "/" + Self.safeName(key.integrity)
    }

    /// The `dcz` delta of the file with `integrity` against the dictionary with SHA-256 `dictionary`
    /// (hex), made with the delta settings `settingsKey`.
    func delta(_ settingsKey: String, integrity: String, dictionary: String) -> String {
        path + "/v2/deltas/" + settingsKey + "/" + Self.safeName(integrity) + "." + dictionary + ".dcz"
    }

    /// The bytes of a file with this integrity.
    func blob(_ integrity: String) -> String {
        path + "/v2/files/" + Self.safeName(integrity)
    }

    /// The last manifest published to `staticRoot`.
    func release(_ staticRoot: String) -> String {
        path + "/v2/releases/" + SHA256.hash(data: Array(staticRoot.utf8)).hexString.prefix(16) + ".json"
    }

    /// Stores a copy of the file at `source` (proven to hold the bytes with `integrity`) unless
    /// present; copied in pieces. A failure only costs the cache.
    func storeBlob(integrity: String, from source: String) {
        let target = blob(integrity)
        guard !FileSystem.exists(target) else { return }
        let temporary = FileSystem.temporaryName(for: target)
        do throws(CollectStaticError) {
            try FileSystem.makeDirectories((target as NSString).deletingLastPathComponent)
            try FileStream.copy(source, to: temporary)
            try FileSystem.move(temporary, to: target)
        } catch {
            unlink(temporary)
        }
    }

    /// `sha384-AbC/+…` → `Ab/sha384-AbC_-…`: a file name, spread over folders by its first digits.
    private static func safeName(_ integrity: String) -> String {
        let safe = String(integrity.map { $0 == "/" ? "_" : $0 == "+" ? "-" : $0 })
        return safe.dropFirst(7).prefix(2) + "/" + safe
    }
}
