import StaticAssets

/// The manifest of the next tree, made from the plan while it is written: each file's entry is
/// built when its turn comes (the plan's files are already in name order) and let go, so no
/// dictionary of the whole tree's entries is ever held.
struct ReleaseManifest: ManifestContent, Sendable {
    let plan: ReleasePlan
    let compressed: CompressionScheduler.Outcome
    let deltas: DeltaScheduler.Outcome
    /// The compression settings the variants were made with.
    let compression: String?
    let hash: String

    init(
        _ plan: ReleasePlan, compressed: CompressionScheduler.Outcome, deltas: DeltaScheduler.Outcome,
        compression: String?
    ) {
        self.plan = plan
        self.compressed = compressed
        self.deltas = deltas
        self.compression = compression
        hash = plan.paths.djangoHash
    }

    func forEachPath(_ body: (String, String) -> Void) { plan.paths.forEach(body) }
    var version: String { Manifest.currentVersion }
    var release: ReleaseRecord? { plan.release }
    var previousReleases: [ReleaseRecord] { plan.previous }

    func forEachFile(_ body: (String, ManifestEntry) -> Void) {
        for (index, file) in plan.files.enumerated() {
            let name = file.name  // made, not stored: made once per entry
            let deltas = deltas.deltas[name]
            body(
                name,
                ManifestEntry(
                    size: file.size, integrity: file.integrity, encodings: compressed.variants(ofFileAt: index),
                    deltas: deltas?[.dcz] ?? [:], dcbDeltas: deltas?[.dcb] ?? [:]))
        }
    }

    func materialized() -> Manifest {
        var files: [String: ManifestEntry] = [:]
        forEachFile { files[$0] = $1 }
        let paths = plan.paths.dictionary
        var release = plan.release
        release.paths = paths  // a manifest's current release has its paths
        return Manifest(
            paths: paths, hash: hash, files: files, compression: compression, release: release,
            previousReleases: previousReleases)
    }
}
