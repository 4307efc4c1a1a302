import StaticAssets

/// Where the files of the next release are placed: a staging tree in the work folder
/// (`TreeBuilder`), or in a dry run one that writes nothing and only says what would change
/// (`DryRunTree`). The stages after planning work with either alike.
protocol ReleaseTree: Sendable {
    /// False for a dry run: nothing is written, compressed or published.
    var writesFiles: Bool { get }
    /// Places one file of the plan (hard-linked to `placed`, a name this run placed with the same
    /// bytes, when given) and says whether it was written or found already published.
    func place(_ file: ReleasePlan.File, sameBytesAs placed: String?) throws(CollectStaticError) -> TreeBuilder.Outcome
    /// Carries a file of the published tree over as it is.
    func carry(_ name: String) throws(CollectStaticError)
    /// Where the placed file `name` is read from.
    func placedFile(_ name: String) -> String
    /// Where a variant of `name` is written before it is placed (next to the placed file).
    func variantDraft(_ name: String) -> String
    /// Places a compressed variant held in the file at `file` (`fresh`: just made).
    func placeVariant(file: String, fresh: Bool, as name: String) throws(CollectStaticError)
    /// Places a compressed variant held in `bytes`, hard-linked from `source` when that holds them.
    func placeVariant(_ bytes: [UInt8], reusedFrom source: String?, as name: String) throws(CollectStaticError)
    /// Removes what was staged (after a failure).
    func discard()
    /// Publishes what this tree staged with `manifest` (a dry run's publishes nothing); whether it did.
    func publish(_ plan: ReleasePlan, manifest: (any ManifestContent)?, with run: RunContext)
        throws(CollectStaticError) -> Bool
}

/// A dry run's tree: placing a file compares it with the published one; nothing is written.
struct DryRunTree: ReleaseTree {
    let published: PublishedState

    var writesFiles: Bool { false }

    func place(_ file: ReleasePlan.File, sameBytesAs placed: String?) throws(CollectStaticError) -> TreeBuilder.Outcome
    {
        try TreeBuilder.wouldChange(file, in: published)
    }

    func carry(_ name: String) {}
    func placedFile(_ name: String) -> String { published.root + "/" + name }
    func variantDraft(_ name: String) -> String { published.root + "/" + name }
    func placeVariant(file: String, fresh: Bool, as name: String) {}
    func placeVariant(_ bytes: [UInt8], reusedFrom source: String?, as name: String) {}
    func discard() {}

    func publish(_ plan: ReleasePlan, manifest: (any ManifestContent)?, with run: RunContext) -> Bool { false }
}
