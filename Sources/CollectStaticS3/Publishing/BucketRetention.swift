import CollectStatic
import Foundation
import StaticAssets

/// `collectstatic clean` in the bucket: deletes the objects that releases `--keep`/`--keep-age` no
/// longer keep reference, by the same `Retention` rule as STATIC_ROOT, counted on the bucket's own
/// history. Never an object a kept release's record lists, never the pointer, never an object no
/// release record lists (uploaded by hand or by another tool), never one written after the release
/// in force (a publish may be under way).
///
/// Order, so that a run killed anywhere leaves every kept release whole and the next run finishes
/// the work: the history first (dropped releases leave it, so `rollback` never picks one), then the
/// partial records, then the objects (DeleteObjects in batches of 1,000), then the dropped records.
public struct BucketRetention: Sendable {
    public struct Report: Sendable, Equatable {
        /// Content objects deleted.
        public var deletedObjects: Int
        /// Release records deleted (releases no longer kept).
        public var deletedReleases: Int
        /// Releases kept (the one in force included).
        public var keptReleases: Int
    }

    let client: S3Client
    let manifestName: String
    let retention: Retention
    var now: @Sendable () -> Date = { Date() }

    public init(client: S3Client, manifestName: String, retention: Retention) {
        self.client = client
        self.manifestName = manifestName
        self.retention = retention
    }

    public func clean() async throws(BucketPublisher.Failure) -> Report {
        try await BucketPublisher.Failure.from("cannot clean the bucket") { try await run() }
    }

    private func run() async throws -> Report {
        let configuration = client.configuration
        let pointerKey = configuration.key(manifestName)
        guard let pointer = try await client.getObject(key: pointerKey) else {
            throw BucketPublisher.Failure.local(
                "bucket '\(configuration.bucket)' has no '\(pointerKey)' at \(configuration.endpointDescription); nothing to clean"
            )
        }
        let current = SigV4Signer.sha256Hex(pointer.body)
        let prefix = configuration.prefix.isEmpty ? "" : configuration.prefix + "/"
        let listing = try await client.listObjects(prefix: prefix)
        func name(_ key: String) -> String { String(key.dropFirst(prefix.count)) }
        let recordPrefix = BucketRelease.folder + "/"
        var recordIDs: [String] = []
        var partials: [String] = []
        for object in listing {
            let relative = name(object.key)
            if relative.hasPrefix(recordPrefix), relative.hasSuffix(".json") {
                recordIDs.append(String(relative.dropFirst(recordPrefix.count).dropLast(5)))
            } else if relative.hasPrefix(BucketRelease.partialFolder + "/") {
                partials.append(object.key)
            }
        }

        // Which releases are kept: the one in force, and the previous ones the rule keeps.
        let (history, _) = try await BucketHistory.read(client)
        let known = history.making(current: current, replaced: nil, now: now())
        // Records the history does not name (written before it existed, or by a publish that lost
        // its race) count as replaced when they were written.
        let named = Set(known.releases.map(\.id))
        let orphans = listing.filter { object in
            let relative = name(object.key)
            guard relative.hasPrefix(recordPrefix), relative.hasSuffix(".json") else { return false }
            return !named.contains(String(relative.dropFirst(recordPrefix.count).dropLast(5)))
        }.map { object in
            let stamp = ReleaseClock.timestamp(object.lastModified ?? now())
            return ReleaseRecord(
                id: String(name(object.key).dropFirst(recordPrefix.count).dropLast(5)), created: stamp, retired: stamp,
                paths: [:])
        }
        // Newest first; the history's own order where the times are equal.
        let previous = (known.previous(current: current) + orphans).enumerated().sorted { a, b in
            let (left, right) = (a.element.retired ?? "~", b.element.retired ?? "~")
            return left != right ? left > right : a.offset < b.offset
        }.map(\.element)
        let keptPrevious = retention.kept(previous, now: now())
        let kept = Set([current] + keptPrevious.map(\.id))

        // What the kept releases reference: their records (and the pointer's own manifest).
        var referenced: Set<String> = []
        for (name, entry) in try manifest(pointer.body, pointerKey).files {
            referenced.insert(name)
            referenced.formUnion(entry.companionNames(of: name))
        }
        for id in kept {
            guard let record = try await readRecord(id) else {
                if id == current || recordIDs.contains(id) {
                    throw BucketPublisher.Failure.local(
                        "the record of kept release \(id) in bucket '\(configuration.bucket)' is missing or unreadable; nothing was deleted"
                    )
                }
                continue  // a kept release whose objects were never recorded here: nothing to protect
            }
            referenced.formUnion(record.objects.keys)
        }

        // What the releases no longer kept listed, unless a kept one references it too.
        let dropped = recordIDs.filter { !kept.contains($0) }
        var candidates = Set<String>()
        for id in dropped {
            guard let record = try await readRecord(id) else { continue }
            candidates.formUnion(record.objects.keys.filter { !referenced.contains($0) })
        }
        // Written after the release in force was recorded: a publish may be under way.
        let currentWritten = listing.first { name($0.key) == BucketRelease.name(id: current) }?.lastModified
        let deletable = listing.filter { object in
            guard candidates.contains(name(object.key)) else { return false }
            guard let written = object.lastModified, let currentWritten else { return true }
            return written <= currentWritten
        }.map(\.key)

        try await BucketHistory.update(client) { history in
            var next = history.making(current: current, replaced: nil, now: now())
            next.releases.removeAll { !kept.contains($0.id) }
            return next
        }
        try await client.deleteObjects(keys: partials)
        try await client.deleteObjects(keys: deletable)
        try await client.deleteObjects(keys: dropped.map { configuration.key(BucketRelease.name(id: $0)) })
        return Report(deletedObjects: deletable.count, deletedReleases: dropped.count, keptReleases: kept.count)
    }

    private func readRecord(_ id: String) async throws -> BucketRelease? {
        guard let object = try await client.getObject(key: client.configuration.key(BucketRelease.name(id: id)))
        else { return nil }
        return BucketRelease.decoded(object.body)
    }

    private func manifest(_ bytes: Data, _ key: String) throws -> Manifest {
        do {
            return try Manifest(data: bytes, source: key)
        } catch {
            throw BucketPublisher.Failure.local(
                "the pointer '\(key)' in bucket '\(client.configuration.bucket)' is not a manifest (\(error)); nothing was deleted"
            )
        }
    }
}
