import Crypto
import Foundation
import StaticAssets

/// Publishes the release in STATIC_ROOT (already published locally) to the bucket, in an order that
/// never lies: every immutable object first (hashed names, their variants and deltas, and the bytes
/// of the originals no hashed object has), then the release's record, then the pointer manifest
/// `PREFIX/<manifest>` by compare-and-swap (`If-Match` on the ETag read at the start,
/// `If-None-Match: *` the first time), then the originals (unhashed names, `BucketOriginals`), then
/// the history. Objects the previous release's record lists with the same SHA-256 are not sent
/// again; an unchanged release costs two GETs (the pointer and the history).
public struct BucketPublisher: Sendable {
    public struct Report: Sendable, Equatable {
        /// Objects written: content uploaded, originals copied, the record and the pointer.
        public var uploaded: Int
        /// Objects already in the bucket with the same bytes (content and originals).
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
    /// Runs after the pointer moved, before the originals are placed (tests).
    var beforeOriginals: (@Sendable () async throws -> Void)?
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

        // 1. The pointer in force (and its ETag for the compare-and-swap), and the history, which
        //    says whether the originals in the bucket are all the pointer's release's.
        let pointer = try await client.getObject(key: pointerKey)
        let pointerID = pointer.map { SigV4Signer.sha256Hex($0.body) }
        let pointerIsOurs = pointerID == releaseID
        let (history, _) = try await BucketHistory.read(client)
        let originalsPlaced = pointerID.map { history.originalsPlaced(for: $0) } ?? false
        if pointerIsOurs, originalsPlaced, !verify {
            return Report(uploaded: 0, reused: 0, uploadedBytes: 0, unchanged: true)
        }
        // 2. What is there: the objects of the release in force (its record) and of an earlier
        //    attempt at this release that failed (its partial record); with `verify`, or after an
        //    attempt that was killed (its marker, a partial record listing nothing), the listing.
        var present: [String: String] = [:]
        var previous: BucketRelease?
        var listed: [String: String]?
        let partialKey = configuration.key(BucketRelease.partialName(id: releaseID))
        let partial = try await client.getObject(key: partialKey).flatMap { BucketRelease.decoded($0.body) }
        if verify || partial?.objects.isEmpty == true {
            let prefix = configuration.prefix.isEmpty ? "" : configuration.prefix + "/"
            var etags: [String: String] = [:]
            for object in try await client.listObjects(prefix: prefix, pageSize: listPageSize) {
                etags[String(object.key.dropFirst(prefix.count))] = object.etag
            }
            listed = etags
        } else {
            if let pointerID {
                if let record = try await client.getObject(key: configuration.key(BucketRelease.name(id: pointerID))),
                    let decoded = BucketRelease.decoded(record.body)
                {
                    previous = decoded
                    present = decoded.objects
                }
            }
            if let partial { present.merge(partial.objects) { _, new in new } }
        }

        // 3. Content objects: every immutable object of the release, and the bytes of each original
        //    that no immutable object has, under its content-addressed name; those not there with the
        //    same bytes uploaded.
        let objects = BucketObject.all(in: manifest)
        let immutables = objects.filter(\.isImmutable)
        let originalDigests = try await Self.digests(of: objects.filter { !$0.isImmutable }, in: staticRoot)
        let immutableDigests = try await Self.digests(of: immutables, in: staticRoot)
        var sourceOfDigest: [String: String] = [:]
        for object in immutables {
            if let digest = immutableDigests[object.name], sourceOfDigest[digest] == nil {
                sourceOfDigest[digest] = object.name
            }
        }
        var uploads = immutables.map { Upload(file: $0.name, object: $0, sha256: immutableDigests[$0.name]) }
        var originals: [String: BucketOriginals.Original] = [:]
        for object in objects where !object.isImmutable {
            guard let digest = originalDigests[object.name] else { continue }
            let source: String
            if let name = sourceOfDigest[digest] {
                source = name
            } else {
                source = BucketOriginals.storeName(sha256: digest)
                sourceOfDigest[digest] = source
                uploads.append(Upload(file: object.name, object: object.stored(as: source), sha256: digest))
            }
            originals[object.name] = .init(
                source: source, sha256: digest, contentType: object.contentType,
                contentEncoding: object.contentEncoding)
        }
        // The marker: a run killed from here on leaves it, so that the next attempt at this release
        // lists the bucket instead of uploading everything again (a failure that is handled
        // replaces it with what it uploaded).
        if partial == nil, !pointerIsOurs {
            try await client.putObject(
                key: partialKey,
                body: try BucketRelease(id: releaseID, manifest: manifestName, objects: [:], manifestText: nil)
                    .encoded(),
                options: .init(contentType: "application/json", cacheControl: BucketObject.revalidate))
        }
        let uploadedSoFar = Uploaded()
        let results: [(String, String, Int?)]
        do {
            results = try await upload(uploads, present: present, listed: listed, progress: uploadedSoFar)
        } catch {
            await recordPartial(releaseID: releaseID, uploadedSoFar)
            throw error
        }
        let uploaded = results.filter { $0.2 != nil }

        // 4. The release's own record, written once.
        var recorded = Dictionary(results.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        for (name, original) in originals { recorded[name] = original.sha256 }
        let record = BucketRelease(
            id: releaseID, manifest: manifestName, objects: recorded,
            manifestText: String(decoding: manifestBytes, as: UTF8.self), originals: originals)
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

        // 5. The pointer, by compare-and-swap.
        if !pointerIsOurs {
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
        }

        // 6. The originals, now that the pointer names the release: those whose bytes the bucket
        //    does not hold already (known from the previous release's record when its originals
        //    were all placed, or from the listing).
        try await beforeOriginals?()
        let trusted = originalsPlaced ? previous?.objects ?? [:] : [:]
        let md5s =
            listed == nil
            ? [:] : try await Self.digests(of: objects.filter { !$0.isImmutable }, in: staticRoot, md5: true)
        let copied = try await BucketOriginals.place(originals, client: client) { name, original in
            if let listed { return listed[name] != nil && listed[name] == md5s[name] }
            return trusted[name] == original.sha256
        }

        // 7. The bucket's history (for --keep/--keep-age and rollback), after the originals, unless
        //    another publisher moved the pointer meanwhile (its history write counts this release
        //    as replaced; its originals are placed again here, in case ours landed after them).
        if try await BucketOriginals.settle(ours: releaseID, pointerKey: pointerKey, client: client) {
            let moment = now()
            try await BucketHistory.update(client) {
                $0.making(current: releaseID, replaced: pointerIsOurs ? nil : pointerID, now: moment, complete: true)
            }
        }
        // The release is published: its marker or partial record has served.
        if partial != nil || !pointerIsOurs { try? await client.deleteObject(key: partialKey) }
        let written = (listed?[BucketRelease.name(id: releaseID)] == nil ? 1 : 0) + (pointerIsOurs ? 0 : 1)
        return Report(
            uploaded: uploaded.count + copied + written,
            reused: results.count - uploaded.count + originals.count - copied,
            uploadedBytes: uploaded.reduce(0) { $0 + ($1.2 ?? 0) } + (pointerIsOurs ? 0 : manifestBytes.count),
            unchanged: pointerIsOurs && uploaded.isEmpty && copied == 0)
    }

    /// One object to upload: the bytes of `file` (relative to STATIC_ROOT) as `object`.
    struct Upload: Sendable {
        let file: String
        let object: BucketObject
        /// SHA-256 (hex) of the file, read once before the uploads.
        let sha256: String?
    }

    /// The bytes of a file of STATIC_ROOT the manifest lists.
    static func read(_ name: String, in root: URL) throws(Failure) -> Data {
        let url = root.appendingPathComponent(name)
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .local("cannot read \(url.path), listed in the manifest: \(error)")
        }
    }

    /// SHA-256 (or MD5, as S3 writes it in ETags) of each object's file, read in parallel.
    static func digests(of objects: [BucketObject], in root: URL, md5: Bool = false) async throws -> [String: String] {
        try await withThrowingTaskGroup(of: [(String, String)].self) { group in
            let batches = stride(from: 0, to: objects.count, by: 256).map {
                Array(objects[$0..<min($0 + 256, objects.count)])
            }
            for batch in batches {
                group.addTask {
                    try batch.map { object in
                        let body = try Self.read(object.name, in: root)
                        let digest =
                            md5
                            ? "\"" + SigV4Signer.hex(Insecure.MD5.hash(data: body)) + "\"" : SigV4Signer.sha256Hex(body)
                        return (object.name, digest)
                    }
                }
            }
            var digests: [String: String] = [:]
            for try await batch in group { for (name, digest) in batch { digests[name] = digest } }
            return digests
        }
    }

    /// Uploads what is not `present` (or, with a listing, not listed with the same MD5), at most
    /// `concurrency` at once; (name, SHA-256, bytes sent or nil) for every object.
    private func upload(
        _ uploads: [Upload], present: [String: String], listed: [String: String]?, progress: Uploaded
    ) async throws -> [(String, String, Int?)] {
        let configuration = client.configuration
        let root = staticRoot
        let client = self.client
        return try await withThrowingTaskGroup(of: (String, String, Int?).self) { group in
            var inFlight = 0
            var results: [(String, String, Int?)] = []
            for upload in uploads {
                let object = upload.object
                if inFlight >= max(1, configuration.concurrency) {
                    if let next = try await group.next() { results.append(next) }
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    // Known to be there (the digest was taken before the uploads): not read again.
                    if listed == nil, let digest = upload.sha256, present[object.name] == digest {
                        return (object.name, digest, nil)
                    }
                    let body = try Self.read(upload.file, in: root)
                    let digest = upload.sha256 ?? SigV4Signer.sha256Hex(body)
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
