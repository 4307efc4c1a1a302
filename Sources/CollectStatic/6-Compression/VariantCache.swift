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
        var integrity: Integrity
        var kind: ContentKind
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
                guard let integrity = Integrity(entry.integrity) else { continue }
                index[Key(integrity: integrity, kind: ContentKind.forPath(name)), default: []].append(
                    (name, entry.encodings))
            }
        }
        self.previous = index
        self.folder = folder
        self.settingsKey = String(SHA256.hash(data: Array(settings.utf8)).hexString.prefix(16))
    }

    /// The variants worth keeping for this content, if an earlier run with the same settings made
    /// them and they verify (an empty result: none paid off): the files holding them, each proven
    /// by hashing it in pieces, never read whole.
    func lookup(_ key: Key) -> [ContentEncoding: CompressedFile]? {
        for (name, encodings) in previous[key] ?? [] {
            if let variants = prove(encodings, base: published.root + "/" + name) { return variants }
        }
        guard let base = folder?.variantBase(settingsKey, key), let record = try? FileSystem.readFile(base + ".json")
        else { return nil }
        if let recorded = Self.parseRecord(record), let variants = prove(recorded, base: base) { return variants }
        // A corrupt or truncated entry: forget it, so that the fresh variants replace it.
        unlink(base + ".json")
        return nil
    }

    /// Stores variants for later runs: each file is hard-linked into the cache folder (copied in
    /// pieces where it cannot be) under a temporary name and renamed into place, and the record
    /// listing them is written last, so an entry is complete or absent. A failure only costs a
    /// future recompression.
    func store(_ key: Key, _ variants: [ContentEncoding: CompressedFile]) {
        guard let base = folder?.variantBase(settingsKey, key) else { return }
        let recorded = variants.mapValues(\.manifestVariant)
        if let record = try? FileSystem.readFile(base + ".json"), Self.parseRecord(record) == recorded { return }
        do {
            try FileSystem.makeDirectories((base as NSString).deletingLastPathComponent)
            for (encoding, variant) in variants {
                let target = base + encoding.fileSuffix
                let temporary = FileSystem.temporaryName(for: target)
                do {
                    if try !FileSystem.hardLink(variant.path, at: temporary) {
                        try FileStream.copy(variant.path, to: temporary)
                    }
                    try FileSystem.move(temporary, to: target)
                } catch {
                    unlink(temporary)
                    throw error
                }
            }
            let record = recorded.keys.sorted().map { encoding in
                "\"\(encoding.httpToken)\": {\"size\": \(recorded[encoding]!.size), \"sha256\": \"\(recorded[encoding]!.sha256 ?? "")\"}"
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

    /// Proves `base + suffix` for every variant listed: its size and the SHA-256 of its bytes, read
    /// in pieces; nil if anything is off.
    private func prove(_ encodings: [ContentEncoding: ManifestVariant], base: String)
        -> [ContentEncoding: CompressedFile]?
    {
        var variants: [ContentEncoding: CompressedFile] = [:]
        for (encoding, expected) in encodings {
            guard let proven = FileCompression.proves(base + encoding.fileSuffix, expected) else { return nil }
            variants[encoding] = proven
        }
        return variants
    }
}
