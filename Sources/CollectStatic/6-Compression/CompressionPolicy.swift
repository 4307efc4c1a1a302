import Glibc
import StaticAssets

/// What to compress, how, and which variants are worth keeping — WhiteNoise's rules
/// (`whitenoise/compress.py`), with the codec settings made explicit.
///
/// - Files whose last extension is in `skipExtensions` (case-insensitive) and empty files are not
///   compressed at all.
/// - Brotli is tried first. A variant is kept only if `compressed / original <= maximumRatio`
///   (0.95), computed in floating point exactly as WhiteNoise does.
/// - If brotli is enabled and did not pay off, gzip is not attempted (WhiteNoise: "if Brotli
///   compression wasn't effective gzip won't be either"). With gzip alone, gzip is always tried.
/// - zstd (opt-in) is kept only when it passes the same ratio and is smaller than the gzip variant
///   made next to it: a client that accepts zstd but not br would otherwise get gzip, so a zstd file
///   no smaller than that gzip file is disk spent for nothing.
public struct CompressionPolicy: Sendable, Hashable {
    /// The variants to produce. Produced in `ContentEncoding` preference order (brotli first).
    public var encodings: Set<ContentEncoding>
    /// zlib level for gzip, 0...9. WhiteNoise: 9.
    public var gzipLevel: Int
    /// Brotli quality, 0...11. WhiteNoise: 11.
    public var brotliQuality: Int
    /// Brotli window bits, 10...24. WhiteNoise: 22.
    public var brotliWindow: Int
    /// zstd level, 1...22 (the window stays at most 8 MiB whatever the level). Also the level of
    /// `dcz` deltas.
    public var zstdLevel: Int
    /// How many previous versions of a file (from kept releases, newest first) get a `dcz` delta;
    /// 0 makes none.
    public var dictionaryReleases: Int
    /// Extensions (without the dot, lowercase) of files that get `dcz` deltas.
    public var dictionaryExtensions: Set<String> {
        didSet { dictionaryExtensions = Self.normalized(dictionaryExtensions) }
    }

    /// Types that change a little between releases and are fetched by scripts and stylesheets.
    public static let defaultDictionaryExtensions: Set<String> = ["css", "js", "mjs", "json", "svg", "wasm"]
    /// Extensions (without the dot) of files never compressed. Stored lowercased.
    public var skipExtensions: Set<String> {
        didSet { skipExtensions = Self.normalized(skipExtensions) }
    }
    /// Keep a variant only if `compressed.count / original.count <= maximumRatio`. WhiteNoise: 0.95.
    public var maximumRatio: Double

    /// `Compressor.SKIP_COMPRESS_EXTENSIONS` from WhiteNoise 6.
    public static let whiteNoiseSkipExtensions: Set<String> = [
        // Images
        "jpg", "jpeg", "png", "gif", "webp",
        // Compressed files
        "zip", "gz", "tgz", "bz2", "tbz", "xz", "br",
        // Flash
        "swf", "flv",
        // Fonts
        "woff", "woff2",
        // Video
        "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv",
    ]

    /// WhiteNoise's list plus formats that are already compressed and newer than it: AVIF and
    /// JPEG XL images, Zstandard archives.
    public static let defaultSkipExtensions: Set<String> = whiteNoiseSkipExtensions.union([
        "avif", "jxl", "zst",
    ])

    /// WhiteNoise's threshold: a variant must be at most 95% of the original size.
    public static let whiteNoiseMaximumRatio = 0.95

    /// A policy with the given codecs and levels; defaults are the tool's (brotli 11 and gzip 9).
    public init(
        encodings: Set<ContentEncoding> = [.brotli, .gzip],
        gzipLevel: Int = 9,
        brotliQuality: Int = 11,
        brotliWindow: Int = 22,
        zstdLevel: Int = 19,
        dictionaryReleases: Int = 2,
        dictionaryExtensions: Set<String> = CompressionPolicy.defaultDictionaryExtensions,
        skipExtensions: Set<String> = CompressionPolicy.defaultSkipExtensions,
        maximumRatio: Double = CompressionPolicy.whiteNoiseMaximumRatio
    ) {
        self.encodings = encodings
        self.gzipLevel = gzipLevel
        self.brotliQuality = brotliQuality
        self.brotliWindow = brotliWindow
        self.zstdLevel = zstdLevel
        self.dictionaryReleases = dictionaryReleases
        self.dictionaryExtensions = Self.normalized(dictionaryExtensions)
        self.skipExtensions = Self.normalized(skipExtensions)
        self.maximumRatio = maximumRatio
    }

    private static func normalized(_ extensions: Set<String>) -> Set<String> {
        let normalized = Set(
            extensions.map { ext in
                (ext.hasPrefix(".") ? String(ext.dropFirst()) : ext).lowercased()
            })
        return normalized == extensions ? extensions : normalized
    }

    /// The enabled encodings, most preferred first.
    public var orderedEncodings: [ContentEncoding] {
        ContentEncoding.variants.filter(encodings.contains)
    }

    /// Throws `CompressionError.invalidParameter` if an enabled codec's setting is out of range,
    /// so a bad configuration is reported before any file is read.
    public func validate() throws(CompressionError) {
        if encodings.contains(.gzip), !GzipCompressor.levelRange.contains(gzipLevel) {
            throw .invalidParameter(
                .gzip, name: "level", value: gzipLevel, allowed: GzipCompressor.levelRange)
        }
        if encodings.contains(.zstd) || dictionaryReleases > 0, !ZstdCompressor.levelRange.contains(zstdLevel) {
            throw .invalidParameter(.zstd, name: "level", value: zstdLevel, allowed: ZstdCompressor.levelRange)
        }
        if encodings.contains(.brotli) {
            if !BrotliCompressor.qualityRange.contains(brotliQuality) {
                throw .invalidParameter(
                    .brotli, name: "quality", value: brotliQuality, allowed: BrotliCompressor.qualityRange)
            }
            if !BrotliCompressor.windowRange.contains(brotliWindow) {
                throw .invalidParameter(
                    .brotli, name: "window", value: brotliWindow, allowed: BrotliCompressor.windowRange)
            }
        }
    }

    /// Whether the last extension of `logicalPath` is skip-listed (case-insensitive, as
    /// WhiteNoise's `\.(ext1|ext2|...)$` regex with `re.IGNORECASE`).
    public func isSkipListed(logicalPath: String) -> Bool {
        guard let ext = ContentKind.lowercasedExtension(of: logicalPath) else { return false }
        return skipExtensions.contains(ext)
    }

    /// Whether compressing the file is worth trying: something is enabled, the type is not
    /// skip-listed, and the file is not empty (an empty file can never get smaller).
    public func shouldCompress(logicalPath: String, size: Int) -> Bool {
        !encodings.isEmpty && size > 0 && !isSkipListed(logicalPath: logicalPath)
    }

    /// WhiteNoise's `is_compressed_effectively`: `compressed / original <= 0.95` as a float
    /// division; never for an empty original.
    public func isWorthKeeping(compressedSize: Int, originalSize: Int) -> Bool {
        guard originalSize > 0 else { return false }
        return Double(compressedSize) / Double(originalSize) <= maximumRatio
    }

    /// The largest compressed size `isWorthKeeping` accepts for an original of `originalSize` bytes
    /// (0 when none is), so that a codec can stop once its output has grown past it.
    func largestKeptSize(originalSize: Int) -> Int {
        let bound = (Double(originalSize) * maximumRatio).rounded(.down)
        guard bound >= 0 else { return 0 }
        guard bound < 0x1p62 else { return .max }
        // The float product can be off by one either way of the exact rule: settle it with the rule.
        var limit = Int(bound)
        while isWorthKeeping(compressedSize: limit + 1, originalSize: originalSize) { limit += 1 }
        while limit > 0, !isWorthKeeping(compressedSize: limit, originalSize: originalSize) { limit -= 1 }
        return limit
    }

    /// The codec for `encoding` with this policy's settings (nil for identity, which is no codec).
    package func compressor(for encoding: ContentEncoding) -> (any Compressor)? {
        compressor(for: encoding, memory: nil)
    }

    /// The codec for `encoding`, its streamed state allocated from `memory` (nil: the process's
    /// allocator).
    func compressor(for encoding: ContentEncoding, memory: CodecMemory?) -> (any Compressor)? {
        switch encoding {
        case .brotli: BrotliCompressor(quality: brotliQuality, window: brotliWindow, memory: memory)
        case .zstd: ZstdCompressor(level: zstdLevel)
        case .gzip: GzipCompressor(level: gzipLevel, memory: memory)
        case .identity: nil
        }
    }

    /// The codecs of the enabled encodings, most preferred first.
    package var compressors: [any Compressor] { compressors(memory: nil) }

    /// The codecs of the enabled encodings, most preferred first, drawing on `memory`.
    func compressors(memory: CodecMemory?) -> [any Compressor] {
        orderedEncodings.compactMap { compressor(for: $0, memory: memory) }
    }

    /// Identifies one compression job's settings, e.g. "br:q11:w22:text" or "gz:l9" (gzip has no
    /// per-kind mode). The output of that job is a function of the input bytes, this string and
    /// the library version.
    package func settingsFingerprint(for encoding: ContentEncoding, kind: ContentKind) -> String {
        switch encoding {
        case .brotli: "br:q\(brotliQuality):w\(brotliWindow):\(kind.rawValue)"
        case .zstd: "zst:l\(zstdLevel)"
        case .gzip: "gz:l\(gzipLevel)"
        case .identity: "identity"
        }
    }

    /// Everything the result of `variants(for:logicalPath:)` depends on besides the bytes, for use
    /// in a cache key: the enabled jobs for this path's kind in order, the keep threshold, and the
    /// linked library versions (so an upgrade that changes output also invalidates the cache), e.g.
    /// "br:q11:w22:text+gz:l9;keep<=0.95;brotli-1.0.9;zlib-1.2.13". Skip-listing is not included:
    /// check `shouldCompress` first.
    public func settingsFingerprint(forPath logicalPath: String) -> String {
        let kind = ContentKind.forPath(logicalPath)
        var parts = [
            orderedEncodings.map { settingsFingerprint(for: $0, kind: kind) }.joined(separator: "+")
        ]
        parts.append("keep<=\(maximumRatio)")
        for encoding in orderedEncodings {
            switch encoding {
            case .brotli: parts.append("brotli-\(BrotliCompressor.libraryVersion)")
            case .zstd: parts.append("zstd-\(ZstdCompressor.libraryVersion)")
            case .gzip: parts.append("zlib-\(GzipCompressor.libraryVersion)")
            case .identity: break
            }
        }
        return parts.joined(separator: ";")
    }

    /// The settings of every kind of job at once, recorded in the manifest so a later run knows
    /// whether the variants already in STATIC_ROOT were made the way it would make them.
    public var settingsFingerprint: String {
        ContentKind.allCases.map { settingsFingerprint(forPath: "x." + $0.sampleExtension) }.joined(separator: "|")
            + ";skip=" + skipExtensions.sorted().joined(separator: ",") + ";" + deltaFingerprint
    }

    /// The settings `dcz` deltas are made with, e.g. "dcz:l19:g2:css,js;zstd-1.5.4".
    var deltaFingerprint: String {
        guard dictionaryReleases > 0 else { return "dcz:none" }
        return "dcz:l\(zstdLevel):g\(dictionaryReleases):"
            + dictionaryExtensions.sorted().joined(separator: ",") + ";zstd-\(ZstdCompressor.libraryVersion)"
    }

    /// Whether the file at `logicalPath` gets `dcz` deltas against its previous versions.
    public func wantsDeltas(logicalPath: String) -> Bool {
        guard dictionaryReleases > 0, let ext = ContentKind.lowercasedExtension(of: logicalPath) else {
            return false
        }
        return dictionaryExtensions.contains(ext)
    }

    /// The variants of one file worth writing next to it, keyed by encoding (at most one per
    /// enabled encoding; empty if none pays off or the file should not be compressed).
    /// Throws `CompressionError` if a codec fails.
    public func variants(for bytes: [UInt8], logicalPath: String) throws -> [ContentEncoding: [UInt8]] {
        guard shouldCompress(logicalPath: logicalPath, size: bytes.count) else { return [:] }
        return try selectVariants(
            of: bytes, kind: ContentKind.forPath(logicalPath),
            using: compressors)
    }

    /// Runs `compressors` (most preferred first) and keeps the outputs worth keeping. Stops after a
    /// brotli attempt that did not pay off, as WhiteNoise does. Drops a zstd output that is not
    /// smaller than the gzip output kept beside it.
    func selectVariants(
        of bytes: [UInt8], kind: ContentKind, using compressors: [any Compressor]
    ) throws -> [ContentEncoding: [UInt8]] {
        var kept: [ContentEncoding: [UInt8]] = [:]
        for compressor in compressors {
            let compressed = try compressor.compress(bytes, kind: kind)
            if isWorthKeeping(compressedSize: compressed.count, originalSize: bytes.count) {
                kept[compressor.encoding] = compressed
            } else if compressor.encoding == .brotli {
                break
            }
        }
        if let zstd = kept[.zstd], let gzip = kept[.gzip], zstd.count >= gzip.count {
            kept[.zstd] = nil
        }
        return kept
    }
}

extension CompressionPolicy {
    /// `selectVariants(of:kind:using:)` for a file, in pieces: the enabled codecs (most preferred
    /// first) stream the file at `path` (`size` bytes) into files next to `base`, named like
    /// `FileSystem.temporaryName(for: base + suffix)` (hidden, starting with "."), and the variants
    /// worth keeping are returned for the caller to link or rename into place and then delete. The
    /// rules are the in-memory ones: a variant is kept only if `compressed / original <=
    /// maximumRatio`; after a brotli attempt that did not pay off nothing else is tried; a zstd
    /// variant not smaller than the gzip one beside it is dropped. A codec stops as soon as its
    /// output is too big to keep. Rejected variants are deleted, and on an error every file made.
    func selectVariants(
        ofFile path: String, size: Int, kind: ContentKind, writingTo base: String,
        using compressors: [any Compressor]? = nil
    ) throws -> [ContentEncoding: CompressedFile] {
        var kept: [ContentEncoding: CompressedFile] = [:]
        let limit = largestKeptSize(originalSize: size)
        do {
            for compressor in compressors ?? self.compressors {
                let made = try FileCompression.compress(
                    file: path, size: size, kind: kind, with: compressor,
                    to: FileSystem.temporaryName(for: base + compressor.encoding.fileSuffix), limit: limit)
                if let made, isWorthKeeping(compressedSize: made.size, originalSize: size) {
                    kept[compressor.encoding] = made
                } else {
                    if let made { unlink(made.path) }
                    if compressor.encoding == .brotli { break }
                }
            }
        } catch {
            for file in kept.values { unlink(file.path) }
            throw error
        }
        if let zstd = kept[.zstd], let gzip = kept[.gzip], zstd.size >= gzip.size {
            unlink(zstd.path)
            kept[.zstd] = nil
        }
        return kept
    }
}

extension ContentKind {
    /// An extension that maps to this kind.
    var sampleExtension: String {
        switch self {
        case .text: "css"
        case .font: "woff"
        case .generic: "bin"
        }
    }
}
