import CollectStatic

/// What `collectstatic --version` prints: the tool's version and the compression libraries it is
/// linked against (their versions decide the bytes of the `.gz`/`.br`/`.zst` variants and the deltas),
/// and whether that libbrotli makes `dcb` deltas (shared dictionaries, 1.1.0 and later).
enum ToolVersion {
    static let number = "0.1.0"

    static var text: String {
        """
        collectstatic \(number)
        zlib \(GzipCompressor.libraryVersion)
        brotli \(BrotliCompressor.libraryVersion) \(dictionaries)
        zstd \(ZstdCompressor.libraryVersion)
        """
    }

    static var dictionaries: String {
        BrotliDictionaryDelta.isAvailable
            ? "(shared dictionaries: dcb deltas)" : "(no shared dictionaries: no dcb deltas)"
    }
}
