/// Django's naming of fingerprinted files, and its inverse: `root.<hash>.ext`, where `hash` is 12
/// lowercase hex digits and `ext` the last extension as Python's `os.path.splitext` finds it (leading
/// dots of the basename do not start an extension); a name without extension gets the hash last.
public enum HashedName {
    /// Length of the fingerprint Django puts in names (`md5(bytes)[:12]`).
    public static let hashLength = 12

    /// `css/app.css` + `3f2a9c1b7d4e` → `css/app.3f2a9c1b7d4e.css`; `LICENSE` → `LICENSE.3f2a9c1b7d4e`.
    public static func make(_ path: String, hash: String) -> String {
        let utf8 = path.utf8
        let split = utf8.index(utf8.startIndex, offsetBy: hashOffset(in: path))
        return String(path[..<split]) + "." + hash + String(path[split...])
    }

    /// Where `make` puts `.<hash>` in `path`, as a UTF-8 offset: before the extension of the
    /// basename (Python's `os.path.splitext`), or at the end when it has none.
    public static func hashOffset(in path: String) -> Int {
        let utf8 = path.utf8
        // From the end: the basename's last dot, then where the basename starts.
        var position = utf8.count
        var dot = -1
        var base = 0
        for byte in utf8.reversed() {
            position -= 1
            if byte == UInt8(ascii: "/") {
                base = position + 1
                break
            }
            if byte == UInt8(ascii: ".") && dot < 0 { dot = position }
        }
        // `splitext` keeps leading dots with the root: `.hidden` and `..x` have no extension.
        guard dot > base, utf8.dropFirst(base).prefix(dot - base).contains(where: { $0 != UInt8(ascii: ".") })
        else { return utf8.count }
        return dot
    }

    /// The inverse of `make`: the logical names `name` could be the hashed name of, with the hash.
    /// `css/app.3f2a9c1b7d4e.css` → `css/app.css`; `LICENSE.3f2a9c1b7d4e` → `LICENSE`. At most two
    /// candidates (hash before the last extension, or last); none when no part is a hash.
    public static func candidates(_ name: String) -> [(logicalPath: String, hash: String)] {
        let utf8 = name.utf8
        let base = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
        guard let lastDot = utf8[base...].lastIndex(of: UInt8(ascii: ".")), lastDot > base else { return [] }
        var found: [(String, String)] = []
        let last = utf8[utf8.index(after: lastDot)...]
        if isHash(last) { found.append((String(name[..<lastDot]), String(Substring(last)))) }
        if let hashDot = utf8[base..<lastDot].lastIndex(of: UInt8(ascii: ".")), hashDot > base {
            let hash = utf8[utf8.index(after: hashDot)..<lastDot]
            if isHash(hash) {
                found.append((String(name[..<hashDot]) + String(name[lastDot...]), String(Substring(hash))))
            }
        }
        return found.filter { make($0.0, hash: $0.1) == name }
    }

    /// Python's `os.path.splitext` on a basename: split where `make` puts the hash.
    public static func splitExtension(_ basename: String) -> (root: String, ext: String) {
        let utf8 = basename.utf8
        let dot = utf8.index(utf8.startIndex, offsetBy: hashOffset(in: basename))
        return (String(basename[..<dot]), String(basename[dot...]))
    }

    private static func isHash(_ part: Substring.UTF8View) -> Bool {
        part.count == hashLength
            && part.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}
