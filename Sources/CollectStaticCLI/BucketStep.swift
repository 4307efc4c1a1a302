import ArgumentParser
import CollectStatic
import CollectStaticS3
import Foundation

/// `COLLECTSTATIC_STORAGE`: the URL is checked before anything is collected (exit 2 when malformed),
/// and the bucket becomes a destination the collector publishes each release to once STATIC_ROOT
/// has it (`BucketDestination`; exit 1 on failure, the bucket's pointer untouched). `clean` and
/// `rollback` act on the bucket through it too; `COLLECTSTATIC_CACHE=s3://…` makes the shared
/// compression cache.
struct BucketStep {
    let storage: S3Configuration
    /// `COLLECTSTATIC_VERIFY_BUCKET` / `--verify-bucket`.
    let verify: Bool

    /// nil when no storage is configured.
    init?(configuration: Configuration, copyOnly: Bool) throws(CollectStaticError) {
        guard let url = configuration.storage else { return nil }
        do {
            storage = try StorageURL.parse(url, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw .configuration(error.description)
        }
        if copyOnly {
            throw .configuration("COLLECTSTATIC_STORAGE needs a manifest: it cannot be used with --no-post-process")
        }
        let text = configuration.settingSources.first { $0.setting == .verifyBucket }?.value ?? "false"
        switch text.lowercased() {
        case "true", "1", "yes", "on": verify = true
        case "false", "0", "no", "off", "": verify = false
        default:
            throw .configuration("\(Setting.verifyBucket.name): expected true or false, got \"\(text)\"")
        }
    }

    var target: String { "s3://\(storage.bucket)/\(storage.prefix)" }

    /// The destinations a collect publishes to besides STATIC_ROOT (none without a storage).
    static func destinations(_ configuration: Configuration, copyOnly: Bool) throws(CollectStaticError)
        -> [any ReleaseDestination]
    {
        guard let step = try BucketStep(configuration: configuration, copyOnly: copyOnly) else { return [] }
        return [BucketDestination(storage: step.storage, verify: step.verify)]
    }

    /// The shared compression cache (`COLLECTSTATIC_CACHE=s3://…`), if any. Its local folder is
    /// `COLLECTSTATIC_CACHE_DIR` when set, else one the run makes in its work folder and removes.
    static func sharedCache(_ configuration: Configuration) throws(CollectStaticError) -> (any SharedCache)? {
        guard let url = configuration.sharedCache else { return nil }
        return try BucketCache(url: url, environment: ProcessInfo.processInfo.environment)
    }

    /// `clean`: deletes what no kept release of the bucket references; the summary line.
    func clean(_ configuration: Configuration) async throws -> String {
        let report = try await run { client throws(BucketPublisher.Failure) in
            try await BucketRetention(
                client: client, manifestName: configuration.manifestName, retention: configuration.retention
            ).clean()
        }
        return
            "\(target): \(report.deletedObjects) object\(report.deletedObjects == 1 ? "" : "s") of \(report.deletedReleases) release\(report.deletedReleases == 1 ? "" : "s") no longer kept deleted, \(report.keptReleases) kept."
    }

    /// `rollback`: the bucket's pointer back to its previous release; the summary line.
    func rollback(_ configuration: Configuration) async throws -> String {
        let report = try await run { client throws(BucketPublisher.Failure) in
            try await BucketRollback(client: client, manifestName: configuration.manifestName).rollback()
        }
        return "\(target): rolled back: release \(report.current.prefix(12)) is current again."
    }

    /// Runs `operation` with a client; a failure is one line on stderr and exit 1.
    private func run<R: Sendable>(
        _ operation: (S3Client) async throws(BucketPublisher.Failure) -> R
    ) async throws -> R {
        do {
            return try await S3Client.using(storage, operation)
        } catch {
            FileHandle.standardError.write(Data("collectstatic: error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
