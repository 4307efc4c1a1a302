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

        /// Runs a bucket operation; what it throws becomes a failure (`doing` names the operation for
        /// an error that is neither a failure nor an S3 error).
        static func from<R>(_ doing: String, _ operation: () async throws -> R) async throws(Failure) -> R {
            do {
                return try await operation()
            } catch let failure as Failure {
                throw failure
            } catch let error as S3Error {
                throw .request(error)
            } catch {
                throw .local("\(doing): \(error)")
            }
        }
    }

    let client: S3Client
    let staticRoot: URL
    let manifestName: String
    /// Checks the bucket against a (paged) listing instead of trusting the previous release's
    /// record: what was removed by hand is uploaded again (`--verify-bucket`).
    public var verify = false
    /// Keys per ListObjectsV2 page with `verify` (1,000, S3's maximum; smaller in tests).
    var listPageSize = 1000
    /// Runs just before the pointer's compare-and-swap (tests: another publisher gets in between).
    var beforePointerSwap: (@Sendable () async throws -> Void)?
    /// The clock of the bucket's history (a test seam).
    var now: @Sendable () -> Date = { Date() }

    public init(client: S3Client, staticRoot: String, manifestName: String) {
        self.client = client
        self.staticRoot = URL(fileURLWithPath: staticRoot, isDirectory: true)
        self.manifestName = manifestName
    }

    public func publish() async throws(Failure) -> Report {
        try await Failure.from("cannot publish to the bucket") { try await run() }
    }

    /// Objects uploaded so far by this run (recorded as a partial record when the run fails).
    private actor Uploaded {
        var objects: [String: String] = [:]
        func add(_ name: String, _ digest: String) { objects[name] = digest }
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
        let pointerIsOurs = pointer?.body == manifestBytes
        if pointerIsOurs, !verify {
            return Report(uploaded: 0, reused: 0, uploadedBytes: 0, unchanged: true)
        }
        // 2. What is there: the objects of the release in force (its record) and of an earlier
        //    attempt at this release that failed (its partial record); with `verify`, the listing.
        var present: [String: String] = [:]
        var listed: [String: String]?
        if verify {
            let prefix = configuration.prefix.isEmpty ? "" : configuration.prefix + "/"
            var etags: [String: String] = [:]
            for object in try await client.listObjects(prefix: prefix, pageSize: listPageSize) {
                etags[String(object.key.dropFirst(prefix.count))] = object.etag
            }
            listed = etags
        } else {
            if let pointer {
                let previousID = SigV4Signer.sha256Hex(pointer.body)
                if let record = try await client.getObject(key: configuration.key(BucketRelease.name(id: previousID))),
                    let previous = BucketRelease.decoded(record.body)
                {
                    present = previous.objects
                }
            }
            if let partial = try await client.getObject(
                key: configuration.key(BucketRelease.partialName(id: releaseID))),
                let earlier = BucketRelease.decoded(partial.body)
            {
                present.merge(earlier.objects) { _, new in new }
            }
        }

        // 3. Content objects: every file of the release, those not there with the same bytes uploaded.
        let objects = BucketObject.all(in: manifest)
        let uploadedSoFar = Uploaded()
        let results: [(String, String, Int?)]
        do {
            results = try await upload(objects, present: present, listed: listed, progress: uploadedSoFar)
        } catch {
            await recordPartial(releaseID: releaseID, uploadedSoFar)
            throw error
        }
        let uploaded = results.filter { $0.2 != nil }

        // 4. The release's own record, written once.
        let record = BucketRelease(
            id: releaseID, manifest: manifestName,
            objects: Dictionary(results.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a }),
            manifestText: String(decoding: manifestBytes, as: UTF8.self))
        do {
            // With a listing, a record already there is not sent again.
            let recordName = BucketRelease.name(id: releaseID)
            if listed?[recordName] == nil {
                try await client.putObject(
                    key: configuration.key(recordName), body: try record.encoded(),
                    options: .init(
                        contentType: "application/json", cacheControl: BucketObject.immutable, condition: .absent))
            }
        } catch let error as S3Error where error.status == 412 {
            // Already written by an earlier attempt at this same release: same id, same content.
        } catch {
            await recordPartial(releaseID: releaseID, uploadedSoFar)
            throw error
        }
        if pointerIsOurs {
            // `verify` on an unchanged release: what was missing is back; the pointer stays.
            return Report(
                uploaded: uploaded.count, reused: results.count - uploaded.count,
                uploadedBytes: uploaded.reduce(0) { $0 + ($1.2 ?? 0) }, unchanged: uploaded.isEmpty)
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
            // A retried PUT whose first attempt did get through (its answer lost) finds its own
            // bytes there: that is a win, not a race.
            if try await client.getObject(key: pointerKey)?.body != manifestBytes {
                await recordPartial(releaseID: releaseID, uploadedSoFar)
                throw Failure.lostRace(bucket: configuration.bucket, key: pointerKey)
            }
        }

        // 6. The bucket's history (for --keep/--keep-age and rollback), after the pointer.
        let replaced = pointer.map { SigV4Signer.sha256Hex($0.body) }
        let moment = now()
        try await BucketHistory.update(client) { $0.making(current: releaseID, replaced: replaced, now: moment) }
        return Report(
            uploaded: uploaded.count + 2, reused: results.count - uploaded.count,
            uploadedBytes: uploaded.reduce(0) { $0 + ($1.2 ?? 0) } + manifestBytes.count, unchanged: false)
    }

    /// Uploads what is not `present` (or, with a listing, not listed with the same MD5), at most
    /// `concurrency` at once; (name, SHA-256, bytes sent or nil) for every object.
    private func upload(
        _ objects: [BucketObject], present: [String: String], listed: [String: String]?, progress: Uploaded
    ) async throws -> [(String, String, Int?)] {
        let configuration = client.configuration
        let root = staticRoot
        let client = self.client
        return try await withThrowingTaskGroup(of: (String, String, Int?).self) { group in
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
                    if let listed {
                        let md5 = "\"" + SigV4Signer.hex(Insecure.MD5.hash(data: body)) + "\""
                        if listed[object.name] == md5 { return (object.name, digest, nil) }
                    } else if present[object.name] == digest {
                        return (object.name, digest, nil)
                    }
                    try await client.putObject(
                        key: configuration.key(object.name), body: body,
                        options: .init(
                            contentType: object.contentType, contentEncoding: object.contentEncoding,
                            cacheControl: object.cacheControl))
                    await progress.add(object.name, digest)
                    return (object.name, digest, body.count)
                }
            }
            for try await next in group { results.append(next) }
            return results
        }
    }

    /// After a failure: what this run uploaded, so the next attempt at the same release sends only
    /// the rest. Best effort (the bucket may be what failed).
    private func recordPartial(releaseID: String, _ uploaded: Uploaded) async {
        let objects = await uploaded.objects
        guard !objects.isEmpty else { return }
        let key = client.configuration.key(BucketRelease.partialName(id: releaseID))
        var merged = objects
        if let earlier = try? await client.getObject(key: key), let record = BucketRelease.decoded(earlier.body) {
            merged.merge(record.objects) { mine, _ in mine }
        }
        let partial = BucketRelease(id: releaseID, manifest: manifestName, objects: merged, manifestText: nil)
        guard let body = try? partial.encoded() else { return }
        _ = try? await client.putObject(
            key: key, body: body, options: .init(contentType: "application/json", cacheControl: BucketObject.revalidate)
        )
    }
}
