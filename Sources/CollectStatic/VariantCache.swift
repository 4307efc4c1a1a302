import Crypto
import StaticAssets

/// Compressed variants an earlier run already made, found instead of compressing again: first in
/// STATIC_ROOT itself (the previous manifest says, per file, which variants exist and how large they
/// are, and with which settings they were made), then in the optional cache folder
/// (`COLLECTSTATIC_CACHE_DIR`), a content-addressed store keyed by content digest + content kind +
/// compression settings that survives a fresh STATIC_ROOT (e.g. a Docker BuildKit cache mount).
struct VariantCache: Sendable {
    struct Key: Hashable, Sendable {
        var integrity: String
        var kind: ContentKind
    }

    private let staticRoot: String
    /// Content → files of the previous manifest holding it, with their kept encodings' sizes.
    private let previous: [Key: [(name: String, encodings: [String: Int])]]
    private let folder: String?

    init(staticRoot: String, previous: Manifest?, settings: String, cacheDirectory: String?) {
        self.staticRoot = staticRoot
        var index: [Key: [(name: String, encodings: [String: Int])]] = [:]
        if let previous, previous.compression == settings {
            for (name, entry) in previous.files {
                index[Key(integrity: entry.integrity, kind: ContentKind.forPath(name)), default: []].append(
                    (name, entry.encodings))
            }
        }
        self.previous = index
        let settingsKey = SHA256.hash(data: Array(settings.utf8)).hexString.prefix(16)
        self.folder = cacheDirectory.map { $0 + "/v1/" + settingsKey }
    }

    /// The variants worth keeping for this content, if an earlier run with the same settings decided
    /// them (an empty result means none paid off). `writtenThisRun` tells which names this run
    /// overwrites with other content, whose old variants must not be trusted.
    func lookup(_ key: Key, writtenThisRun: (String) -> String?) -> [ContentEncoding: [UInt8]]? {
        for (name, encodings) in previous[key] ?? [] {
            if let current = writtenThisRun(name), current != key.integrity { continue }
            if let variants = read(encodings, base: staticRoot + "/" + name) {
                // Keep the cache folder complete too, for a later fresh STATIC_ROOT.
                if let folder, !FileSystem.exists(path(folder, key) + ".done") { store(key, variants) }
                return variants
            }
        }
        guard let folder, let marker = try? FileSystem.readFile(path(folder, key) + ".done") else { return nil }
        var expected: [String: Int] = [:]
        for line in String(decoding: marker, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let size = Int(parts[1]) else { return nil }
            expected[String(parts[0])] = size
        }
        return read(expected, base: path(folder, key))
    }

    /// Stores variants for later runs; a failure only costs a future recompression.
    func store(_ key: Key, _ variants: [ContentEncoding: [UInt8]]) {
        guard let folder else { return }
        let base = path(folder, key)
        do {
            for (encoding, bytes) in variants { try FileSystem.writeAtomically(bytes, to: base + encoding.fileSuffix) }
            let marker = variants.map { "\($0.key.httpToken) \($0.value.count)" }.sorted().joined(separator: "\n")
            try FileSystem.writeAtomically(Array(marker.utf8), to: base + ".done")
        } catch {}
    }

    /// Reads `base + suffix` for every encoding listed, checking sizes; nil if anything is off.
    private func read(_ encodings: [String: Int], base: String) -> [ContentEncoding: [UInt8]]? {
        var variants: [ContentEncoding: [UInt8]] = [:]
        for (token, size) in encodings {
            guard let encoding = ContentEncoding.allCases.first(where: { $0.httpToken == token }),
                let bytes = try? FileSystem.readFile(base + encoding.fileSuffix), bytes.count == size
            else { return nil }
            variants[encoding] = bytes
        }
        return variants
    }

    private func path(_ folder: String, _ key: Key) -> String {
        let safe = String(key.integrity.map { $0 == "/" ? "_" : $0 == "+" ? "-" : $0 })
        return folder + "/" + key.kind.rawValue + "/" + safe.dropFirst(7).prefix(2) + "/" + safe
    }
}
