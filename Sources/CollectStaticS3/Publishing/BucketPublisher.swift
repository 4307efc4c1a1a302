import Crypto
import Foundation
import StaticAssets

/// Publishes the release in STATIC_ROOT (already published locally) to the bucket, in an order that
/// never lies: every content object first, then the release's record, then the pointer manifest
/// `PREFIX/<manifest>` by compare-and-swap (`If-Match` on the ETag read at the start,
/// `If-None-Match: *` the first time). Objects the previous release's record lists with the same
/// SHA-256 are not sent again; an unchanged release costs one GET.
public struct BucketPublisher: Sendable {
    public struct Report: Sendable, Equatable {
        /// Objects uploaded (content, record and pointer).
        public var uploaded: Int
        /// Content objects already in the bucket with the same bytes.
        public var reused: Int
        public var uploadedBytes: Int
        /// The pointer already named this release: nothing was written.
        public var unchanged: Bool
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Another publisher moved the pointer after we read it; ours was not written.
        case lostRace(bucket: String, key: String)
        case request(S3Error)
        case local(String)

        public var description: String {
            switch self {
            case .lostRace(let bucket, let key):
                return
                    "another publisher changed '\(key)' in bucket '\(bucket)' during this publish; the pointer was left as that publisher wrote it (its objects are whole): re-run to publish this release"
            case .request(let error): return error.description
            case .local(let message): return message
            }
        }
    }

    let client: S3Client
    let staticRoot: URL
    let manifestName: String
    /// Runs just before the pointer's compare-and-swap (tests: another publisher gets in between).
    var beforePointerSwap: (@Sendable () async throws -> Void)?

    public init(client: S3Client, staticRoot: String, manifestName: String) {
        self.client = client
        self.staticRoot = URL(fileURLWithPath: staticRoot, isDirectory: true)
        self.manifestName = manifestName
    }

    public func publish() async throws(Failure) -> Report {
        do {
            return try await run()
        } catch let failure as Failure {
            throw failure
        } catch let error as S3Error {
            throw .request(error)
        } catch {
            throw .local("cannot publish to the bucket: \(error)")
        }
    }

    private func run() async throws -> Report {
        let configuration = client.configuration
        let manifestURL = staticRoot.appendingPathComponent(manifestName)
        let manifestBytes: Data
        let manifest: Manifest
        do {
            manifestBytes = try Data(contentsOf: manifestURL)
            manifest = try Manifest(data: manifestBytes, source: manifestURL.path)
        } catch {
            throw Failure.local("cannot read the published manifest \(manifestURL.path): \(error)")
        }
        let releaseID = SigV4Signer.sha256Hex(manifestBytes)
        let pointerKey = configuration.key(manifestName)

        // 1. The pointer in force (and its ETag for the compare-and-swap).
        let pointer = try await client.getObject(key: pointerKey)
        if let pointer, pointer.body == manifestBytes {
            return Report(uploaded: 0, reused: 0, uploadedBytes: 0, unchanged: true)
        }
        // 2. What the release in force put there.
        var present: [String: String] = [:]
        if let pointer {
            let previousID = SigV4Signer.sha256Hex(pointer.body)
            if let record = try await client.getObject(key: configuration.key(BucketRelease.name(id: previousID))),
                let previous = try? JSONDecoder().decode(BucketRelease.self, from: record.body)
            {
                present = previous.objects
            }
        }

        // 3. Content objects: every file of the release, those not there with the same bytes uploaded.
        let objects = BucketObject.all(in: manifest)
        let root = staticRoot
        let client = self.client
        let alreadyThere = present
        let results = try await withThrowingTaskGroup(of: (String, String, Int?).self) { group in
            var inFlight = 0
            var results: [(String, String, Int?)] = []
            for object in objects {
                if inFlight >= max(1, configuration.concurrency) {
                    if let next = try await group.next() { results.append(next) }
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    let url = root.appendingPathComponent(object.name)
                    let body: Data
                    do {
                        body = try Data(contentsOf: url)
                    } catch {
                        throw Failure.local("cannot read \(url.path), listed in the manifest: \(error)")
                    }
                    let digest = SigV4Signer.sha256Hex(body)
                    if alreadyThere[object.name] == digest { return (object.name, digest, nil) }
                    try await client.putObject(
                        key: configuration.key(object.name), body: body,
                        options: .init(
                            contentType: object.contentType, contentEncoding: object.contentEncoding,
                            cacheControl: object.cacheControl))
                    return (object.name, digest, body.count)
                }
            }
            for try await next in group { results.append(next) }
            return results
        }
        let uploaded = results.filter { $0.2 != nil }

        // 4. The release's own record, written once.
        let record = BucketRelease(
            id: releaseID, manifest: manifestName,
            objects: Dictionary(results.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a }))
        do {
            try await client.putObject(
                key: configuration.key(BucketRelease.name(id: releaseID)), body: try record.encoded(),
                options: .init(
                    contentType: "application/json", cacheControl: BucketObject.immutable, condition: .absent))
        } catch let error as S3Error where error.status == 412 {
            // Already written by an earlier attempt at this same release: same id, same content.
        }

        // 5. The pointer, by compare-and-swap.
        try await beforePointerSwap?()
        do {
            try await client.putObject(
                key: pointerKey, body: manifestBytes,
                options: .init(
                    contentType: "application/json", cacheControl: BucketObject.revalidate,
                    condition: pointer.map { .matches($0.etag) } ?? .absent))
        } catch let error as S3Error where error.status == 412 || error.status == 409 {
            throw Failure.lostRace(bucket: configuration.bucket, key: pointerKey)
        }
        return Report(
            uploaded: uploaded.count + 2, reused: results.count - uploaded.count,
            uploadedBytes: uploaded.reduce(0) { $0 + ($1.2 ?? 0) } + manifestBytes.count, unchanged: false)
    }
}
