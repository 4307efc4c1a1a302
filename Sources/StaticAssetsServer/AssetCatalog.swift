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
    /// The URL path prefix files are served under (for `Use-As-Dictionary` patterns).
    var urlPrefix = "/static/"

    func asset(named name: String) -> Asset? {
        let root = root
        let trusted = trusted
        let locate: @Sendable (ContentEncoding) -> ContainedFile? = {
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
            let sizes = entry.encodings.mapValues(\.size)
            var asset = Asset(
                name: name, codings: ContentEncoding.allCases.filter { $0 == .identity || sizes[$0] != nil },
                cacheControl: cacheControl, validator: .integrity(entry.integrity, variantSizes: sizes),
                locate: locate)
            asset.deltas = entry.deltas.mapValues(\.size)
            asset.locateDelta = { dictionary in
                ContainedFile.find(
                    ManifestEntry.deltaName(of: name, dictionary: dictionary), in: root, trusted: trusted)
            }
            if hashed, let logical = Self.logicalName(of: name, in: manifest) {
                asset.useAsDictionary = DictionaryTransport.useAsDictionary(logicalPath: logical, urlPrefix: urlPrefix)
            }
            return asset
        }
        // A manifest without `files` (written by Django itself): serve the names it lists, identity only.
        guard manifest.files.isEmpty, manifest.paths[name] != nil || hashed else {
            return nil
        }
        return Asset(
            name: name, codings: [.identity], cacheControl: cacheControl, validator: .fileStatus, locate: locate)
    }

    /// The logical name whose hashed name (in this release or a kept one) is `name`.
    static func logicalName(of name: String, in manifest: Manifest) -> String? {
        for (logical, _) in HashedName.candidates(name)
        where manifest.paths[logical] == name
            || manifest.previousGenerations.contains(where: { $0.paths[logical] == name })
        {
            return logical
        }
        return nil
    }

    /// Whether `name` is a hashed name of the current release or of a kept earlier one:
    /// `css/app.3f2a9c1b7d4e.css` is hashed iff some release maps `css/app.css` to it.
    static func isHashed(_ name: String, in manifest: Manifest) -> Bool {
        if let target = manifest.paths[name] { return target == name }
        for (logical, _) in HashedName.candidates(name) {
            if manifest.paths[logical] == name { return true }
            if manifest.previousGenerations.contains(where: { $0.paths[logical] == name }) { return true }
        }
        return false
    }
}
