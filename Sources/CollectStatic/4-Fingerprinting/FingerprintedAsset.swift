import StaticAssets

/// Every collected file with its digest and final name, held in columns: the found assets, their
/// digests, and what differs from the source for the few files whose references were rewritten.
/// A run keeps this for the whole tree, so there is no record per file; a `FingerprintedAsset` is
/// a position here.
final class FingerprintedAssets: Sendable, RandomAccessCollection {
    let sources: [SourceAsset]
    private let digests: [ContentDigest?]
    private let changes: [Int: Changes]

    /// What differs from the source: the fingerprint (a reference cycle's members, rewritten files)
    /// and the rewritten copy.
    private struct Changes: Sendable {
        var nameHash: NameHash
        var rewritten: Rewritten?
    }

    /// A hashed copy whose references were rewritten.
    struct Rewritten: Sendable {
        /// The run's spool, which holds its bytes (written as soon as they were final) under `index`.
        let spool: Spool
        let index: Int
        let size: Int
        let digest: ContentDigest

        var file: String { spool.path(index) }
    }

    /// `digests` holds one digest for every source; `nameHashes` and `rewritten` only those that
    /// differ from the source's.
    init(
        sources: [SourceAsset], digests: [ContentDigest?], nameHashes: [Int: NameHash] = [:],
        rewritten: [Int: Rewritten] = [:]
    ) {
        self.sources = sources
        self.digests = digests
        var changes: [Int: Changes] = [:]
        for index in Set(nameHashes.keys).union(rewritten.keys) {
            changes[index] = Changes(
                nameHash: nameHashes[index] ?? digests[index]!.nameHash, rewritten: rewritten[index])
        }
        self.changes = changes
    }

    static let none = FingerprintedAssets(sources: [], digests: [])

    var startIndex: Int { 0 }
    var endIndex: Int { sources.count }
    subscript(position: Int) -> FingerprintedAsset { FingerprintedAsset(assets: self, index: Int32(position)) }

    fileprivate func sourceDigest(_ index: Int) -> ContentDigest { digests[index]! }
    fileprivate func nameHash(_ index: Int) -> NameHash { changes[index]?.nameHash ?? sourceDigest(index).nameHash }
    fileprivate func rewritten(_ index: Int) -> Rewritten? { changes[index]?.rewritten }
}

/// A collected file with its final fingerprinted name: a position among the run's
/// `FingerprintedAssets`. Its hashed name is not stored: it is made from the logical name and the
/// name hash when needed.
package struct FingerprintedAsset: Sendable {
    let assets: FingerprintedAssets
    let index: Int32

    package var asset: SourceAsset { assets.sources[Int(index)] }
    /// Digest of the source file (the copy under the original name).
    package var sourceDigest: ContentDigest { assets.sourceDigest(Int(index)) }
    /// The fingerprint in the hashed name.
    var nameHash: NameHash { assets.nameHash(Int(index)) }
    /// `css/app.3f2a9c1b7d4e.css`.
    package var hashedName: String { HashedName.make(asset.logicalPath, hash: nameHash.description) }
    /// The file holding the hashed copy's bytes when references were rewritten; nil when the
    /// hashed copy is a copy of the source.
    package var rewrittenFile: String? { assets.rewritten(Int(index))?.file }
    /// Size of the hashed copy.
    package var hashedSize: Int { assets.rewritten(Int(index))?.size ?? asset.size }
    /// Digest of the hashed copy's bytes.
    package var digest: ContentDigest { assets.rewritten(Int(index))?.digest ?? sourceDigest }
}

/// What stage 4 hands to the release planner: the fingerprinted assets, or with
/// `--no-post-process` the originals as they were found.
enum Fingerprinted: Sendable {
    case assets(FingerprintedAssets)
    case originals([SourceAsset])
}
