import StaticAssets

/// A release staged in full (or, in place, its changes) and ready to be published.
struct StagedRelease {
    var plan: ReleasePlan
    /// The manifest to publish with it; nil with `--no-post-process` when there is none to carry.
    var manifest: (any ManifestContent)?
    var tree: TreeBuilder
}

/// How a staged release becomes the one STATIC_ROOT serves. Two ways today, picked once per run by
/// `WorkFolder`: the whole tree switched in one step (`SwitchPublishing`), or the changed files
/// moved in one by one in an order that keeps the manifest true (`InPlacePublishing`). Destinations
/// beyond this machine's disk (an S3 bucket) receive the release once STATIC_ROOT has it: they
/// conform to `ReleaseDestination`.
protocol ReleasePublishing: Sendable {
    /// Whether the staging tree must hold the whole release (it replaces the published tree) or
    /// only what changes.
    var stagesWholeTree: Bool { get }
    /// Makes `release` the published one; a failure leaves the published tree fully usable.
    func publish(_ release: StagedRelease) throws(CollectStaticError)
}

extension WorkFolder {
    /// How releases are published from this work folder.
    func publishing(manifestName: String, observer: any CollectionObserver, hooks: CollectorHooks)
        -> any ReleasePublishing
    {
        let inPlace = InPlacePublishing(root: staticRoot, manifestName: manifestName, willPublish: hooks.willPublish)
        switch mode {
        case .atomicSwitch:
            return SwitchPublishing(
                work: self, manifestName: manifestName, observer: observer, willPublish: hooks.willPublish,
                fallback: inPlace)
        case .inPlace: return inPlace
        }
    }
}
