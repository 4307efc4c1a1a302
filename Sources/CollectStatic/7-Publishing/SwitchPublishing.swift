import StaticAssets

/// Publishes a complete staged tree by exchanging it with STATIC_ROOT in one step (`TreeSwitch`);
/// the old tree is retired into the work folder while its release is kept (for `rollback`). Where
/// the file system cannot exchange folders, publishes in place instead (`fallback`).
struct SwitchPublishing: ReleasePublishing {
    let work: WorkFolder
    let manifestName: String
    let observer: any CollectionObserver
    var willPublish: @Sendable (String) throws(CollectStaticError) -> Void = { _ in }
    let fallback: InPlacePublishing

    var stagesWholeTree: Bool { true }

    func publish(_ release: StagedRelease) throws(CollectStaticError) {
        let (plan, staging) = (release.plan, release.tree)
        if let manifest = release.manifest {
            try ManifestWriter.writeNew(manifest, to: staging.root + "/" + manifestName)
        }
        try willPublish(work.staticRoot)
        switch try TreeSwitch.exchange(staging.root, with: work.staticRoot) {
        case .exchanged:
            let oldID = plan.current.manifest?.release?.id
            if let oldID, oldID != plan.release.id, plan.previous.contains(where: { $0.id == oldID }) {
                try FileSystem.removeTree(work.retiredTree(oldID))
                try FileSystem.move(staging.root, to: work.retiredTree(oldID))
            } else {
                try FileSystem.removeTree(staging.root)
            }
        case .moved:
            break
        case .unsupported(let reason):
            observer.handle(.warning("publishing in place: \(reason)"))
            try FileSystem.removeTree(staging.root + "/" + manifestName)
            try fallback.publish(release)
        }
    }
}
