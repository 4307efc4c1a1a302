#if canImport(Glibc)
    import Glibc
#endif

/// Writes the files of the next tree into a private folder (the staging tree) and nowhere else.
/// A file whose bytes are already published under the same name is proven (compared byte for byte,
/// or hashed against its recorded integrity) and then hard-linked from the published tree instead of
/// written again (atomic mode), or left out because it is already in place (in-place mode). Names
/// are checked so that no `..`, absolute path or symlinked folder can lead a write outside the tree.
struct TreeBuilder: ReleaseTree {
    /// The staging tree.
    let root: String
    let published: PublishedState
    /// True when the staging tree must be complete (it replaces STATIC_ROOT whole); false when only
    /// what changes is staged (in-place publishing).
    let complete: Bool
    /// Called before each file write with its destination (a test seam for failing writes).
    var willWrite: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }

    var writesFiles: Bool { true }

    func variantDraft(_ name: String) -> String { root + "/" + name }

    func discard() { try? FileSystem.removeTree(root) }

    func publish(_ plan: ReleasePlan, manifest: (any ManifestContent)?, with run: RunContext)
        throws(CollectStaticError) -> Bool
    {
        try run.hooks.beforeManifest()
        try run.publish(StagedRelease(plan: plan, manifest: manifest, tree: self))
        return true
    }

    func carry(_ name: String) throws(CollectStaticError) { try carry(name, from: nil) }

    /// What placing a file did, relative to the published tree.
    enum Outcome: Sendable, Equatable {
        case written, unmodified
    }

    /// The absolute destination of a name, or an error if the name could leave the tree.
    func destination(_ name: String) throws(CollectStaticError) -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .output(path: name, reason: "refusing a name that could leave STATIC_ROOT")
        }
        return root + "/" + name
    }

    /// Creates the staging tree and the folders the names need.
    func prepareFolders(for names: some Sequence<String>) throws(CollectStaticError) {
        try FileSystem.makeDirectories(root)
        var seen: Set<Substring> = []
        for name in names {
            var folder = Substring("")
            for part in name.split(separator: "/").dropLast() {
                folder = folder.isEmpty ? part : Substring(folder + "/" + part)
                guard seen.insert(folder).inserted else { continue }
                try FileSystem.makeDirectories(root + "/" + folder)
            }
        }
    }

    /// Places one file of the plan: linked from the published tree when that holds its bytes; else,
    /// when `placed` names a file with the same bytes this run has already placed, hard-linked to it
    /// (one copy of the bytes for both names); else linked from the run's spool (a rewritten file)
    /// or copied in pieces from its source.
    func place(_ file: ReleasePlan.File, sameBytesAs placed: String? = nil) throws(CollectStaticError) -> Outcome {
        let name = file.name  // made, not stored: made once here
        let path = try destination(name)
        let existing = published.root + "/" + name
        if !published.fromCache, try Self.isProven(existing, holds: file.content) {
            if complete { try link(existing, at: path) }
            return .unmodified
        }
        try willWrite(path)
        if case .symlink = file.content {
            guard symlink(file.content.path, path) == 0 else { throw .output(path: path, reason: FileSystem.lastError) }
        } else if let twin = placed.map(placedFile), FileSystem.status(twin, followLinks: false)?.isRegularFile == true
        {
            try link(twin, at: path)
        } else if case .asset(let asset, hashedCopy: true) = file.content, asset.rewrittenFile != nil {
            try link(file.content.path, at: path)
        } else {
            try file.content.copy(to: path)
        }
        return .written
    }

    /// Where the placed file `name` is: in the staging tree, or (in place, unchanged) still in the
    /// published tree.
    func placedFile(_ name: String) -> String {
        let staged = root + "/" + name
        return complete || FileSystem.status(staged, followLinks: false) != nil ? staged : published.root + "/" + name
    }

    /// Places a compressed variant: hard-linked from where it was proven (`reusedFrom`), or written.
    func placeVariant(_ bytes: [UInt8], reusedFrom source: String?, as name: String) throws(CollectStaticError) {
        let path = try destination(name)
        if !complete, (try? FileSystem.readFile(published.root + "/" + name)) == bytes { return }  // in place
        if let source {
            try link(source, at: path)
            return
        }
        try willWrite(path)
        try FileSystem.writeNew(bytes, to: path)
    }

    /// Places a compressed variant held in the file at `file`: one just made (`fresh`, in the
    /// staging tree; the caller deletes it afterwards), or one proven in the published tree or the
    /// cache folder. Hard-linked, or copied in pieces where linking is impossible; never read whole.
    /// In place, a variant already published with the same bytes is left where it is.
    func placeVariant(file: String, fresh: Bool, as name: String) throws(CollectStaticError) {
        let path = try destination(name)
        if !complete, FileStream.sameBytes(published.root + "/" + name, file) { return }  // in place
        if fresh { try willWrite(path) }
        // A source file of the same name placed earlier (a `.br` among the sources): replaced, as a write would.
        if FileSystem.status(path, followLinks: false) != nil, unlink(path) != 0 {
            throw .output(path: path, reason: FileSystem.lastError)
        }
        if try FileSystem.hardLink(file, at: path) { return }
        if !fresh { try willWrite(path) }
        try FileStream.copy(file, to: path)
    }

    /// Carries a file over as it is from the published tree (or from `tree`, e.g. a kept old tree).
    func carry(_ name: String, from tree: String?) throws(CollectStaticError) {
        guard complete || tree != nil else { return }  // in place, it already is where it belongs
        let path = try destination(name)
        let existing = (tree ?? published.root) + "/" + name
        if FileSystem.status(existing, followLinks: false)?.isSymlink == true {
            guard let target = FileSystem.readLink(existing), symlink(target, path) == 0 else {
                throw .output(path: path, reason: FileSystem.lastError)
            }
            return
        }
        try link(existing, at: path)
    }

    /// Hard-links `existing` (a file proven to hold the bytes) at `path`, or copies it in pieces
    /// where the file system cannot link.
    private func link(_ existing: String, at path: String) throws(CollectStaticError) {
        if try FileSystem.hardLink(existing, at: path) { return }
        try willWrite(path)
        try FileStream.copy(existing, to: path)
    }

    /// Dry run: whether placing `file` would write it (rather than find it already published).
    static func wouldChange(_ file: ReleasePlan.File, in published: PublishedState) throws(CollectStaticError)
        -> Outcome
    {
        let existing = published.root + "/" + file.name
        if published.fromCache { return .written }
        return try isProven(existing, holds: file.content) ? .unmodified : .written
    }

    /// Whether the published file at `path` holds exactly what `content` would write: compared byte
    /// for byte, or hashed against the integrity recorded for it.
    static func isProven(_ path: String, holds content: ContentSource) throws(CollectStaticError) -> Bool {
        guard let status = FileSystem.status(path, followLinks: false) else { return false }
        if case .symlink = content { return status.isSymlink && FileSystem.readLink(path) == content.path }
        guard status.isRegularFile else { return false }
        return try content.isHeld(byFileAt: path)
    }
}
