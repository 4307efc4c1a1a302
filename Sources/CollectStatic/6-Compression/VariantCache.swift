import Crypto
import Foundation
import StaticAssets
import Synchronization

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
    /// The published files by content: each entry is one reference (`ManifestEntry`), its variants
    /// made into a dictionary only when looked up.
    private let previous: [Key: [(name: String, entry: ManifestEntry)]]
    let folder: CacheFolder?
    private let settingsKey: String
    /// What this run wrote into the cache folder (for a shared cache to learn), and which entries it
    /// found bad and replaced.
    let log = Log()

    final class Log: Sendable {
        /// Paths relative to the cache folder, each entry's files before its record.
        let written = Mutex<[String]>([])
        /// Records (relative) of entries that did not verify.
        let replaced = Mutex<Set<String>>([])
    }

    init(published: PublishedState, settings: String, folder: CacheFolder?) {
        self.published = published
        var index: [Key: [(name: String, entry: ManifestEntry)]] = [:]
        if let manifest = published.manifest, !published.fromCache, manifest.compression == settings {
            for (name, entry) in manifest.files {
                guard let integrity = Integrity(entry.integrity) else { continue }
                index[Key(integrity: integrity, kind: ContentKind.forPath(name)), default: []].append((name, entry))
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
        for (name, entry) in previous[key] ?? [] {
            if let variants = prove(entry.encodings, base: published.root + "/" + name) { return variants }
        }
        guard let base = folder?.variantBase(settingsKey, key), let record = try? FileSystem.readFile(base + ".json")
        else { return nil }
        if let recorded = Self.parseRecord(record), let variants = prove(recorded, base: base) { return variants }
        // A corrupt or truncated entry: forget it, so that the fresh variants replace it.
        unlink(base + ".json")
        log.replaced.withLock { _ = $0.insert(relative(base) + ".json") }
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
            let entry = relative(base)
            log.written.withLock {
                $0 += recorded.keys.sorted().map { entry + $0.fileSuffix } + [entry + ".json"]
            }
        } catch {}
    }

    private func relative(_ path: String) -> String {
        guard let folder, path.hasPrefix(folder.path + "/") else { return path }
        return String(path.dropFirst(folder.path.count + 1))
    }

    /// Fetches from `shared` the entries for `keys` that neither the published tree nor the cache
    /// folder holds: the records first, then the files they name. Returns how many records and files
    /// came, and the time it took. Nothing fetched is trusted: `lookup` proves every file against its
    /// record.
    func fetchMissing(_ keys: [Key], from shared: any SharedCache) async throws(CollectStaticError)
        -> SharedCacheFetch
    {
        var clock = Stopwatch()
        guard let folder else { return SharedCacheFetch(records: 0, files: 0, seconds: clock.lap()) }
        let records = keys.filter { previous[$0] == nil }.map { folder.variantBase(settingsKey, $0) + ".json" }
            .filter { !FileSystem.exists($0) }.map(relative)
        guard !records.isEmpty else { return SharedCacheFetch(records: 0, files: 0, seconds: clock.lap()) }
        let fetched = try await shared.fetch(records, into: folder.path)
        var files: [String] = []
        for record in records {
            guard let bytes = try? FileSystem.readFile(folder.path + "/" + record),
                let variants = Self.parseRecord(bytes)
            else { continue }
            files += variants.keys.sorted().map { record.dropLast(".json".count) + $0.fileSuffix }
        }
        let fetchedFiles = try await shared.fetch(files, into: folder.path)
        return SharedCacheFetch(records: fetched, files: fetchedFiles, seconds: clock.lap())
    }

    /// Sends `shared` the entries this run wrote into the cache folder; returns how many files went.
    func sendWritten(to shared: any SharedCache) async throws(CollectStaticError) -> Int {
        guard let folder else { return 0 }
        let written = log.written.withLock { $0 }
        guard !written.isEmpty else { return 0 }
        let replaced = log.replaced.withLock { $0 }
        var overwriting: Set<String> = []
        for path in written {
            let base = path.hasSuffix(".json") ? String(path.dropLast(5)) : ReleasePlanner.variantBase(of: path) ?? path
            if replaced.contains(base + ".json") { overwriting.insert(path) }
        }
        return try await shared.store(written, overwriting: overwriting, from: folder.path)
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
