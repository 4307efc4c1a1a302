import StaticAssets

/// Where served names come from: a collected STATIC_ROOT indexed by its manifest, or (development)
/// the source roots themselves.
enum AssetCatalog: Sendable {
    case manifest(ManifestCatalog)
    case sources(SourceRootLookup, cacheControl: String)

    /// The asset for the still-encoded part of a request path after STATIC_URL; nil for a 404.
    ///
    /// In manifest mode the resolver's release is taken once, here: everything the request is
    /// answered with (manifest entry, fields, the file opened, bytes held in memory) comes from it.
    /// A hashed name served before in this revision is found without decoding or looking it up again
    /// when its path has no `%` escape (then the path is the name itself).
    func asset(encoded: Substring) -> Asset? {
        switch self {
        case .manifest(let catalog):
            let release = catalog.resolver.loaded
            if let known = catalog.rememberedAsset(encoded, revision: release.revision) { return known }
            guard let name = RequestPath.logicalName(encoded) else { return nil }
            return catalog.asset(named: name, in: release)
        case .sources:
            guard let name = RequestPath.logicalName(encoded) else { return nil }
            return asset(named: name)
        }
    }

    /// The asset for a decoded, safe name; nil for a 404. In manifest mode an unknown name costs no
    /// disk access at all.
    func asset(named name: String) -> Asset? {
        switch self {
        case .manifest(let catalog):
            return catalog.asset(named: name, in: catalog.resolver.loaded)
        case .sources(let lookup, let cacheControl):
            guard let file = lookup.file(for: name) else { return nil }
            return Asset(
                name: name, codings: [.identity], cacheControl: cacheControl, validator: .fileStatus,
                locate: { coding in
                    guard coding == .identity, let opened = OpenFile.open(path: file.path) else { return nil }
                    return LocatedFile(opened: opened)
                })
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
    /// Small hashed representations held in memory (see ``MemoryLimits``).
    let memory: MemoryCache

    /// An asset `asset(named:in:)` made for a hashed name in this revision.
    func rememberedAsset(_ encoded: Substring, revision: Int) -> Asset? {
        guard memory.isEnabled, !encoded.utf8.contains(UInt8(ascii: "%")) else { return nil }
        return memory.asset(named: String(encoded), revision: revision)
    }

    /// The URL path prefix files are served under (for `Use-As-Dictionary` patterns).
    var urlPrefix = "/static/"

    /// The tree files of `release` are opened in: the one its manifest was read from when the
    /// resolver holds it (for this STATIC_ROOT), else STATIC_ROOT opened now.
    func tree(of release: AssetResolver.Loaded) -> ReleaseTree? {
        if let tree = release.tree, tree.path == root.path { return tree }
        return ReleaseTree(path: root.path)
    }

    func asset(named name: String, in release: AssetResolver.Loaded) -> Asset? {
        let trusted = trusted
        let manifest = release.manifest
        let hashed = Self.isHashed(name, in: manifest)
        let entry = manifest.files[name]
        if name == manifestName {
            guard serveManifest else { return nil }
        } else if entry == nil {
            // A manifest without `files` (written by Django itself): serve the names it lists, identity only.
            guard manifest.files.isEmpty, manifest.paths[name] != nil || hashed else { return nil }
        }
        guard let tree = tree(of: release) else { return nil }
        let open: @Sendable (ContentEncoding) -> OpenFile? = { tree.open(name + $0.fileSuffix, trusted: trusted) }
        let locate: @Sendable (ContentEncoding) -> LocatedFile? = { open($0).map(LocatedFile.init(opened:)) }
        guard name != manifestName, let entry else {
            return Asset(
                name: name, codings: [.identity],
                cacheControl: name == manifestName
                    ? cachePolicy.uncached : hashed ? cachePolicy.hashed : cachePolicy.unhashed,
                validator: .fileStatus, locate: locate)
        }
        let cacheControl = hashed ? cachePolicy.hashed : cachePolicy.unhashed
        let sizes = entry.encodings.mapValues(\.size)
        let validator = Asset.Validator.integrity(entry.integrity, variantSizes: sizes)
        let memory = memory
        let revision = release.revision
        // Only hashed names: their bytes never change within a release, an unhashed name's do.
        let fromMemoryOrDisk: @Sendable (ContentEncoding) -> LocatedFile? = { coding in
            let size = coding == .identity ? entry.size : sizes[coding] ?? Int.max
            let key = MemoryCache.Key(name: name, coding: coding)
            let held = memory.representation(key, revision: revision, size: size) {
                guard let expected = ExpectedBytes(entry: entry, coding: coding),
                    let (file, bytes) = MemoryCache.read(expected: expected, find: { open(coding) })
                else { return nil }
                let validators = LocatedFile.Validators(
                    entityTag: Asset.entityTag(validator, for: coding, file: file),
                    lastModified: HTTPDate.format(file.modifiedSeconds))
                return LocatedFile(file: file, bytes: bytes, validators: validators)
            }
            return held ?? locate(coding)
        }
        var asset = Asset(
            name: name, codings: ContentEncoding.allCases.filter { $0 == .identity || sizes[$0] != nil },
            cacheControl: cacheControl, validator: validator, locate: hashed ? fromMemoryOrDisk : locate)
        for coding in DeltaCoding.allCases where !entry.deltas(coding).isEmpty {
            asset.deltas[coding] = entry.deltas(coding).mapValues(\.size)
        }
        asset.locateDelta = { coding, dictionary in
            tree.open(ManifestEntry.deltaName(of: name, dictionary: dictionary, coding: coding), trusted: trusted)
        }
        if hashed, let logical = Self.logicalName(of: name, in: manifest) {
            asset.useAsDictionary = DictionaryTransport.useAsDictionary(logicalPath: logical, urlPrefix: urlPrefix)
        }
        if hashed && memory.isEnabled { memory.remember(asset, revision: revision) }
        return asset
    }

    /// The logical name whose hashed name (in this release or a kept one) is `name`.
    static func logicalName(of name: String, in manifest: Manifest) -> String? {
        for (logical, _) in HashedName.candidates(name)
        where manifest.paths[logical] == name
            || manifest.previousReleases.contains(where: { $0.paths[logical] == name })
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
            if manifest.previousReleases.contains(where: { $0.paths[logical] == name }) { return true }
        }
        return false
    }
}
