import StaticAssets

/// STATIC_ROOT as it is published now: its manifest (if any) and the files it holds.
struct PublishedState: Sendable {
    var root: String
    var manifest: Manifest?
    /// Where `manifest` came from when STATIC_ROOT has none (a fresh image) and the cache folder
    /// remembers the last release: its kept files are then read from the cache.
    var fromCache: Bool
}
