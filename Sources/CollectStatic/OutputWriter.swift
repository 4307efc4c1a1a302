#if canImport(Glibc)
    import Glibc
#endif

/// Writes files into STATIC_ROOT and nowhere else. Every write is atomic (temporary file renamed
/// over the final name); a file whose content is already in place is left untouched; names are
/// checked so that no `..`, absolute path or symlinked folder can lead a write outside the root.
struct OutputWriter: Sendable {
    let root: String
    /// Called before each file write with its destination (a test seam for failing writes).
    var willWrite: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }

    /// What a write did.
    enum Outcome: Sendable, Equatable {
        case written, unmodified
    }

    /// The absolute destination of a logical name, or an error if the name could leave the root.
    func destination(_ name: String) throws(CollectStaticError) -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .output(path: name, reason: "refusing a name that could leave STATIC_ROOT")
        }
        return root + "/" + name
    }

    /// Creates the folders the names need, refusing any existing symlink or file on the way, so
    /// that the parallel writes after it never have to create or check folders.
    func prepareFolders(for names: some Sequence<String>) throws(CollectStaticError) {
        try FileSystem.makeDirectories(root)
        var seen: Set<Substring> = []
        for name in names {
            let parts = name.split(separator: "/")
            var folder = Substring("")
            for part in parts.dropLast() {
                folder = folder.isEmpty ? part : Substring(folder + "/" + part)
                guard seen.insert(folder).inserted else { continue }
                let path = root + "/" + folder
                if let status = FileSystem.status(path, followLinks: false) {
                    if status.isSymlink {
                        throw .output(path: path, reason: "is a symlink; refusing to write through it")
                    }
                    if !status.isDirectory { throw .output(path: path, reason: "exists and is not a directory") }
                } else {
                    try FileSystem.makeDirectories(path)
                }
            }
        }
    }

    /// Writes `bytes` under `name` unless exactly these bytes are already there.
    func write(_ bytes: [UInt8], as name: String) throws(CollectStaticError) -> Outcome {
        let path = try destination(name)
        if let status = FileSystem.status(path, followLinks: false), status.isRegularFile, status.size == bytes.count,
            (try? FileSystem.readFile(path)) == bytes
        {
            return .unmodified
        }
        try willWrite(path)
        try FileSystem.writeAtomically(bytes, to: path)
        return .written
    }

    /// Deletes `name` if it exists.
    func remove(_ name: String) throws(CollectStaticError) {
        let path = try destination(name)
        guard FileSystem.status(path, followLinks: false) != nil else { return }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .output(path: path, reason: "cannot delete: \(FileSystem.lastError)")
        }
    }

    /// Makes `name` a symlink to `target` unless it already is one.
    func link(_ target: String, as name: String) throws(CollectStaticError) -> Outcome {
        let path = try destination(name)
        if FileSystem.status(path, followLinks: false)?.isSymlink == true, readLink(path) == target {
            return .unmodified
        }
        try FileSystem.symlinkAtomically(target, at: path)
        return .written
    }

    private func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Deletes every file below the root that is not in `keep` (relative names), and folders left
    /// empty. Never follows symlinks out of the root. Returns the deleted names.
    func removeAll(except keep: Set<String>) throws(CollectStaticError) -> [String] {
        var deleted: [String] = []
        try sweep("", keep: keep, deleted: &deleted)
        return deleted.sorted(by: utf8Less)
    }

    @discardableResult
    private func sweep(_ relative: String, keep: Set<String>, deleted: inout [String]) throws(CollectStaticError)
        -> Bool
    {
        let folder = relative.isEmpty ? root : root + "/" + relative
        var empty = true
        for name in try FileSystem.listDirectory(folder) {
            let child = relative.isEmpty ? name : relative + "/" + name
            let path = root + "/" + child
            guard let status = FileSystem.status(path, followLinks: false) else { continue }
            if status.isDirectory {
                if try sweep(child, keep: keep, deleted: &deleted) {
                    if rmdir(path) != 0 { empty = false }
                } else {
                    empty = false
                }
            } else if keep.contains(child) {
                empty = false
            } else {
                guard unlink(path) == 0 else {
                    throw .output(path: path, reason: "cannot delete: \(FileSystem.lastError)")
                }
                deleted.append(child)
            }
        }
        return empty
    }
}
