import CollectStatic

/// What `collectstatic --version` prints: the tool's version and the compression libraries it is
/// linked against (their versions decide the bytes of the `.gz`/`.br`/`.zst` variants and `dcz` deltas).
enum ToolVersion {
    static let number = "0.1.0"

    static var text: String {
        """
        collectstatic \(number)
        zlib \(GzipCompressor.libraryVersion)
        brotli \(BrotliCompressor.libraryVersion)
        zstd \(ZstdCompressor.libraryVersion)
        """
    }
}
