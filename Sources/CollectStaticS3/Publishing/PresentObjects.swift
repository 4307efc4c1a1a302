import Crypto
import Foundation
import StaticAssets

/// Which objects the bucket holds with which bytes, as a release record (or a partial one) lists
/// them: each (name, SHA-256) pair kept as 16 bytes of its own SHA-256, so that a record of
/// 280,000 objects (whose JSON also holds the whole manifest's text) is read in a few megabytes
/// rather than decoded into a dictionary of strings. A pair is there when a record listed exactly
/// that name with exactly that digest; two different pairs share a key with a chance of 2^-128.
struct PresentObjects: Sendable {
    private var keys: Set<Key> = []
    /// Pairs read (the same pair twice counts twice).
    private(set) var count = 0

    private struct Key: Hashable, Sendable {
        let high: UInt64
        let low: UInt64
    }

    private static func key(_ name: String, _ sha256: String) -> Key {
        var hash = SHA256()
        hash.update(data: Array(name.utf8))
        hash.update(data: [0])
        hash.update(data: Array(sha256.utf8))
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in hash.finalize().prefix(16).enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        return Key(high: high, low: low)
    }

    mutating func insert(_ name: String, sha256: String) {
        keys.insert(Self.key(name, sha256))
        count += 1
    }

    func contains(_ name: String, sha256: String) -> Bool { keys.contains(Self.key(name, sha256)) }

    mutating func formUnion(_ other: PresentObjects) {
        keys.formUnion(other.keys)
        count += other.count
    }

    /// The `objects` of the release record in the file at `path`, read in chunks (its manifest text
    /// skipped, not kept); nil when the file is not a record.
    static func ofRecord(at path: String) -> PresentObjects? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var reader = JSONReader(file: handle)
        var present: PresentObjects?
        do {
            guard try reader.peek() == .object else { return nil }
            try reader.readObject { reader, key in
                guard key == "objects", try reader.peek() == .object else { return try reader.skipValue() }
                var objects = PresentObjects()
                try reader.readObject { reader, name in
                    if let digest = try reader.stringOrSkip() { objects.insert(name, sha256: digest) }
                }
                present = objects
            }
            try reader.finish()
        } catch {
            return nil
        }
        return present
    }
}
