import StaticAssets

/// A folder served at `/` (``StaticFileResponder/Options/rootFiles``, WhiteNoise's `WHITENOISE_ROOT`):
/// looked up on each request (files added or replaced are seen at once), with the same refusals as
/// STATIC_ROOT (the name must be safe, every folder on the way is opened without following symlinks,
/// a symlink must stay inside the folder), except that `.well-known/` (RFC 8615) is served: its files
/// are looked up inside it, and it must be a folder inside the root files' folder. `.br`, `.zst` and
/// `.gz` files next to a file are its variants (and are not served under their own names);
/// ETags are weak, from size and modification time.
struct RootFiles: Sendable {
    let folder: RootFolder

    init(_ path: String) { folder = RootFolder(path) }

    static let wellKnown = ".well-known"

    /// The asset a still-encoded path below `/` names, or nil (the request is passed on).
    func asset(encoded: Substring, cacheControl: String) -> Asset? {
        guard let name = Self.name(encoded) else { return nil }
        var treePath = folder.path
        var inner = name
        if name.hasPrefix(Self.wellKnown + "/") {
            treePath += "/" + Self.wellKnown
            inner = String(name.dropFirst(Self.wellKnown.count + 1))
            guard let real = RootFolder(treePath).realPath, folder.contains(real) else { return nil }
        }
        guard let tree = ReleaseTree(path: treePath), let file = tree.open(inner) else { return nil }
        // A variant is not a file of its own when the file it is a variant of exists (as WhiteNoise).
        for coding in ContentEncoding.variants where inner.hasSuffix(coding.fileSuffix) {
            if tree.open(String(inner.dropLast(coding.fileSuffix.count))) != nil { return nil }
        }
        var opened: [ContentEncoding: OpenFile] = [.identity: file]
        for coding in ContentEncoding.variants {
            if let variant = tree.open(inner + coding.fileSuffix) { opened[coding] = variant }
        }
        let found = opened
        return Asset(
            name: name, codings: ContentEncoding.allCases.filter { found[$0] != nil }, cacheControl: cacheControl,
            validator: .fileStatus, locate: { coding in found[coding].map(LocatedFile.init(opened:)) })
    }

    /// The decoded name of a root file: as ``RequestPath/logicalName(_:)``, plus `.well-known/…`.
    static func name(_ encoded: Substring) -> String? {
        let prefix = wellKnown + "/"
        guard encoded.hasPrefix(prefix) else { return RequestPath.logicalName(encoded) }
        return RequestPath.logicalName(encoded.dropFirst(prefix.count)).map { prefix + $0 }
    }
}
