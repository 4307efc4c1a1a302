import Foundation
import StaticAssets

/// STATIC_ROOT as it is published now: its manifest (if any) and the files it holds.
struct PublishedState: Sendable {
    var root: String
    var manifest: Manifest?
    /// Where `manifest` came from when STATIC_ROOT has none (a fresh image) and the cache folder
    /// remembers the last release: its kept files are then read from the cache.
    var fromCache: Bool

    /// What is published at `work.staticRoot` now: its manifest, or (a fresh STATIC_ROOT) the last
    /// release the cache folder remembers for `staticRoot`. A manifest that cannot be read is never
    /// taken for none: what the work folder and STATIC_ROOT still prove is recovered
    /// (`ManifestRecovery`), and `observer` is told what was recovered and what was lost.
    static func read(
        _ work: WorkFolder, manifestName: String, staticRoot: String, cache: CacheFolder?,
        observer: any CollectionObserver
    ) -> PublishedState {
        let root = work.staticRoot
        let manifestPath = root + "/" + manifestName
        let problem: ManifestError
        do {
            let manifest = try Manifest(contentsOf: URL(fileURLWithPath: manifestPath))
            return PublishedState(root: root, manifest: manifest, fromCache: false)
        } catch {
            problem = error
        }
        if FileSystem.status(manifestPath, followLinks: false) != nil {
            let recovery = ManifestRecovery(root: root, manifestName: manifestName, work: work, now: Date()).recover()
            observer.handle(.warning("\(problem); \(recovery.summary)"))
            return PublishedState(root: root, manifest: recovery.manifest, fromCache: false)
        }
        if let cache, let manifest = try? Manifest(contentsOf: URL(fileURLWithPath: cache.release(staticRoot))) {
            return PublishedState(root: root, manifest: manifest, fromCache: true)
        }
        return PublishedState(root: root, manifest: nil, fromCache: false)
    }
}
