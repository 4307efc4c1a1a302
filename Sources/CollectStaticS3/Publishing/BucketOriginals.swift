import Foundation

/// The originals in the bucket: the unhashed names (`css/site.css`, `css/site.css.br`) that every
/// release writes to the same keys. A key cannot be switched together with the pointer, so they are
/// placed after it: before the pointer moves, each original's bytes are in the bucket under an
/// immutable name (the hashed object with the same bytes, or `.collectstatic/originals/<SHA-256>`
/// for the few that differ, such as a stylesheet whose hashed copy has rewritten references), and
/// the release's record says which; once the pointer names the release, each original is copied
/// server-side from there (CopyObject, `no-cache`). A publisher that loses the race writes none;
/// the history marks the release complete only after they are all placed, so the next publisher
/// (or the same one run again) knows whether to trust them; and a publisher whose pointer another
/// one replaced while it copied places the winner's originals again, so the last one to finish
/// leaves the winner's bytes. `rollback` places the target's originals the same way.
enum BucketOriginals {
    static let folder = ".collectstatic/originals"

    /// Where an original is copied from, and the headers it is stored with.
    struct Original: Codable, Sendable, Equatable {
        /// The immutable object (relative to PREFIX) with the same bytes.
        var source: String
        /// SHA-256 (hex) of the bytes.
        var sha256: String
        var contentType: String
        var contentEncoding: String?
    }

    /// The name under which an original's bytes are kept when no hashed object has them.
    static func storeName(sha256: String) -> String { "\(folder)/\(sha256)" }

    /// Copies each original of `originals` to its name, except those `isThere` says already hold
    /// its bytes; at most the client's concurrency at once. Returns how many were copied.
    static func place(
        _ originals: some Sequence<(String, Original)>, client: S3Client,
        isThere: (String, Original) -> Bool = { _, _ in false }
    ) async throws -> Int {
        let configuration = client.configuration
        var copied = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for (name, original) in originals where !isThere(name, original) {
                copied += 1
                if inFlight >= max(1, configuration.concurrency) {
                    try await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    try await client.copyObject(
                        from: configuration.key(original.source), to: configuration.key(name),
                        options: .init(
                            contentType: original.contentType, contentEncoding: original.contentEncoding,
                            cacheControl: BucketObject.revalidate))
                }
            }
            try await group.waitForAll()
        }
        return copied
    }

    /// `place` for the originals of a record, in name order.
    static func place(_ originals: [String: Original], client: S3Client) async throws -> Int {
        try await place(originals.sorted { $0.key < $1.key }.lazy.map { ($0.key, $0.value) }, client: client)
    }

    /// After placing `ours` (a release id): while the pointer names another release (a publisher or
    /// a rollback moved it while this run copied, and this run's copies may have landed after its
    /// own), places that release's originals again, a few times. True when the pointer still names
    /// `ours`.
    static func settle(ours: String, pointerKey: String, client: S3Client) async throws -> Bool {
        var placed = ours
        for _ in 0..<3 {
            guard let current = try await client.objectDigest(key: pointerKey)?.sha256 else { return false }
            if current == ours { return true }
            if current == placed { return false }
            let key = client.configuration.key(BucketRelease.name(id: current))
            guard let object = try await client.getObject(key: key), let record = BucketRelease.decoded(object.body),
                let originals = record.originals
            else { return false }
            _ = try await place(originals, client: client)
            placed = current
        }
        return false
    }
}
