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

    private func run() async throws -> Report {
        let configuration = client.configuration
        let manifestURL = staticRoot.appendingPathComponent(manifestName)
        // The release's objects, from one pass over its manifest (whose text is not held).
        let release: ReleaseObjects
        do {
            release = try ReleaseObjects.read(manifestURL)
        } catch {
            throw Failure.local("cannot read the published manifest \(manifestURL.path): \(error)")
        }
        let releaseID = release.id
        let pointerKey = configuration.key(manifestName)

        // 1. The pointer in force (and its ETag for the compare-and-swap), and the history, which
        //    says whether the originals in the bucket are all the pointer's release's.
        let pointer = try await client.objectDigest(key: pointerKey)
        let pointerID = pointer?.sha256
        let pointerETag = pointer?.etag
        let pointerIsOurs = pointerID == releaseID
        let (history, _) = try await BucketHistory.read(client)
        let originalsPlaced = pointerID.map { history.originalsPlaced(for: $0) } ?? false
        if pointerIsOurs, originalsPlaced, !verify {
            return Report(uploaded: 0, reused: 0, uploadedBytes: 0, unchanged: true)
        }
        // 2. What is there: the objects of the release in force (its record) and of an earlier
        //    attempt at this release that failed (its partial record); with `verify`, or after an
        //    attempt that was killed (its marker, a partial record listing nothing), the listing.
        //    Records are read from a temporary file, a chunk at a time.
        var present = PresentObjects()
        var previous: PresentObjects?
        var listed: [String: String]?
        let partialKey = configuration.key(BucketRelease.partialName(id: releaseID))
        let partial = try await readRecord(partialKey)
        if verify || partial?.count == 0 {
            let prefix = configuration.prefix.isEmpty ? "" : configuration.prefix + "/"
            var etags: [String: String] = [:]
            for object in try await client.listObjects(prefix: prefix, pageSize: listPageSize) {
                etags[String(object.key.dropFirst(prefix.count))] = object.etag
            }
            listed = etags
        } else {
            if let pointerID, let record = try await readRecord(configuration.key(BucketRelease.name(id: pointerID))) {
                previous = record
                present = record
            }
            if let partial { present.formUnion(partial) }
        }

        // 3. Content objects: every immutable object of the release, and the bytes of each original
        //    that no immutable object has, under its content-addressed name; those not there with the
        //    same bytes uploaded.
        let digests = try await Self.digests(of: release, in: staticRoot)
        let plan = Plan(release, digests: digests)
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
        var sent = Sent()
        do {
            try await upload(plan, present: present, listed: listed, into: &sent)
        } catch {
            await recordPartial(releaseID: releaseID, plan: plan, sent: sent)
            throw error
        }

        // 4. The release's own record, written once (from a file: it holds the manifest's text).
        do {
            // With a listing, a record already there is not sent again.
            let recordName = BucketRelease.name(id: releaseID)
            if listed?[recordName] == nil {
                let file = try RecordFile.write(
                    id: releaseID, manifest: manifestName, manifestFile: manifestURL, objects: plan.recordedObjects(),
                    originals: plan.originals())
                defer { file.remove() }
                try await client.putObject(
                    key: configuration.key(recordName), file: file.path,
                    options: .init(
                        contentType: "application/json", cacheControl: BucketObject.immutable, condition: .absent))
            }
        } catch let error as S3Error where error.status == 412 {
            // Already written by an earlier attempt at this same release: same id, same content.
        } catch {
            await recordPartial(releaseID: releaseID, plan: plan, sent: sent)
            throw error
        }

        // 5. The pointer, by compare-and-swap (sent from the manifest file).
        if !pointerIsOurs {
            try await beforePointerSwap?()
            do {
                try await client.putObject(
                    key: pointerKey, payload: release.manifest,
                    options: .init(
                        contentType: "application/json", cacheControl: BucketObject.revalidate,
                        condition: pointerETag.map { .matches($0) } ?? .absent))
            } catch let error as S3Error where error.status == 412 || error.status == 409 {
                // A retried PUT whose first attempt did get through (its answer lost) finds its own
                // bytes there: that is a win, not a race.
                if try await client.objectDigest(key: pointerKey)?.sha256 != releaseID {
                    await recordPartial(releaseID: releaseID, plan: plan, sent: sent)
                    throw Failure.lostRace(bucket: configuration.bucket, key: pointerKey)
                }
            }
        }

        // 6. The originals, now that the pointer names the release: those whose bytes the bucket
        //    does not hold already (known from the previous release's record when its originals
        //    were all placed, or from the listing).
        try await beforeOriginals?()
        let trusted = originalsPlaced ? previous : nil
        let root = staticRoot
        let copied = try await BucketOriginals.place(plan.originals(), client: client) { name, original in
            if let listed {
                // As an upload checks a listed object: the file's MD5, read in chunks.
                let path = root.appendingPathComponent(name).path
                guard let etag = listed[name],
                    let payload = try? FilePayload(path: path, sha256Hex: original.sha256)
                else { return false }
                return etag == payload.etag
            }
            return trusted?.contains(name, sha256: original.sha256) ?? false
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
            uploaded: sent.uploads.count + copied + written,
            reused: plan.uploads.count - sent.uploads.count + plan.originalCount - copied,
            uploadedBytes: sent.bytes + (pointerIsOurs ? 0 : release.manifest.size),
            unchanged: pointerIsOurs && sent.uploads.isEmpty && copied == 0)
    }

    /// What goes to the bucket before the pointer, and where each original is copied from: for
    /// each immutable object, itself; for each original, the first immutable object with the same
    /// digest, or else its bytes stored under `BucketOriginals.storeName`.
    struct Plan: Sendable {
        let release: ReleaseObjects
        /// SHA-256 of each object (as `release.objects`).
        let digests: [SHA256.Digest]
        /// Uploads: an object of `release.objects` (by index), under its own name or, for an original,
        /// under its store name.
        let uploads: [Upload]
        /// Originals: an object (by index) and the upload its bytes are copied from.
        let originalSources: [(object: Int32, upload: Int32)]

        struct Upload: Sendable {
            let object: Int32
            let stored: Bool
        }

        var originalCount: Int { originalSources.count }

        init(_ release: ReleaseObjects, digests: [SHA256.Digest]) {
            self.release = release
            self.digests = digests
            var uploads: [Upload] = []
            for (index, object) in release.objects.enumerated() where release.isImmutable(object) {
                uploads.append(Upload(object: Int32(index), stored: false))
            }
            // The immutable uploads by digest (a sorted array of indexes, 4 bytes each, not a
            // dictionary), the first of equal digests first: an original's source is found by
            // binary search.
            let digest = { (upload: Int32) in digests[Int(uploads[Int(upload)].object)] }
            var byDigest = (0..<Int32(uploads.count)).map { $0 }
            byDigest.sort { a, b in
                let order = Self.order(digest(a), digest(b))
                return order == 0 ? a < b : order < 0
            }
            func source(of wanted: SHA256.Digest) -> Int32? {
                var low = 0
                var high = byDigest.count
                while low < high {
                    let middle = (low + high) / 2
                    if Self.order(digest(byDigest[middle]), wanted) < 0 {
                        low = middle + 1
                    } else {
                        high = middle
                    }
                }
                return low < byDigest.count && digest(byDigest[low]) == wanted ? byDigest[low] : nil
            }
            var stored: [SHA256.Digest: Int32] = [:]  // originals no immutable object has: few
            var originals: [(object: Int32, upload: Int32)] = []
            for (index, object) in release.objects.enumerated() where !release.isImmutable(object) {
                let upload: Int32
                if let found = source(of: digests[index]) ?? stored[digests[index]] {
                    upload = found
                } else {
                    upload = Int32(uploads.count)
                    stored[digests[index]] = upload
                    uploads.append(Upload(object: Int32(index), stored: true))
                }
                originals.append((Int32(index), upload))
            }
            self.uploads = uploads
            originalSources = originals
        }

        /// Byte order of two digests: negative, 0 or positive (no copy of either).
        static func order(_ a: SHA256.Digest, _ b: SHA256.Digest) -> Int {
            a.withUnsafeBytes { x in
                b.withUnsafeBytes { y in
                    for (left, right) in zip(x, y) where left != right { return Int(left) - Int(right) }
                    return 0
                }
            }
        }

        func hex(_ object: Int32) -> String { SigV4Signer.hex(digests[Int(object)]) }

        /// The file the upload's bytes are read from (relative to STATIC_ROOT).
        func file(of upload: Upload) -> String { release.name(of: release.objects[Int(upload.object)]) }

        /// The object an upload writes, with its headers.
        func object(of upload: Upload) -> BucketObject {
            let object = release.bucketObject(release.objects[Int(upload.object)])
            return upload.stored ? object.stored(as: BucketOriginals.storeName(sha256: hex(upload.object))) : object
        }

        /// The name an upload writes.
        func name(of upload: Upload) -> String {
            upload.stored
                ? BucketOriginals.storeName(sha256: hex(upload.object))
                : release.name(of: release.objects[Int(upload.object)])
        }

        /// Every original with where it is copied from.
        func originals() -> some Sequence<(String, BucketOriginals.Original)> {
            originalSources.lazy.map { original in
                let object = release.bucketObject(release.objects[Int(original.object)])
                return (
                    object.name,
                    BucketOriginals.Original(
                        source: name(of: uploads[Int(original.upload)]), sha256: hex(original.object),
                        contentType: object.contentType, contentEncoding: object.contentEncoding)
                )
            }
        }

        /// What the record lists: every upload's name and every original's, with their SHA-256.
        func recordedObjects() -> some Sequence<(String, String)> {
            // Made one at a time as the record is written (`+` would make an array of them all).
            [
                AnySequence(uploads.lazy.map { (name(of: $0), hex($0.object)) }),
                AnySequence(
                    originalSources.lazy.map { (release.name(of: release.objects[Int($0.object)]), hex($0.object)) }),
            ].joined()
        }
    }

    /// What this run uploaded: indexes into `Plan.uploads`, and the bytes sent.
    struct Sent: Sendable {
        var uploads: [Int32] = []
        var bytes = 0
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

    /// SHA-256 of each object's file (as `release.objects`), read in parallel, each batch's put in
    /// its place as it finishes.
    static func digests(of release: ReleaseObjects, in root: URL) async throws -> [SHA256.Digest] {
        let count = release.objects.count
        var digests = [SHA256.Digest](repeating: SHA256.hash(data: [UInt8]()), count: count)
        try await withThrowingTaskGroup(of: (Int, [SHA256.Digest]).self) { group in
            for start in stride(from: 0, to: count, by: 256) {
                group.addTask {
                    let end = min(start + 256, count)
                    return try (
                        start,
                        (start..<end).map { index in
                            SHA256.hash(data: try Self.read(release.name(of: release.objects[index]), in: root))
                        }
                    )
                }
            }
            for try await (start, batch) in group {
                digests.replaceSubrange(start..<start + batch.count, with: batch)
            }
        }
        return digests
    }

    /// Uploads what is not `present` (or, with a listing, not listed with the same MD5), at most
    /// `concurrency` at once; what was sent goes into `sent` as it completes.
    private func upload(
        _ plan: Plan, present: PresentObjects, listed: [String: String]?, into sent: inout Sent
    ) async throws {
        let configuration = client.configuration
        let root = staticRoot
        let client = self.client
        try await withThrowingTaskGroup(of: (Int32, Int?).self) { group in
            var inFlight = 0
            for (index, upload) in plan.uploads.enumerated() {
                let name = plan.name(of: upload)
                let digest = plan.hex(upload.object)
                // Known to be there (the digest was taken before the uploads): not read again.
                if listed == nil, present.contains(name, sha256: digest) { continue }
                if inFlight >= max(1, configuration.concurrency) {
                    if let (done, bytes) = try await group.next(), let bytes {
                        sent.uploads.append(done)
                        sent.bytes += bytes
                    }
                    inFlight -= 1
                }
                inFlight += 1
                let file = plan.file(of: upload)
                let object = plan.object(of: upload)
                let listedETag = listed?[name]
                group.addTask {
                    // Sent from the file in chunks: what is in flight is at most `concurrency`
                    // chunks, whatever the files' sizes.
                    let path = root.appendingPathComponent(file).path
                    let payload: FilePayload
                    do {
                        payload = try FilePayload(path: path, sha256Hex: digest)
                    } catch {
                        throw Failure.local("cannot read \(path), listed in the manifest: \(error)")
                    }
                    if let listedETag, listedETag == payload.etag { return (Int32(index), nil) }
                    try await client.putObject(
                        key: configuration.key(name), payload: payload,
                        options: .init(
                            contentType: object.contentType, contentEncoding: object.contentEncoding,
                            cacheControl: object.cacheControl))
                    return (Int32(index), payload.size)
                }
            }
            for try await (done, bytes) in group {
                if let bytes {
                    sent.uploads.append(done)
                    sent.bytes += bytes
                }
            }
        }
    }

    /// The objects the record (or partial record) at `key` lists, or nil when there is none.
    private func readRecord(_ key: String) async throws -> PresentObjects? {
        guard let file = try await client.download(key: key) else { return nil }
        defer { file.remove() }
        return PresentObjects.ofRecord(at: file.path)
    }

    /// After a failure: what this run uploaded, so the next attempt at the same release sends only
    /// the rest. Best effort (the bucket may be what failed).
    private func recordPartial(releaseID: String, plan: Plan, sent: Sent) async {
        guard !sent.uploads.isEmpty else { return }
        var objects: [String: String] = [:]
        for index in sent.uploads {
            let upload = plan.uploads[Int(index)]
            objects[plan.name(of: upload)] = plan.hex(upload.object)
        }
        let key = client.configuration.key(BucketRelease.partialName(id: releaseID))
        if let earlier = try? await client.getObject(key: key), let record = BucketRelease.decoded(earlier.body) {
            objects.merge(record.objects) { mine, _ in mine }
        }
        let partial = BucketRelease(id: releaseID, manifest: manifestName, objects: objects, manifestText: nil)
        guard let body = try? partial.encoded() else { return }
        _ = try? await client.putObject(
            key: key, body: body, options: .init(contentType: "application/json", cacheControl: BucketObject.revalidate)
        )
    }
}
