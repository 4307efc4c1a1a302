import StaticAssets
import StaticAssetsServer

/// One file of STATIC_ROOT as an object of the bucket, with the headers it is stored with: the
/// original's `Content-Type` (the server's table) for it and each of its variants, `Content-Encoding`
/// on variants and deltas, hashed names and theirs immutable, everything else `no-cache`.
struct BucketObject: Sendable, Equatable {
    /// Name relative to STATIC_ROOT (and to PREFIX in the bucket).
    let name: String
    let contentType: String
    let contentEncoding: String?
    let cacheControl: String

    static let immutable = "public, max-age=31536000, immutable"
    static let revalidate = "no-cache"

    init(name: String, original: String, encoding: String?, immutable: Bool) {
        self.name = name
        self.contentType = ContentTypes.contentType(for: original)
        self.contentEncoding = encoding
        self.cacheControl = immutable ? Self.immutable : Self.revalidate
    }

    /// Hashed names and theirs: stored for a year, written before the pointer.
    var isImmutable: Bool { cacheControl == Self.immutable }

    /// This object's bytes kept under `name` as an immutable object (an original's copy source).
    func stored(as name: String) -> BucketObject {
        BucketObject(
            name: name, contentType: contentType, contentEncoding: contentEncoding, cacheControl: Self.immutable)
    }

    private init(name: String, contentType: String, contentEncoding: String?, cacheControl: String) {
        self.name = name
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.cacheControl = cacheControl
    }

}
