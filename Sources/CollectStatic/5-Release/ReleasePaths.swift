import StaticAssets

/// A release's `paths` (logical name → hashed name). For this run's release they are read from the
/// fingerprinted assets, which are sorted by logical name: looked up by binary search and listed in
/// order, never held as a dictionary of the whole tree. A release read back from a manifest has its
/// dictionary.
enum ReleasePaths: Sendable {
    case assets(FingerprintedAssets)
    case dictionary([String: String])

    /// This run's assets (a dictionary when they are not sorted by logical name).
    init(_ assets: FingerprintedAssets) {
        let sources = assets.sources
        let sorted = zip(sources, sources.dropFirst()).allSatisfy { utf8Less($0.logicalPath, $1.logicalPath) }
        self = sorted ? .assets(assets) : .dictionary(Self.dictionary(of: assets))
    }

    private static func dictionary(of assets: FingerprintedAssets) -> [String: String] {
        Dictionary(assets.map { ($0.asset.logicalPath, $0.hashedName) }) { first, _ in first }
    }

    var count: Int {
        switch self {
        case .assets(let assets): assets.count
        case .dictionary(let paths): paths.count
        }
    }

    subscript(logicalPath: String) -> String? {
        switch self {
        case .dictionary(let paths): return paths[logicalPath]
        case .assets(let assets):
            let low = utf8LowerBound(assets.sources, logicalPath) { $0.logicalPath }
            return low < assets.count && sameBytes(assets.sources[low].logicalPath, logicalPath)
                ? assets[low].hashedName : nil
        }
    }

    /// Every pair, in the order of the logical names' UTF-8 bytes.
    func forEach(_ body: (_ logicalPath: String, _ hashedName: String) -> Void) {
        switch self {
        case .assets(let assets): for asset in assets { body(asset.asset.logicalPath, asset.hashedName) }
        case .dictionary(let paths): for key in paths.keys.sorted(by: utf8Less) { body(key, paths[key]!) }
        }
    }

    /// The pairs as a dictionary (for a manifest held whole, as publishing in place does).
    var dictionary: [String: String] {
        switch self {
        case .assets(let assets): Self.dictionary(of: assets)
        case .dictionary(let paths): paths
        }
    }

    /// Whether these are exactly `other`'s pairs.
    func isEqual(to other: [String: String]) -> Bool {
        guard count == other.count else { return false }
        var equal = true
        forEach { logical, hashed in if equal && other[logical] != hashed { equal = false } }
        return equal
    }

    /// Django's manifest hash of these paths.
    var djangoHash: String { djangoManifestHash(forEach) }
}
