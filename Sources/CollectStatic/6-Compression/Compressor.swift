import Foundation
import StaticAssets

/// A codec producing one `ContentEncoding` variant of a file's bytes, in one shot from memory or
/// streamed from a file.
///
/// Implementations are value types without shared mutable state: every call sets up its own
/// encoder, so one instance may be used from many tasks at once. They do no threading themselves;
/// the caller decides how many files are compressed in parallel.
///
/// Bytes are `[UInt8]` throughout (not `Data`): the buffers go straight to C through
/// `withUnsafeBufferPointer`, `[UInt8](unsafeUninitializedCapacity:)` lets the output be
/// preallocated without zero-filling, and there is no `Data` slice indexing to get wrong.
/// Callers holding `Data` convert once (`[UInt8](data)`) when they read the file.
package protocol Compressor: Sendable {
    /// The variant this compressor produces.
    var encoding: ContentEncoding { get }

    /// Compresses `input` in one shot into a complete stream of `encoding`.
    ///
    /// `kind` lets a codec tune itself (brotli's text/font modes); codecs without such a knob
    /// ignore it. Throws `CompressionError` when the library fails or a parameter is invalid.
    func compress(_ input: [UInt8], kind: ContentKind) throws -> [UInt8]

    /// Compresses the file at `path`, which holds `size` bytes, into a complete stream of `encoding`
    /// handed to `output` in pieces (each valid during the call only). The file is read in pieces
    /// of `FileStream.chunkSize`, so memory is the codec's state and fixed buffers whatever the
    /// file's size; the stream decodes to the same bytes as `compress(_:kind:)`'s output.
    ///
    /// Throws `CompressionError` when the library fails, `CollectStaticError.source` when the file
    /// cannot be read or does not hold `size` bytes, and whatever `output` throws.
    func compress(
        file path: String, size: Int, kind: ContentKind, into output: (UnsafeRawBufferPointer) throws -> Void
    ) throws
}

/// A failure of a compression library or an invalid codec setting. Every case names the encoding.
public enum CompressionError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// A setting is outside the range the codec accepts (e.g. gzip level 12).
    case invalidParameter(ContentEncoding, name: String, value: Int, allowed: ClosedRange<Int>)
    /// The library could not set up an encoder (usually out of memory). `code` is the library's
    /// status code when it has one.
    case initializationFailed(ContentEncoding, code: Int32?, detail: String)
    /// The library reported an error while compressing.
    case compressionFailed(ContentEncoding, code: Int32?, detail: String)
    /// The input cannot be compressed in one shot by this library on this platform.
    case inputTooLarge(ContentEncoding, size: Int)

    /// The encoding whose codec failed.
    public var encoding: ContentEncoding {
        switch self {
        case .invalidParameter(let encoding, _, _, _),
            .initializationFailed(let encoding, _, _),
            .compressionFailed(let encoding, _, _),
            .inputTooLarge(let encoding, _):
            encoding
        }
    }

    private static func codecName(_ encoding: ContentEncoding) -> String {
        switch encoding {
        case .brotli: "brotli"
        case .zstd: "zstd"
        case .gzip: "gzip"
        case .identity: "identity"
        }
    }

    /// The problem in one line.
    public var description: String {
        let name = Self.codecName(encoding)
        switch self {
        case .invalidParameter(_, let parameter, let value, let allowed):
            return
                "\(name) compression: invalid \(parameter) \(value) (allowed \(allowed.lowerBound)...\(allowed.upperBound))"
        case .initializationFailed(_, let code, let detail):
            return "\(name) compression: could not initialize the encoder: \(detail)"
                + (code.map { " (code \($0))" } ?? "")
        case .compressionFailed(_, let code, let detail):
            return "\(name) compression failed: \(detail)" + (code.map { " (code \($0))" } ?? "")
        case .inputTooLarge(_, let size):
            return "\(name) compression: input of \(size) bytes is too large to compress in one shot"
        }
    }

    /// The same line, for `LocalizedError`.
    public var errorDescription: String? { description }
}

/// What a file contains, as far as a codec cares. Derived from the last extension of the path.
package enum ContentKind: String, Sendable, CaseIterable, Codable, Hashable {
    /// UTF-8 text (CSS, JavaScript, SVG, JSON, HTML, source maps, ...): brotli's TEXT mode.
    case text
    /// Font files (WOFF, TrueType, OpenType, EOT): brotli's FONT mode.
    case font
    /// Anything else: brotli's GENERIC mode.
    case generic

    /// Extensions (lowercase, without the dot) treated as text.
    package static let textExtensions: Set<String> = [
        "css", "js", "mjs", "cjs", "jsx", "ts", "tsx", "map",
        "svg", "json", "jsonld", "geojson", "topojson", "webmanifest", "manifest", "appcache",
        "html", "htm", "xhtml", "xml", "xsl", "xslt", "rss", "atom", "rdf",
        "txt", "text", "md", "markdown", "csv", "tsv", "ics", "vcf", "vtt", "srt",
        "yaml", "yml", "toml", "ini",
        "less", "scss", "sass", "styl", "coffee", "vue", "svelte",
    ]

    /// Extensions (lowercase, without the dot) treated as fonts.
    package static let fontExtensions: Set<String> = ["woff", "woff2", "ttf", "ttc", "otf", "eot"]

    /// The kind of the file at `logicalPath` (e.g. `css/app.css`), from its last extension,
    /// compared case-insensitively. A path without an extension is `.generic`.
    package static func forPath(_ logicalPath: String) -> ContentKind {
        guard let ext = lowercasedExtension(of: logicalPath) else { return .generic }
        if textExtensions.contains(ext) { return .text }
        if fontExtensions.contains(ext) { return .font }
        return .generic
    }

    /// The lowercased text after the last "." of the last "/"-separated component of the path,
    /// or nil when that component has no "." . Like WhiteNoise's `\.(ext)$` regex, a leading dot
    /// counts (".png" has extension "png") and only the last extension matters
    /// ("app.css.map" has extension "map").
    static func lowercasedExtension(of logicalPath: String) -> String? {
        let utf8 = logicalPath.utf8
        let nameStart = utf8.lastIndex(of: UInt8(ascii: "/")).map(utf8.index(after:)) ?? utf8.startIndex
        guard let dot = utf8[nameStart...].lastIndex(of: UInt8(ascii: ".")) else { return nil }
        return String(logicalPath[utf8.index(after: dot)...]).lowercased()
    }
}
