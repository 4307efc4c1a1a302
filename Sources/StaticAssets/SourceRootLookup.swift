import Foundation

/// Development lookup: maps a logical name (`css/app.css`, `vendor/lib.js`) straight to a file in the
/// ordered source roots (Django's `STATICFILES_DIRS` with optional prefixes), so no collect run is
/// needed. The first root holding the name wins; names go through the same containment rules as
/// STATIC_ROOT (no dotfiles, no `..`, no symlink out of the root).
public struct SourceRootLookup: Sendable {
    public struct Root: Sendable, Equatable {
        /// Files of this root appear under `prefix/` (nil: at the top level).
        public let prefix: String?
        public let folder: RootFolder

        public init(prefix: String?, path: String) {
            let trimmed = prefix.map { $0.split(separator: "/").joined(separator: "/") }
            self.prefix = trimmed?.isEmpty == true ? nil : trimmed
            self.folder = RootFolder(path)
        }
    }

    public let roots: [Root]

    public init(roots: [(prefix: String?, path: String)]) {
        self.roots = roots.map { Root(prefix: $0.prefix, path: $0.path) }
    }

    public init(roots: [Root]) {
        self.roots = roots
    }

    /// The file `name` resolves to, or nil when no root holds it (or the name is unsafe).
    public func file(for name: String) -> ContainedFile? {
        guard SafeName.isSafe(name) else { return nil }
        for root in roots {
            var relative = Substring(name)
            if let prefix = root.prefix {
                guard relative.hasPrefix(prefix + "/") else { continue }
                relative = relative.dropFirst(prefix.count + 1)
            }
            if let file = ContainedFile.find(String(relative), in: root.folder) { return file }
        }
        return nil
    }
}
