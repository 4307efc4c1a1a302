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
}
