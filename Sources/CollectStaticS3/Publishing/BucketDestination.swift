import CollectStatic

/// An S3-compatible bucket as a destination of every release (`COLLECTSTATIC_STORAGE`): the
/// collector hands it the release once STATIC_ROOT holds it, and `BucketPublisher` uploads what
/// the bucket lacks, then moves the pointer manifest with a compare-and-swap.
public struct BucketDestination: ReleaseDestination {
    public let storage: S3Configuration
    /// Check the bucket against a paged listing and upload what is missing (`--verify-bucket`).
    public var verify: Bool

    public init(storage: S3Configuration, verify: Bool = false) {
        self.storage = storage
        self.verify = verify
    }

    /// The destination named by a storage URL (`s3://BUCKET/PREFIX?…`), with the endpoint, region
    /// and credentials the environment gives; a malformed URL is a configuration error (exit 2).
    public init(url: String, environment: [String: String]) throws(CollectStaticError) {
        do {
            storage = try StorageURL.parse(url, environment: environment)
        } catch {
            throw .configuration(error.description)
        }
        verify = false
    }

    public func publish(_ release: PublishedRelease) async throws(CollectStaticError) -> String {
        let verify = self.verify
        let report: BucketPublisher.Report
        do {
            report = try await S3Client.using(storage) { client throws(BucketPublisher.Failure) in
                var publisher = BucketPublisher(
                    client: client, staticRoot: release.root, manifestName: release.manifestName)
                publisher.verify = verify
                return try await publisher.publish()
            }
        } catch {
            throw .destination(error.description)
        }
        let target = "s3://\(storage.bucket)/\(storage.prefix)"
        if report.unchanged { return "\(target): already up to date" }
        return
            "\(target): \(report.uploaded) objects uploaded (\(report.uploadedBytes) bytes), \(report.reused) already there"
    }
}
