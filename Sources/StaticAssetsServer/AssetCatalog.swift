import StaticAssets

/// Where served names come from: a collected STATIC_ROOT indexed by its manifest, or (development)
/// the source roots themselves.
enum AssetCatalog: Sendable {
    case manifest(ManifestCatalog)
    case sources(SourceRootLookup, cacheControl: String)

    /// The asset for a decoded, safe name; nil for a 404. In manifest mode an unknown name costs no
    /// disk access at all.
    func asset(named name: String) -> Asset? {
        switch self {
        case .manifest(let catalog):
            return catalog.asset(named: name)
        case .sources(let lookup, let cacheControl):
            guard let file = lookup.file(for: name) else { return nil }
            return Asset(
                name: name, codings: [.identity], cacheControl: cacheControl, validator: .fileStatus,
                locate: { $0 == .identity ? file : nil })
        }
    }
}

/// STATIC_ROOT as its manifest describes it.
struct ManifestCatalog: Sendable {
    let resolver: AssetResolver
    let root: RootFolder
    let trusted: [RootFolder]
    let manifestName: String
    let serveManifest: Bool
    let cachePolicy: CachePolicy

    func asset(named name: String) -> Asset? {
        let root = root
        let trusted = trusted
        let locate: @Sendable (ContentCoding) -> ContainedFile? = {
            ContainedFile.find(name + $0.fileSuffix, in: root, trusted: trusted)
        }
        if name == manifestName {
            guard serveManifest else { return nil }
            return Asset(
                name: name, codings: [.identity], cacheControl: cachePolicy.uncached, validator: .fileStatus,
                locate: locate)
        }
        let manifest = resolver.manifest
        let hashed = Self.isHashed(name, in: manifest)
        let cacheControl = hashed ? cachePolicy.hashed : cachePolicy.unhashed
        if let entry = manifest.files[name] {
            var sizes: [ContentCoding: Int] = [:]
            for coding in ContentCoding.allCases {
                if let token = coding.token, let size = entry.encodings[token] { sizes[coding] = size }
            }
            return Asset(
                name: name, codings: ContentCoding.allCases.filter { $0 == .identity || sizes[$0] != nil },
                cacheControl: cacheControl, validator: .integrity(entry.integrity, variantSizes: sizes),
                locate: locate)
        }
        // A manifest without `files` (written by Django itself): serve the names it lists, identity only.
        guard manifest.files.isEmpty, manifest.paths[name] != nil || hashed else {
            return nil
        }
        return Asset(
            name: name, codings: [.identity], cacheControl: cacheControl, validator: .fileStatus, locate: locate)
    }

    /// Whether `name` is the hashed name of some logical name: `css/app.3f2a9c1b7d4e.css` is hashed iff
    /// `paths["css/app.css"]` is that name. Django puts the 12 hex digits before the last extension
    /// (or last, for a name without one), so two candidates are checked, without scanning `paths`.
    static func isHashed(_ name: String, in manifest: Manifest) -> Bool {
        if let target = manifest.paths[name] { return target == name }
        let slash = name.lastIndex(of: "/").map { name.index(after: $0) } ?? name.startIndex
        let parts = name[slash...].split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return false }
        for index in [parts.count - 1, parts.count - 2] where index >= 1 && isHash(parts[index]) {
            var rest = parts
            rest.remove(at: index)
            if manifest.paths[name[..<slash] + rest.joined(separator: ".")] == name { return true }
        }
        return false
    }

    private static func isHash(_ part: Substring) -> Bool {
        part.utf8.count == 12
            && part.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}
