/// Checks a merged configuration once, before anything is read or written. Every problem is a
/// `CollectStaticError.configuration` (exit code 2). A source root that does not exist is left out
/// with a warning, as Django's `staticfiles.W004` does, unless none of them exists and the command
/// reads them (`readsSources`: `rollback`, `clean` and `history` do not).
enum ConfigurationValidator {
    static func validate(_ configuration: inout Configuration, readsSources: Bool = true) throws(CollectStaticError) {
        let url = configuration.staticURL
        guard !url.isEmpty else { throw .configuration("STATIC_URL must not be empty") }
        guard url.hasSuffix("/") else {
            throw .configuration("STATIC_URL must end with a slash: \"\(url)\" → \"\(url)/\"")
        }
        let manifest = configuration.manifestName
        guard !manifest.isEmpty, !manifest.contains("/"), manifest != ".", manifest != ".." else {
            throw .configuration("COLLECTSTATIC_MANIFEST must be a plain file name, got \"\(manifest)\"")
        }
        guard !configuration.sourceRoots.isEmpty else {
            throw .configuration("STATICFILES_DIRS is empty: name at least one source folder")
        }
        let staticRoot = FileSystem.canonical(configuration.staticRoot)
        if let status = FileSystem.status(staticRoot), !status.isDirectory {
            throw .configuration("STATIC_ROOT \(configuration.staticRoot) exists and is not a directory")
        }
        for root in configuration.sourceRoots {
            if let prefix = root.prefix {
                // A prefix is one or more path segments: files are collected under `prefix/`.
                let parts = prefix.split(separator: "/", omittingEmptySubsequences: false)
                guard !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.contains("\0") }) else {
                    throw .configuration(
                        "invalid prefix \"\(prefix)\" for source root \(root.path): a prefix is one or more path segments, none of them empty, \".\" or \"..\" (STATICFILES_DIRS)"
                    )
                }
                if parts.first.map(String.init) == manifest {
                    throw .configuration(
                        "prefix \"\(prefix)\" for source root \(root.path) would put files where the manifest \(manifest) goes"
                    )
                }
            }
            guard let status = FileSystem.status(root.path) else { continue }
            guard status.isDirectory else {
                throw .configuration("source root \(root.path) is not a directory (STATICFILES_DIRS)")
            }
            if root.prefix == nil, FileSystem.status(root.path + "/" + manifest)?.isDirectory == true {
                throw .configuration(
                    "COLLECTSTATIC_MANIFEST \"\(manifest)\" is a folder of the tree (\(root.path)/\(manifest)); expected a file name no collected file or folder uses"
                )
            }
            let canonicalRoot = FileSystem.canonical(root.path)
            if FileSystem.isInside(staticRoot, canonicalRoot) {
                throw .configuration(
                    "STATIC_ROOT \(configuration.staticRoot) is inside source root \(root.path): collected files would be collected again"
                )
            }
            if FileSystem.isInside(canonicalRoot, staticRoot) {
                throw .configuration(
                    "source root \(root.path) is inside STATIC_ROOT \(configuration.staticRoot): --clear would delete it"
                )
            }
        }
        let missing = configuration.sourceRoots.filter { FileSystem.status($0.path) == nil }
        guard readsSources else { return }
        if missing.count == configuration.sourceRoots.count, let first = missing.first {
            throw .configuration(
                "source root \(first.path) does not exist (STATICFILES_DIRS), and no other source root does")
        }
        for root in missing {
            configuration.warnings.append(
                "source root \(root.path) does not exist (STATICFILES_DIRS); collecting the others, as Django does (staticfiles.W004)"
            )
        }
        configuration.sourceRoots.removeAll { root in missing.contains(root) }
    }
}
