import Foundation

/// The `staticfiles.json` manifest, as Django's `ManifestStaticFilesStorage` reads it, plus the
/// per-file metadata collectstatic adds under `files` (a key Django's loader ignores).
public struct Manifest: Sendable, Equatable {
    /// Manifest format versions Django can read; we write `1.1`.
    public static let supportedVersions: Set<String> = ["1.0", "1.1"]
    public static let currentVersion = "1.1"

    /// Logical name (`css/app.css`) → hashed name (`css/app.3f2a9c1b7d4e.css`).
    public var paths: [String: String]
    public var version: String
    /// Django's manifest hash: `md5(json.dumps(sorted(paths.items())))[:12]`.
    public var hash: String
    /// Every file name in STATIC_ROOT (hashed and original) → what a server needs to know about it
    /// without touching the disk.
    public var files: [String: ManifestEntry]
    /// The compression settings the variants were made with (collectstatic's own bookkeeping: a
    /// later run with the same settings reuses them).
    public var compression: String?
    /// The release `paths` belongs to; nil in a manifest written by Django or an older collectstatic.
    public var release: ReleaseRecord?
    /// Earlier releases whose hashed files are still kept in STATIC_ROOT (for pages they rendered
    /// during a rolling deploy), newest first. Their names are in `files` too.
    public var previousReleases: [ReleaseRecord]

    public init(
        paths: [String: String], version: String = Manifest.currentVersion, hash: String,
        files: [String: ManifestEntry] = [:], compression: String? = nil, release: ReleaseRecord? = nil,
        previousReleases: [ReleaseRecord] = []
    ) {
        self.paths = paths
        self.version = version
        self.hash = hash
        self.files = files
        self.compression = compression
        self.release = release
        self.previousReleases = previousReleases
    }

    /// Every hashed name this manifest serves as immutable: the current release's and each kept
    /// earlier release's.
    public var hashedNames: Set<String> {
        var names = Set(paths.values)
        for release in previousReleases { names.formUnion(release.paths.values) }
        return names
    }

    /// Parses manifest bytes; throws `ManifestError` for anything Django itself would refuse. The
    /// bytes are read as they come into the manifest's own records (`JSONReader`): no map of the
    /// JSON values of the whole tree is made first (for a tree of 109,000 files, `JSONDecoder` held
    /// 150 MB more than the manifest it made).
    public init(data: Data, source: String = "manifest") throws(ManifestError) {
        var reader = JSONReader(data: data)
        self = try Self.parse(&reader, source: source)
    }

    /// Reads and parses the manifest at `url`, a chunk at a time (the file's text is never held
    /// whole). A missing file is `.unreadable` with a reason that says how to make it.
    public init(contentsOf url: URL) throws(ManifestError) {
        self = try Self.read(contentsOf: url, eachFile: nil)
    }

    /// Reads the manifest at `url` as `init(contentsOf:)` does; with `eachFile`, gives it each entry
    /// of `files` (in the file's order) instead of keeping them, and the manifest returned has no
    /// `files`: for a reader that needs one pass over the entries (a bucket publish), not a table.
    package static func read(
        contentsOf url: URL, eachFile: ((String, ManifestEntry) -> Void)?
    ) throws(ManifestError) -> Manifest {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw Self.unreadable(url, error)
        }
        defer { try? handle.close() }
        var reader = JSONReader(file: handle)
        do {
            return try Self.parse(&reader, source: url.path, eachFile: eachFile)
        } catch .unreadable(_, let reason) where reason.isEmpty {
            throw Self.unreadable(url, nil)
        }
    }

    private static func unreadable(_ url: URL, _ error: (any Error)?) -> ManifestError {
        var isDirectory: ObjCBool = false
        let reason =
            !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            ? "no such file; run `collectstatic --noinput` first to collect the static files"
            : isDirectory.boolValue
                ? "it is a directory"
                : FileManager.default.isReadableFile(atPath: url.path)
                    ? (error?.localizedDescription ?? "read error") : "permission denied"
        return .unreadable(path: url.path, reason: reason)
    }

    /// The manifest `reader` holds. A read error of its source is `.unreadable` with an empty reason
    /// (the caller knows the path).
    private static func parse(
        _ reader: inout JSONReader, source: String, eachFile: ((String, ManifestEntry) -> Void)? = nil
    ) throws(ManifestError) -> Manifest {
        do {
            var document = ManifestDocument()
            document.eachFile = eachFile
            try document.read(&reader)
            return try document.manifest()
        } catch let problem as ManifestProblem {
            throw problem.error(source: source)
        } catch is JSONReader.Invalid {
            throw .corrupt(source: source, reason: "not valid JSON")
        } catch let error as ManifestError {
            throw error
        } catch {
            throw .unreadable(path: source, reason: "")
        }
    }
}

/// What the manifest records about one file in STATIC_ROOT (hashed copy or original).
public struct ManifestEntry: Sendable, Equatable {
    /// The fields, in one allocation (a manifest of a large tree holds one per file, in a dictionary
    /// whose buckets hold this reference only): the integrity as its 48 bytes, the variants in a
    /// slot each. Setting a field makes a new one.
    private var storage: EntryStorage

    /// Size in bytes of the identity representation.
    public var size: Int {
        get { storage.size }
        set { storage = storage.with { $0.size = newValue } }
    }
    /// Subresource Integrity value of the exact served bytes, `sha384-<base64>`.
    public var integrity: String {
        get { storage.integrity.text }
        set { storage = storage.with { $0.integrity = newValue } }
    }
    /// Precompressed variants that exist next to the file (`.br`, `.gz`).
    public var encodings: [ContentEncoding: ManifestVariant] {
        get { storage.encodings }
        set { storage = storage.with { $0.encodings = newValue } }
    }
    /// `dcz` deltas (RFC 9842) of this file against earlier versions of it: the dictionary's SHA-256
    /// (lowercase hex) → the delta, stored as `deltaName(of:dictionary:)`.
    public var deltas: [String: ManifestVariant] {
        get { storage.deltas }
        set { storage = storage.with { $0.deltas = newValue } }
    }
    /// `dcb` deltas (brotli with the earlier version as dictionary; made where libbrotli ≥ 1.1.0),
    /// keyed like `deltas`, stored as `deltaName(of:dictionary:coding: .dcb)`.
    public var dcbDeltas: [String: ManifestVariant] {
        get { storage.dcbDeltas }
        set { storage = storage.with { $0.dcbDeltas = newValue } }
    }

    public init(
        size: Int, integrity: String, encodings: [ContentEncoding: ManifestVariant] = [:],
        deltas: [String: ManifestVariant] = [:], dcbDeltas: [String: ManifestVariant] = [:]
    ) {
        storage = EntryStorage(
            size: size, integrity: integrity, encodings: encodings, deltas: deltas, dcbDeltas: dcbDeltas)
    }

    public static func == (a: ManifestEntry, b: ManifestEntry) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }

    /// The fields as their public types (what a setter changes).
    struct Unpacked {
        var size: Int
        var integrity: String
        var encodings: [ContentEncoding: ManifestVariant]
        var deltas: [String: ManifestVariant]
        var dcbDeltas: [String: ManifestVariant]
    }

    /// The variant of one encoding, without making the `encodings` dictionary.
    public func variant(_ encoding: ContentEncoding) -> ManifestVariant? { storage.variant(encoding) }

    /// The deltas of one coding: dictionary SHA-256 (hex) → delta.
    public func deltas(_ coding: DeltaCoding) -> [String: ManifestVariant] {
        switch coding {
        case .dcz: deltas
        case .dcb: dcbDeltas
        }
    }

    /// Replaces the deltas of one coding.
    public mutating func setDeltas(_ coding: DeltaCoding, _ value: [String: ManifestVariant]) {
        switch coding {
        case .dcz: deltas = value
        case .dcb: dcbDeltas = value
        }
    }

    /// The file holding the delta of `name` against the dictionary with this SHA-256 (hex):
    /// `js/app.3f2a.js` → `js/app.3f2a.js.<first 16 hex digits>.dcz` (or `.dcb`).
    public static func deltaName(of name: String, dictionary sha256: String, coding: DeltaCoding = .dcz) -> String {
        name + "." + sha256.prefix(16) + coding.fileSuffix
    }

    /// Every delta of this entry, with the name of its file beside `name`, `dcz` first, then by dictionary.
    public func deltaFiles(of name: String) -> [(name: String, coding: DeltaCoding, delta: ManifestVariant)] {
        DeltaCoding.allCases.flatMap { coding in
            let deltas = deltas(coding)
            return deltas.keys.sorted().map {
                (Self.deltaName(of: name, dictionary: $0, coding: coding), coding, deltas[$0]!)
            }
        }
    }

    /// The files stored beside `name` for this entry: its precompressed variants and its deltas.
    public func companionNames(of name: String) -> [String] {
        ContentEncoding.variants.filter { encodings[$0] != nil }.map { name + $0.fileSuffix }
            + deltaFiles(of: name).map(\.name)
    }

    /// `js/app.3f2a.js.0123456789abcdef.dcz` (or `.dcb`) → `js/app.3f2a.js`; nil for any other name.
    public static func deltaBase(of name: String) -> String? {
        guard let coding = DeltaCoding.allCases.first(where: { name.hasSuffix($0.fileSuffix) }) else { return nil }
        let stem = name.dropLast(coding.fileSuffix.count)
        guard let dot = stem.lastIndex(of: "."), stem.distance(from: dot, to: stem.endIndex) == 17,
            stem[stem.index(after: dot)...].allSatisfy(\.isHexDigit)
        else { return nil }
        return String(stem[..<dot])
    }
}

/// One precompressed variant of a file: its size, and the SHA-256 (hex) of its bytes, which lets a
/// later run prove a variant on disk is exactly the one recorded before reusing it.
public struct ManifestVariant: Sendable, Equatable {
    public var size: Int
    /// The digest as bytes when it is lowercase hex of 32 bytes (as collectstatic writes it), the
    /// text otherwise: a manifest of a large tree holds one per variant, so no text is kept for them.
    private var digest: HexDigest?

    public init(size: Int, sha256: String? = nil) {
        self.size = size
        digest = sha256.map(HexDigest.init)
    }

    /// Nil in manifests written before variants carried digests: such a variant is never reused.
    public var sha256: String? {
        get { digest?.text }
        set { digest = newValue.map(HexDigest.init) }
    }

    private enum HexDigest: Sendable, Equatable {
        case bytes(UInt64, UInt64, UInt64, UInt64)
        case text(String)

        init(_ text: String) {
            let utf8 = Array(text.utf8)
            var words: [UInt64] = []
            if utf8.count == 64 {
                for start in stride(from: 0, to: 64, by: 16) {
                    guard let word = UInt64(String(decoding: utf8[start..<start + 16], as: UTF8.self), radix: 16)
                    else { break }
                    words.append(word)
                }
            }
            self =
                words.count == 4
                    && utf8.allSatisfy({
                        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
                    })
                ? .bytes(words[0], words[1], words[2], words[3]) : .text(text)
        }

        var text: String {
            switch self {
            case .text(let text): return text
            case .bytes(let a, let b, let c, let d):
                return [a, b, c, d].map { word in
                    let hex = String(word, radix: 16)
                    return String(repeating: "0", count: 16 - hex.count) + hex
                }.joined()
            }
        }
    }
}

/// One release of STATIC_ROOT: every run that changes something publishes a new release; the
/// previous ones keep their hashed files for a while (`--keep`, `--keep-age`).
public struct ReleaseRecord: Sendable, Equatable {
    /// Sortable id, e.g. `20261122T153501Z-3f2a`.
    public var id: String
    /// When it was collected (ISO 8601, UTC).
    public var created: String
    /// When a newer release replaced it (ISO 8601, UTC); nil while it is current.
    public var retired: String?
    /// Logical name → hashed name in that release.
    public var paths: [String: String]

    public init(id: String, created: String, retired: String? = nil, paths: [String: String]) {
        self.id = id
        self.created = created
        self.retired = retired
        self.paths = paths
    }
}

/// What makes manifest bytes unusable, before the source is known.
struct ManifestProblem: Error {
    var version: String??
    var reason: String = ""

    static func corrupt(_ reason: String) -> ManifestProblem { ManifestProblem(version: nil, reason: reason) }
    static func unsupportedVersion(_ version: String?) -> ManifestProblem { ManifestProblem(version: .some(version)) }

    func error(source: String) -> ManifestError {
        if case .some(let version) = version { return .unsupportedVersion(source: source, version: version) }
        return .corrupt(source: source, reason: reason)
    }
}

/// Why a manifest could not be loaded.
public enum ManifestError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case corrupt(source: String, reason: String)
    case unsupportedVersion(source: String, version: String?)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read manifest '\(path)': \(reason)"
        case .corrupt(let source, let reason):
            return "corrupt manifest '\(source)': \(reason)"
        case .unsupportedVersion(let source, let version):
            let found = version.map { "version \"\($0)\"" } ?? "no version"
            return "manifest '\(source)' has \(found); supported versions are 1.0 and 1.1"
        }
    }
}

/// A manifest entry's fields in one allocation.
private final class EntryStorage: Sendable {
    struct Fields: Equatable, Sendable {
        var size: Int
        var integrity: Integrity
        var brotli: ManifestVariant?
        var zstd: ManifestVariant?
        var gzip: ManifestVariant?
        var deltas: [String: ManifestVariant]
        var dcbDeltas: [String: ManifestVariant]
    }

    let fields: Fields

    /// A copy with one change (a field set on an entry).
    func with(_ change: (inout ManifestEntry.Unpacked) -> Void) -> EntryStorage {
        var unpacked = ManifestEntry.Unpacked(
            size: size, integrity: integrity.text, encodings: encodings, deltas: deltas, dcbDeltas: dcbDeltas)
        change(&unpacked)
        return EntryStorage(
            size: unpacked.size, integrity: unpacked.integrity, encodings: unpacked.encodings,
            deltas: unpacked.deltas, dcbDeltas: unpacked.dcbDeltas)
    }

    init(
        size: Int, integrity: String, encodings: [ContentEncoding: ManifestVariant], deltas: [String: ManifestVariant],
        dcbDeltas: [String: ManifestVariant]
    ) {
        fields = Fields(
            size: size, integrity: Integrity(integrity), brotli: encodings[.brotli], zstd: encodings[.zstd],
            gzip: encodings[.gzip], deltas: deltas, dcbDeltas: dcbDeltas)
    }

    var size: Int { fields.size }
    var integrity: Integrity { fields.integrity }
    var deltas: [String: ManifestVariant] { fields.deltas }
    var dcbDeltas: [String: ManifestVariant] { fields.dcbDeltas }

    func variant(_ encoding: ContentEncoding) -> ManifestVariant? {
        switch encoding {
        case .brotli: fields.brotli
        case .zstd: fields.zstd
        case .gzip: fields.gzip
        case .identity: nil
        }
    }

    var encodings: [ContentEncoding: ManifestVariant] {
        var encodings: [ContentEncoding: ManifestVariant] = [:]
        for encoding in ContentEncoding.variants { encodings[encoding] = variant(encoding) }
        return encodings
    }

    /// `sha384-<base64 of 48 bytes>` as its bytes, any other text as it is.
    enum Integrity: Equatable, Sendable {
        case sha384(UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        case text(String)

        static let prefix = "sha384-"

        init(_ text: String) {
            if text.utf8.count == 71, text.hasPrefix(Self.prefix),
                let data = Data(base64Encoded: String(text.dropFirst(7))), data.count == 48
            {
                var words = [UInt64](repeating: 0, count: 6)
                for (index, byte) in data.enumerated() { words[index / 8] = words[index / 8] << 8 | UInt64(byte) }
                let value = Integrity.sha384(words[0], words[1], words[2], words[3], words[4], words[5])
                self = value.text == text ? value : .text(text)
            } else {
                self = .text(text)
            }
        }

        var text: String {
            switch self {
            case .text(let text): return text
            case .sha384(let a, let b, let c, let d, let e, let f):
                var bytes: [UInt8] = []
                bytes.reserveCapacity(48)
                for word in [a, b, c, d, e, f] {
                    for shift in stride(from: 56, through: 0, by: -8) {
                        bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
                    }
                }
                return Self.prefix + Data(bytes).base64EncodedString()
            }
        }
    }
}
