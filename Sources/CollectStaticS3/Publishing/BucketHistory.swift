import CollectStatic
import Foundation
import StaticAssets

/// The bucket's own release history, `PREFIX/.collectstatic/history.json`: the releases the pointer
/// has named, newest first, each with when it became current and when it was replaced. It is
/// what `--keep`/`--keep-age` count in the bucket (the same `Retention` rule as STATIC_ROOT), kept
/// apart from the local manifest's `previous` list because a fresh CI checkout publishes with an
/// empty one. Written after the pointer by compare-and-swap; the pointer stays the truth: a history
/// that missed a step (a run killed between the two writes) is repaired by the next writer, who
/// knows which pointer it replaced.
struct BucketHistory: Codable, Sendable, Equatable {
    static let name = ".collectstatic/history.json"

    struct Entry: Codable, Sendable, Equatable {
        /// The release's id (SHA-256 of its manifest).
        var id: String
        /// When it became current (ISO 8601, UTC).
        var published: String
        /// When another release replaced it; nil for the current one.
        var retired: String?
        /// False while the release's originals (unhashed names) may not all hold its bytes: they are
        /// copied after the pointer moves, and this entry is written after them. Nil in histories
        /// written before the flag existed (their publishers wrote originals first).
        var complete: Bool?
    }

    var releases: [Entry] = []

    /// The history after `current` became the pointer, replacing `replaced` (nil the first time):
    /// `current` first, every other release retired at `now` if it was not already. `complete`:
    /// whether `current`'s originals are all in place (a publish or rollback that placed them says
    /// true; nil keeps what the history knew, false for a release it did not know).
    func making(current: String, replaced: String?, now: Date, complete: Bool? = nil) -> BucketHistory {
        let stamp = ReleaseClock.timestamp(now)
        let previous = releases.first { $0.id == current }
        var rest = releases.filter { $0.id != current }
        if let replaced, replaced != current, !rest.contains(where: { $0.id == replaced }) {
            rest.insert(Entry(id: replaced, published: stamp, retired: nil), at: 0)
        }
        for index in rest.indices where rest[index].retired == nil { rest[index].retired = stamp }
        // A release published again (or rolled back to) keeps the day it was first published.
        let placed = complete ?? (previous.map { $0.complete != false } ?? false)
        return BucketHistory(
            releases: [Entry(id: current, published: previous?.published ?? stamp, complete: placed)] + rest)
    }

    /// Whether the originals (unhashed names) in the bucket are all `id`'s: `id` is the newest
    /// release of the history and its last step, placing them, was done.
    func originalsPlaced(for id: String) -> Bool {
        guard let newest = releases.first else { return false }
        return newest.id == id && newest.complete != false
    }

    /// The previous releases (all but `current`, newest first) as releases for `Retention`.
    func previous(current: String) -> [ReleaseRecord] {
        releases.filter { $0.id != current }.map {
            ReleaseRecord(id: $0.id, created: $0.published, retired: $0.retired, paths: [:])
        }
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return try encoder.encode(self)
    }

    /// The history and its ETag (nil when there is none yet). An unreadable history is an error:
    /// retention must never guess.
    static func read(_ client: S3Client) async throws -> (BucketHistory, etag: String?) {
        let key = client.configuration.key(name)
        guard let object = try await client.getObject(key: key) else { return (BucketHistory(), nil) }
        guard let history = try? JSONDecoder().decode(BucketHistory.self, from: object.body) else {
            throw BucketPublisher.Failure.local(
                "the bucket's release history '\(key)' in bucket '\(client.configuration.bucket)' is not readable; delete it to start a new history"
            )
        }
        return (history, object.etag)
    }

    /// Applies `change` to the history by compare-and-swap, reading it again when another writer
    /// got in between (a few times).
    static func update(_ client: S3Client, _ change: (BucketHistory) -> BucketHistory) async throws {
        let key = client.configuration.key(name)
        for _ in 0..<5 {
            let (history, etag) = try await read(client)
            let next = change(history)
            if next == history, etag != nil { return }
            do {
                try await client.putObject(
                    key: key, body: try next.encoded(),
                    options: .init(
                        contentType: "application/json", cacheControl: BucketObject.revalidate,
                        condition: etag.map { .matches($0) } ?? .absent))
                return
            } catch let error as S3Error where error.status == 412 || error.status == 409 {
                continue
            }
        }
        throw BucketPublisher.Failure.local(
            "the bucket's release history '\(key)' kept changing under this run (other publishers?); re-run")
    }
}
