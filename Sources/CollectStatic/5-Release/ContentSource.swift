import StaticAssets

/// Where the bytes of one file of the next tree come from, and how they are proven right.
enum ContentSource: Sendable {
    /// A collected asset: its hashed copy (rewritten bytes) or its original (the source file,
    /// checked against the digest taken when it was fingerprinted).
    case asset(FingerprintedAsset, hashedCopy: Bool)
    /// `--no-post-process`: the source file as it is.
    case source(SourceAsset)
    /// `--link`: the original is a symlink to the source file.
    case symlink(target: String)
    /// A file already on disk (the published tree, the cache folder) whose bytes must hash to the
    /// integrity the manifest records for them.
    case file(path: String, integrity: String)

    func bytes() throws(CollectStaticError) -> [UInt8] {
        switch self {
        case .asset(let asset, let hashedCopy):
            return hashedCopy ? try asset.hashedBytes() : try asset.sourceBytes()
        case .symlink(let target):
            return try FileSystem.readFile(target)
        case .source(let asset):
            return try FileSystem.readFile(asset.filePath)
        case .file(let path, let integrity):
            let bytes = try FileSystem.readFile(path)
            guard ContentDigest(of: bytes).integrity == integrity else {
                throw .source(path: path, reason: "does not hold the bytes its manifest records; not reused")
            }
            return bytes
        }
    }
}
