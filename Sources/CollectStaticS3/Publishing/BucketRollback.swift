import CollectStatic
import Foundation

/// `collectstatic rollback` in the bucket: the pointer goes back to the newest previous release of
/// the bucket's history, by the same compare-and-swap as a publish (`If-Match` on the ETag read at
/// the start); the release it replaces becomes the newest previous one (so a second rollback goes
/// forward again, as in STATIC_ROOT), and the target's originals (unhashed names) are copied back
/// from the immutable objects its record names. The target's objects are there: `clean` takes a
/// release out of the history before it deletes anything of it.
public struct BucketRollback: Sendable {
    public struct Report: Sendable, Equatable {
        /// The release now in force (SHA-256 of its manifest).
        public var current: String
        /// The release it replaced.
        public var replaced: String
    }

    let client: S3Client
    let manifestName: String
    var now: @Sendable () -> Date = { Date() }
    /// Runs just before the pointer's compare-and-swap (tests: a publisher gets in between).
    var beforePointerSwap: (@Sendable () async throws -> Void)?

    public init(client: S3Client, manifestName: String) {
        self.client = client
        self.manifestName = manifestName
    }

    public func rollback() async throws(BucketPublisher.Failure) -> Report {
        try await BucketPublisher.Failure.from("cannot roll back the bucket") { try await run() }
    }

    private func run() async throws -> Report {
        let configuration = client.configuration
        let pointerKey = configuration.key(manifestName)
        let bucket = configuration.bucket
        guard let pointer = try await client.getObject(key: pointerKey) else {
            throw BucketPublisher.Failure.local(
                "bucket '\(bucket)' has no '\(pointerKey)' at \(configuration.endpointDescription); nothing to roll back"
            )
        }
        let current = SigV4Signer.sha256Hex(pointer.body)
        let (history, _) = try await BucketHistory.read(client)
        guard let target = history.previous(current: current).first else {
            throw BucketPublisher.Failure.local(
                "no previous release is kept in bucket '\(bucket)' (\(BucketHistory.name) under the prefix); nothing to roll back to"
            )
        }
        let recordKey = configuration.key(BucketRelease.name(id: target.id))
        guard let object = try await client.getObject(key: recordKey), let record = BucketRelease.decoded(object.body),
            let text = record.manifestText, SigV4Signer.sha256Hex(Data(text.utf8)) == target.id
        else {
            throw BucketPublisher.Failure.local(
                "the record of release \(target.id) ('\(recordKey)') in bucket '\(bucket)' is missing or holds no manifest; publish that release again instead"
            )
        }
        try await beforePointerSwap?()
        do {
            try await client.putObject(
                key: pointerKey, body: Data(text.utf8),
                options: .init(
                    contentType: "application/json", cacheControl: BucketObject.revalidate,
                    condition: .matches(pointer.etag)))
        } catch let error as S3Error where error.status == 412 || error.status == 409 {
            if try await client.getObject(key: pointerKey)?.body != Data(text.utf8) {
                throw BucketPublisher.Failure.lostRace(bucket: bucket, key: pointerKey)
            }
        }
        // The target's originals (unhashed names) back in place, from the immutable objects its
        // record names (a record written before originals were copied has none to place).
        if let originals = record.originals {
            _ = try await BucketOriginals.place(originals, client: client)
        }
        if try await BucketOriginals.settle(ours: target.id, pointerKey: pointerKey, client: client) {
            let moment = now()
            try await BucketHistory.update(client) {
                $0.making(current: target.id, replaced: current, now: moment, complete: record.originals != nil)
            }
        }
        return Report(current: target.id, replaced: current)
    }
}
