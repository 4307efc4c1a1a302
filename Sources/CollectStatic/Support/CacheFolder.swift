import Crypto
import Foundation
import Glibc

/// The cache folder (`COLLECTSTATIC_CACHE_DIR`): compressed variants, the bytes of hashed files, and
/// the last manifest published to each STATIC_ROOT, so that a fresh image built with a BuildKit
/// cache mount still carries the previous releases. Every entry is written atomically and verified
/// when read.
struct CacheFolder: Sendable {
    let path: String

    func variantBase(_ settingsKey: String, _ key: VariantCache.Key) -> String {
        path + "/v2/variants/" + settingsKey + "/" + key.kind.rawValue + "/" + Self.safeName(key.integrity.description)
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
