import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a resolver reads its releases: STATIC_ROOT (by path: it may be switched to another folder,
/// or be a symlink a deploy re-points) and the manifest's name in it.
struct ReleaseSource: Sendable, Equatable {
    /// STATIC_ROOT, absolute, symlinks not resolved.
    let root: String
    let manifestName: String

    init(manifestPath: String) {
        let path = RootFolder(manifestPath).path
        let slash = path.lastIndex(of: "/") ?? path.startIndex
        root = slash == path.startIndex ? "/" : String(path[..<slash])
        manifestName = String(path[path.index(after: slash)...])
    }

    var manifestPath: String { (root == "/" ? "" : root) + "/" + manifestName }

    /// The release the path names now: the folder opened first, then the manifest read relative to
    /// it, so the manifest always belongs to the tree held (whatever a publish does meanwhile).
    func load() throws(ManifestError) -> AssetResolver.Loaded {
        guard let tree = ReleaseTree(path: root) else {
            throw .unreadable(path: manifestPath, reason: Self.reason(ENOENT))
        }
        switch tree.read(manifestName) {
        case .failure(let failure):
            throw .unreadable(path: manifestPath, reason: Self.reason(failure.code))
        case .success(let (data, identity)):
            let manifest = try Manifest(data: data, source: manifestPath)
            return AssetResolver.Loaded(manifest: manifest, revision: 0, tree: tree, manifestIdentity: identity)
        }
    }

    /// The same reasons `Manifest(contentsOf:)` gives.
    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT, ENOTDIR: return "no such file; run `collectstatic --noinput` first to collect the static files"
        case EISDIR: return "it is a directory"
        case EACCES, EPERM: return "permission denied"
        default: return String(cString: strerror(code))
        }
    }
}
