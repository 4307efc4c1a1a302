import ArgumentParser
import CollectStatic
import CollectStaticS3
import Foundation

/// `COLLECTSTATIC_STORAGE`: the URL is checked before anything is collected (exit 2 when malformed);
/// the release is published to the bucket after the local STATIC_ROOT has it (exit 1 on failure,
/// the bucket's pointer untouched).
struct BucketStep {
    let storage: S3Configuration

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
    }

    /// Publishes STATIC_ROOT's release; the summary line.
    func publish(_ configuration: Configuration) async throws -> String {
        let client = S3Client(configuration: storage)
        let result: Result<BucketPublisher.Report, BucketPublisher.Failure>
        do {
            result = .success(
                try await BucketPublisher(
                    client: client, staticRoot: configuration.staticRoot, manifestName: configuration.manifestName
                ).publish())
        } catch {
            result = .failure(error)
        }
        await client.shutdown()
        let target = "s3://\(storage.bucket)/\(storage.prefix)"
        switch result {
        case .success(let report):
            if report.unchanged { return "\(target): already up to date" }
            return
                "\(target): \(report.uploaded) objects uploaded (\(report.uploadedBytes) bytes), \(report.reused) already there"
        case .failure(let failure):
            FileHandle.standardError.write(Data("collectstatic: error: \(failure.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
