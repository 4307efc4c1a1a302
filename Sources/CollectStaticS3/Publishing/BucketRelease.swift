import Foundation

/// What one release put in the bucket: `PREFIX/.collectstatic/releases/<id>.json`, written once
/// (`If-None-Match: *`) after its content objects and before the pointer `PREFIX/<manifest>`.
/// Its id is the SHA-256 of the manifest's bytes (the same release gets the same id), so the
/// pointer's bytes name the record of the release in force: the next publish reads it to know
/// which objects, with which SHA-256, are there already.
struct BucketRelease: Codable, Sendable, Equatable {
    static let folder = ".collectstatic/releases"

    /// SHA-256 (hex) of the manifest bytes.
    var id: String
    /// The manifest's file name (the pointer), e.g. `staticfiles.json`.
    var manifest: String
    /// Object name (relative to PREFIX) → SHA-256 (hex) of its bytes.
    var objects: [String: String]

    static func name(id: String) -> String { "\(folder)/\(id).json" }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
