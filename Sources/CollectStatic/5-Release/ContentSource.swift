import StaticAssets

#if canImport(Glibc)
    import Glibc
#endif

/// Where the bytes of one file of the next tree come from, and how they are proven right. Bytes stay
/// on disk: a file is copied, compared and hashed in pieces, never held whole for the tree's sake.
enum ContentSource: Sendable {
    /// A collected asset: its hashed copy (the rewritten file in the run's spool, or the source) or
    /// its original (the source file, checked against the digest taken when it was fingerprinted).
    case asset(FingerprintedAsset, hashedCopy: Bool)
    /// `--no-post-process`: the source file as it is. (The rarer cases are boxed, so that a source
    /// is as small as the common one.)
    indirect case source(SourceAsset)
    /// `--link`: the original is a symlink to the source file (with its digest, nil when nothing
    /// is hashed).
    indirect case symlink(SourceAsset, integrity: Integrity?)
    /// A file already on disk (the published tree, the cache folder) whose bytes must hash to the
    /// integrity the manifest records for them.
    indirect case file(name: String, path: String, size: Int, integrity: Integrity)

    /// The SHA-384 of the bytes, where they were hashed.
    var integrity: Integrity? {
        switch self {
        case .asset(let asset, let hashedCopy): hashedCopy ? asset.digest.sha384 : asset.sourceDigest.sha384
        case .source: nil
        case .symlink(_, let integrity): integrity
        case .file(_, _, _, let integrity): integrity
        }
    }

    /// The file that holds the bytes.
    var path: String {
        switch self {
        case .asset(let asset, let hashedCopy):
            hashedCopy ? asset.rewrittenFile ?? asset.asset.filePath : asset.asset.filePath
        case .source(let asset): asset.filePath
        case .symlink(let asset, _): asset.filePath
        case .file(_, let path, _, _): path
        }
    }

    /// What proves a copy of `path` right: nothing for files that are ours (the spool) or taken as
    /// they are (`--no-post-process`, `--link`); the fingerprinted MD5 for a source that may have
    /// changed since; the recorded integrity for a file a manifest vouches for.
    private enum Proof {
        case none
        case md5(String, size: Int)
        case integrity(Integrity)
    }

    private var proof: Proof {
        switch self {
        case .asset(let asset, let hashedCopy):
            if hashedCopy, asset.rewrittenFile != nil { return .none }
            return .md5(asset.sourceDigest.md5, size: asset.asset.size)
        case .source, .symlink: return .none
        case .file(_, _, _, let integrity): return .integrity(integrity)
        }
    }

    /// The error when the file at `path` does not hold what the proof says.
    private var mismatch: CollectStaticError {
        switch self {
        case .file(_, let path, _, _):
            .source(path: path, reason: "does not hold the bytes its manifest records; not reused")
        default: .changedDuringRun(path: path)
        }
    }

    /// Whether the file at `candidate` holds these bytes (hashed or compared in pieces).
    func isHeld(byFileAt candidate: String) throws(CollectStaticError) -> Bool {
        switch proof {
        case .none:
            return FileStream.sameBytes(candidate, path)
        case .md5(let md5, let size):
            guard FileSystem.status(candidate)?.size == size else { return false }
            return (try? ContentDigest.md5(ofFile: candidate)) == md5
        case .integrity(let integrity):
            return (try? ContentDigest(ofFile: candidate).sha384) == integrity
        }
    }

    /// The bytes, read whole: only for files a step needs in memory (a dictionary, a delta's input).
    func bytes() throws(CollectStaticError) -> [UInt8] {
        let bytes = try FileSystem.readFile(path)
        switch proof {
        case .none: break
        case .md5(let md5, _): guard ContentDigest.md5(of: bytes) == md5 else { throw mismatch }
        case .integrity(let integrity): guard ContentDigest(of: bytes).sha384 == integrity else { throw mismatch }
        }
        return bytes
    }

    /// Copies the bytes to a new file at `destination` without holding them in memory, and proves
    /// the copy (a source that changed during the run is an error, and no copy is left).
    func copy(to destination: String) throws(CollectStaticError) {
        try FileStream.copy(path, to: destination)
        if case .none = proof { return }
        guard try isHeld(byFileAt: destination) else {
            unlink(destination)
            throw mismatch
        }
    }
}
