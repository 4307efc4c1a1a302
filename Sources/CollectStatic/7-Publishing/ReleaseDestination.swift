/// A place beyond STATIC_ROOT that receives every release once STATIC_ROOT holds it, such as an S3
/// bucket (`CollectStaticS3.BucketDestination`). The local tree is built and published exactly as
/// without one; then each destination is given the published release, in order. A destination is
/// also given an unchanged release (it may not have it yet), never a dry run's.
///
/// ```swift
/// var collector = Collector(configuration: configuration)
/// collector.destinations = [try BucketDestination(storage: "s3://assets/static", environment: environment)]
/// let report = try await collector.run()
/// ```
public protocol ReleaseDestination: Sendable {
    /// Publishes the release in `release.root`; returns one line for the run's summary. A failure
    /// (`CollectStaticError.destination`) must leave what the destination served before fully usable.
    func publish(_ release: PublishedRelease) async throws(CollectStaticError) -> String
}

/// The release STATIC_ROOT serves once a run has published it.
public struct PublishedRelease: Sendable, Equatable {
    /// The published folder (STATIC_ROOT, or the folder it points to when it is a symlink).
    public var root: String
    /// The manifest's file name inside `root`.
    public var manifestName: String
    /// False when the run found nothing to change locally.
    public var changed: Bool

    /// A release published in `root` with the manifest `manifestName`.
    public init(root: String, manifestName: String, changed: Bool) {
        self.root = root
        self.manifestName = manifestName
        self.changed = changed
    }
}
