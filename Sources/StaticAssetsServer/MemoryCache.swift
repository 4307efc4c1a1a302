import Foundation
import StaticAssets
import Synchronization

/// How much of STATIC_ROOT the responder may keep in memory: hashed files (and their `.br`/`.gz`
/// variants) whose manifest size is at most `maxFileSize`, until `totalSize` bytes are held.
/// Everything else is streamed from disk.
public struct MemoryLimits: Sendable, Equatable {
    /// Largest representation kept in memory, in bytes.
    public var maxFileSize: Int
    /// Bytes held in memory at most, over all representations.
    public var totalSize: Int

    public init(maxFileSize: Int = 64 * 1024, totalSize: Int = 64 * 1024 * 1024) {
        self.maxFileSize = maxFileSize
        self.totalSize = totalSize
    }

    /// Nothing in memory: every body is read from disk.
    public static let disabled = MemoryLimits(maxFileSize: -1, totalSize: 0)
}

/// One representation ready to answer with: the file's metadata (size and modification time feed
/// `Content-Length`, `ETag` and `Last-Modified` alike, whether the body comes from memory or not)
/// and, when it is held in memory, its bytes.
struct LocatedFile: Sendable {
    /// A representation's validators, worked out once when it is loaded into memory (the same
    /// functions the disk path calls on every request).
    struct Validators: Sendable {
        let entityTag: EntityTag
        let lastModified: String
    }

    /// Size and time of the representation (from the open file, or from the one its bytes were read from).
    let file: ContainedFile
    /// The whole file, when it is held in memory.
    let bytes: [UInt8]?
    /// The file held open, when the body is read from disk.
    let opened: OpenFile?
    var validators: Validators? = nil

    /// A representation read from disk: the open file gives both its metadata and its bytes.
    init(opened: OpenFile) {
        self.file = opened.file
        self.bytes = nil
        self.opened = opened
    }

    /// A representation held in memory (no descriptor kept).
    init(file: ContainedFile, bytes: [UInt8], validators: Validators?) {
        self.file = file
        self.bytes = bytes
        self.opened = nil
        self.validators = validators
    }
}

/// What one representation's bytes must be, from the manifest: their size and a digest.
struct ExpectedBytes: Sendable {
    enum Digest: Sendable {
        /// A variant's `sha256` (hex).
        case sha256Hex(String)
        /// An SRI value of the identity bytes: `sha256-…` or `sha384-…` (base64).
        case sha256Base64(String)
        case sha384Base64(String)
    }

    let size: Int
    let digest: Digest

    /// For identity, from the SRI value; for a variant, from its recorded `sha256`. Nil when the
    /// manifest does not say enough to prove the bytes (then they are never held in memory).
    init?(entry: ManifestEntry, coding: ContentEncoding) {
        if coding == .identity {
            let parts = entry.integrity.split(separator: "-", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "sha256": digest = .sha256Base64(parts[1])
            case "sha384": digest = .sha384Base64(parts[1])
            default: return nil
            }
            size = entry.size
        } else {
            guard let variant = entry.variant(coding), let sha256 = variant.sha256 else { return nil }
            digest = .sha256Hex(sha256.lowercased())
            size = variant.size
        }
    }

    func isMatched(by bytes: [UInt8]) -> Bool {
        guard bytes.count == size else { return false }
        switch digest {
        case .sha256Hex(let hex):
            return SHA2.sha256(bytes).map { String($0, radix: 16).leftPadded(to: 2) }.joined() == hex
        case .sha256Base64(let base64):
            return Data(SHA2.sha256(bytes)).base64EncodedString() == base64
        case .sha384Base64(let base64):
            return Data(SHA2.sha384(bytes)).base64EncodedString() == base64
        }
    }
}

/// Hashed representations held in memory for one revision of the resolver's release.
///
/// A representation is loaded at its first request: opened in the request's release tree exactly as
/// the disk path opens it, read whole from that open file, and kept only if its size and digest are
/// the ones that release's manifest records and it fits the limits; otherwise it is marked to be
/// served from disk. A new revision empties the cache, and a request still on an older revision
/// neither reads from nor adds to it: no body of one release is served under another's fields.
final class MemoryCache: Sendable {
    struct Key: Hashable, Sendable {
        let name: String
        let coding: ContentEncoding
    }

    private enum Slot: Sendable {
        case memory(LocatedFile)
        case disk
    }

    private struct State: Sendable {
        var revision: Int
        var slots: [Key: Slot] = [:]
        /// Hashed names listed in the manifest, as already looked up in this revision (so at most one
        /// entry per listed name).
        var assets: [String: Asset] = [:]
        var bytesHeld = 0
    }

    let limits: MemoryLimits
    private let state: Mutex<State>

    init(limits: MemoryLimits) {
        self.limits = limits
        self.state = Mutex(State(revision: 0))
    }

    /// Whether anything is ever held.
    var isEnabled: Bool { limits.maxFileSize >= 0 && limits.totalSize > 0 }

    /// The asset of a hashed name looked up before in this revision, or nil.
    func asset(named name: String, revision: Int) -> Asset? {
        state.withLock { $0.revision == revision ? $0.assets[name] : nil }
    }

    /// Remembers the asset of a hashed name the manifest lists, for this revision.
    func remember(_ asset: Asset, revision: Int) {
        state.withLock { state in
            if state.revision < revision { state = State(revision: revision) }
            if state.revision == revision { state.assets[asset.name] = asset }
        }
    }

    /// Bytes held in memory now.
    var bytesHeld: Int { state.withLock { $0.bytesHeld } }

    /// The representation from memory (loaded now if this is its first request), or nil when it is
    /// to be served from disk. `size` is the manifest's size of the representation; `load` reads and
    /// proves the bytes (``MemoryCache/read(expected:find:)``).
    func representation(
        _ key: Key, revision: Int, size: Int, load: () -> LocatedFile?
    ) -> LocatedFile? {
        guard size <= limits.maxFileSize, size <= limits.totalSize else { return nil }
        let known: Slot? = state.withLock { state in
            if state.revision < revision { state = State(revision: revision) }
            guard state.revision == revision else { return .disk }  // a request still on an older manifest
            return state.slots[key]
        }
        switch known {
        case .memory(let located): return located
        case .disk: return nil
        case nil: break
        }
        let loaded = load()
        return state.withLock { state in
            guard state.revision == revision else { return loaded }
            if case .memory(let located) = state.slots[key] { return located }  // loaded meanwhile
            guard let loaded, loaded.file.size == size, state.bytesHeld + size <= limits.totalSize else {
                state.slots[key] = .disk
                return nil
            }
            state.slots[key] = .memory(loaded)
            state.bytesHeld += size
            return loaded
        }
    }

    /// The file `find` opens, read whole from that open file, if its size and digest are `expected`.
    static func read(expected: ExpectedBytes, find: () -> OpenFile?) -> (ContainedFile, [UInt8])? {
        guard let opened = find(), opened.size == expected.size,
            let bytes = opened.read(offset: 0, count: opened.size), expected.isMatched(by: bytes)
        else { return nil }
        return (opened.file, bytes)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
