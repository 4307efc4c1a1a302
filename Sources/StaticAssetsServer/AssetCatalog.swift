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
        let utf8 = name.utf8
        let base = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
        guard let lastDot = utf8[base...].lastIndex(of: UInt8(ascii: ".")), lastDot > base else { return false }
        // `LICENSE.3f2a9c1b7d4e`: the hash is the last part.
        if isHash(utf8[utf8.index(after: lastDot)...]), manifest.paths[String(name[..<lastDot])] == name {
            return true
        }
        // `app.3f2a9c1b7d4e.css`: the hash is the part before the extension.
        guard let hashDot = utf8[base..<lastDot].lastIndex(of: UInt8(ascii: ".")), hashDot > base,
            isHash(utf8[utf8.index(after: hashDot)..<lastDot])
        else { return false }
        return manifest.paths[String(name[..<hashDot]) + String(name[lastDot...])] == name
    }

    private static func isHash(_ part: Substring.UTF8View) -> Bool {
        part.count == 12
            && part.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}
