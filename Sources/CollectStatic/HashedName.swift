/// Django's naming of fingerprinted files: `root.<hash>.ext`, where `ext` is the last extension as
/// Python's `os.path.splitext` finds it (leading dots of the basename do not start an extension).
public enum HashedName {
    /// `css/app.css` + `3f2a9c1b7d4e` → `css/app.3f2a9c1b7d4e.css`; `LICENSE` → `LICENSE.3f2a9c1b7d4e`.
    public static func make(_ path: String, hash: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let basename = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let (root, ext) = splitExtension(basename)
        return directory + root + "." + hash + ext
    }

    /// Python's `os.path.splitext` on a basename.
    public static func splitExtension(_ basename: String) -> (root: String, ext: String) {
        guard let dot = basename.lastIndex(of: "."),
            basename[..<dot].contains(where: { $0 != "." })
        else { return (basename, "") }
        return (String(basename[..<dot]), String(basename[dot...]))
    }
}
