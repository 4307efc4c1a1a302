import CollectStatic
import Foundation

/// `COLLECTSTATIC_CACHE=s3://BUCKET/PREFIX`: the compression cache shared by every build machine
/// through a bucket. Its objects mirror the local cache folder's layout under PREFIX
/// (`v2/variants/<settings>/<kind>/<digest>.json` and its `.br`/`.gz`/`.zst` files); a machine with an
/// empty cache folder fetches what its release needs, in parallel, and compresses only what no
/// machine has compressed before. Entries are written create-only (`If-None-Match: *`): they are
/// content-addressed, so a second writer would write the same bytes. A record is sent after the
/// files it names, so a reader that finds a record finds its files. Every entry is verified by its
/// recorded SHA-256 when used; one that does not verify is compressed again and overwritten.
public struct BucketCache: SharedCache {
    public let storage: S3Configuration

    public init(storage: S3Configuration) {
        self.storage = storage
    }

    /// The cache named by `url` (`s3://BUCKET/PREFIX?…`), with the endpoint, region and credentials
    /// the environment gives (as `COLLECTSTATIC_STORAGE`); a malformed URL is exit code 2.
    public init(url: String, environment: [String: String]) throws(CollectStaticError) {
        do {
            storage = try StorageURL.parse(url, environment: environment, setting: "COLLECTSTATIC_CACHE")
        } catch {
            throw .configuration(error.description)
        }
    }

    /// From this many paths on, `fetch` lists the folder they share first and asks only for what the
    /// listing holds: a cold bucket costs one request per 1,000 keys instead of a GET per path that
    /// finds nothing.
    var listingThreshold = 8

    public func fetch(_ paths: [String], into folder: String) async throws(CollectStaticError) -> Int {
        try await withClient { client in
            var wanted = paths
            if paths.count >= listingThreshold, let held = try await held(paths, client: client) {
                wanted = paths.filter(held.contains)
            }
            return try await Self.forEach(wanted, limit: storage.concurrency) { path in
                guard let object = try await client.getObject(key: storage.key(path)) else { return false }
                let target = folder + "/" + path
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try object.body.write(to: URL(fileURLWithPath: target), options: .atomic)
                return true
            }
        }
    }

    public func store(_ paths: [String], overwriting: Set<String>, from folder: String)
        async throws(CollectStaticError) -> Int
    {
        // Records last: each after the files it names (they come before it in `paths`).
        let records = paths.filter { $0.hasSuffix(".json") }
        let files = paths.filter { !$0.hasSuffix(".json") }
        return try await withClient { client in
            var sent = 0
            for batch in [files, records] {
                sent += try await Self.forEach(batch, limit: storage.concurrency) { path in
                    let body = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path))
                    let condition: S3Client.Condition = overwriting.contains(path) ? .none : .absent
                    do {
                        try await client.putObject(
                            key: storage.key(path), body: body, options: S3Client.PutOptions(condition: condition))
                        return true
                    } catch let error as S3Error where error.status == 412 || error.status == 409 {
                        return false  // another machine stored it first: the same bytes
                    }
                }
            }
            return sent
        }
    }

    /// Which of `paths` the bucket holds, from a paged listing of the folder they all share; nil
    /// where listing is not allowed (a cache bucket readable by GET only), so that each is asked for.
    private func held(_ paths: [String], client: S3Client) async throws -> Set<String>? {
        var folder = paths.first ?? ""
        for path in paths.dropFirst() {
            while !path.hasPrefix(folder) { folder.removeLast() }
        }
        if let slash = folder.lastIndex(of: "/") {
            folder = String(folder[...slash])
        } else {
            folder = ""
        }
        let prefix = storage.key(folder)
        let base = storage.prefix.isEmpty ? "" : storage.prefix + "/"
        do {
            return Set(try await client.listObjects(prefix: prefix).map { String($0.key.dropFirst(base.count)) })
        } catch let error as S3Error where error.status == 403 {
            return nil
        }
    }

    /// Runs `body` with a client, shut down afterwards; a failure is one line naming the bucket.
    private func withClient(_ body: (S3Client) async throws -> Int) async throws(CollectStaticError) -> Int {
        do {
            return try await S3Client.using(storage, body)
        } catch {
            throw .destination("the shared cache s3://\(storage.bucket)/\(storage.prefix) failed: \(error)")
        }
    }

    /// Runs `work` on every path with at most `limit` at once; how many returned true.
    private static func forEach(
        _ paths: [String], limit: Int, _ work: @escaping @Sendable (String) async throws -> Bool
    ) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var count = 0
            var next = paths.makeIterator()
            for _ in 0..<max(1, limit) {
                guard let path = next.next() else { break }
                group.addTask { try await work(path) }
            }
            while let done = try await group.next() {
                if done { count += 1 }
                if let path = next.next() { group.addTask { try await work(path) } }
            }
            return count
        }
    }
}
