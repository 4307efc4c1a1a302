import CLinux
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Puts a complete new tree in the place of STATIC_ROOT in one atomic step: Linux
/// `renameat2(RENAME_EXCHANGE)` swaps the two folders, so whatever resolves a path under STATIC_ROOT
/// (nginx, our server, WhiteNoise at start-up) finds the whole old tree or the whole new one. The
/// old tree ends up at the new tree's former path. When STATIC_ROOT does not exist yet a plain
/// `rename(2)` moves the new tree in.
///
/// STATIC_ROOT stays a real folder (not a symlink to a release), so `COPY --from=build` in a
/// Dockerfile, `tar`, rsync and servers that refuse symlinks all see what they always saw. Where
/// STATIC_ROOT is itself a symlink, the folder it points to is the one exchanged (`WorkFolder`), so
/// the link stays a link and a path through it finds the whole old tree or the whole new one.
enum TreeSwitch {
    enum Outcome: Equatable {
        /// The old tree is now at the staging path.
        case exchanged
        /// STATIC_ROOT did not exist; nothing old to clean up.
        case moved
        /// The file system cannot exchange these folders (e.g. overlayfs with STATIC_ROOT in a lower
        /// layer): nothing was changed; publish in place instead.
        case unsupported(reason: String)
    }

    static func exchange(_ staging: String, with staticRoot: String) throws(CollectStaticError) -> Outcome {
        if FileSystem.status(staticRoot, followLinks: false) == nil {
            guard rename(staging, staticRoot) == 0 else {
                throw .output(path: staticRoot, reason: "cannot move the new tree into place: \(FileSystem.lastError)")
            }
            return .moved
        }
        guard
            collectstatic_renameat2(
                AT_FDCWD, staging, AT_FDCWD, staticRoot, UInt32(COLLECTSTATIC_RENAME_EXCHANGE)) == 0
        else {
            let code = errno
            let reason = FileSystem.lastError
            if code == EINVAL || code == ENOSYS || code == EXDEV || code == ENOTSUP {
                return .unsupported(reason: "the file system cannot exchange folders (\(reason))")
            }
            throw .output(path: staticRoot, reason: "cannot switch to the new tree: \(reason)")
        }
        return .exchanged
    }
}
