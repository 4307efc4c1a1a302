/// A compression cache that many build machines share (an S3 bucket: `CollectStaticS3.BucketCache`),
/// in front of the local cache folder. Before compressing, the collector asks it for the entries
/// this release needs and the local folder lacks; after compressing, it sends the entries the run
/// made. The shared cache only moves files: every entry is verified by the SHA-256 its record holds
/// when it is used (`VariantCache`), so an entry that does not verify is ignored, compressed again
/// and replaced (`overwriting`), and never published.
public protocol SharedCache: Sendable {
    /// Copies into the local cache folder `folder` the files at `paths` (relative to it) that the
    /// shared cache holds, each written atomically; returns how many it copied. A file it does not
    /// hold is skipped; a failure to reach it throws.
    func fetch(_ paths: [String], into folder: String) async throws(CollectStaticError) -> Int
    /// Sends the files at `paths` (relative to `folder`), in order, that the shared cache does not
    /// hold yet (create-only), and those in `overwriting` whatever it holds; returns how many it sent.
    func store(_ paths: [String], overwriting: Set<String>, from folder: String) async throws(CollectStaticError)
        -> Int
}
