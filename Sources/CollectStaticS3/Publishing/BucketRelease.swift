import Foundation

/// What one release put in the bucket: `PREFIX/.collectstatic/releases/<id>.json`, written once
/// (`If-None-Match: *`) after its content objects and before the pointer `PREFIX/<manifest>`.
/// Its id is the SHA-256 of the manifest's bytes (the same release gets the same id), so the
/// pointer's bytes name the record of the release in force: the next publish reads it to know
/// which objects, with which SHA-256, are there already; `clean` reads the records of kept releases
/// to know what they reference; `rollback` puts a record's manifest back as the pointer.
struct BucketRelease: Codable, Sendable, Equatable {
    static let folder = ".collectstatic/releases"
    /// What a publish that failed had uploaded: `.collectstatic/partial/<id>.json` (same shape,
    /// `manifestText` nil), read by the next attempt at the same release.
    static let partialFolder = ".collectstatic/partial"

    /// SHA-256 (hex) of the manifest bytes.
    var id: String
    /// The manifest's file name (the pointer), e.g. `staticfiles.json`.
    var manifest: String
    /// Object name (relative to PREFIX) → SHA-256 (hex) of its bytes.
    var objects: [String: String]
    /// The manifest itself (UTF-8), so `rollback` can make it the pointer again. Nil in records
    /// written before rollback existed and in partial records.
    var manifestText: String?
    /// The release's originals (unhashed names and their variants), each with the immutable object
    /// it is copied from once the pointer names the release (`BucketOriginals`). Nil in records
    /// written before originals were copied, and in partial records.
    var originals: [String: BucketOriginals.Original]?

    static func name(id: String) -> String { "\(folder)/\(id).json" }
    static func partialName(id: String) -> String { "\(partialFolder)/\(id).json" }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    static func decoded(_ data: Data) -> BucketRelease? { try? JSONDecoder().decode(BucketRelease.self, from: data) }
}
