import CollectStatic
import CollectStaticS3
import Foundation

/// `COLLECTSTATIC_STORAGE`: the URL is checked before anything is collected (exit 2 when malformed),
/// and the bucket becomes a destination the collector publishes each release to once STATIC_ROOT
/// has it (exit 1 on failure, the bucket's pointer untouched).
enum BucketStep {
    /// The destinations a collect publishes to besides STATIC_ROOT (none without a storage).
    static func destinations(_ configuration: Configuration, copyOnly: Bool) throws(CollectStaticError)
        -> [any ReleaseDestination]
    {
        guard let url = configuration.storage else { return [] }
        let bucket = try BucketDestination(url: url, environment: ProcessInfo.processInfo.environment)
        if copyOnly {
            throw .configuration("COLLECTSTATIC_STORAGE needs a manifest: it cannot be used with --no-post-process")
        }
        return [bucket]
    }

    /// The shared compression cache (`COLLECTSTATIC_CACHE=s3://…`), if any, and the local cache
    /// folder it fills: `COLLECTSTATIC_CACHE_DIR` when set, else a temporary folder removed after the run.
    static func sharedCache(_ configuration: inout Configuration) throws(CollectStaticError) -> (
        cache: (any SharedCache)?, temporaryFolder: String?
    ) {
        guard let url = configuration.sharedCache else { return (nil, nil) }
        let cache = try BucketCache(url: url, environment: ProcessInfo.processInfo.environment)
        guard configuration.cacheDirectory == nil else { return (cache, nil) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "collectstatic-cache-\(UUID().uuidString)"
        ).path
        configuration.cacheDirectory = folder
        return (cache, folder)
    }
}
