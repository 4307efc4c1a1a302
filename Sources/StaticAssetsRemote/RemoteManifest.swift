import Foundation
import StaticAssets
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The manifest of the release in force, read over HTTP(S) for an app that does not ship STATIC_ROOT:
/// the pointer `PREFIX/staticfiles.json` that `collectstatic --storage s3://BUCKET/PREFIX` moves last,
/// from the CDN in front of the bucket or the bucket's public URL.
///
/// ```swift
/// let remote = RemoteManifest(url: URL(string: "https://cdn.example.com/static/staticfiles.json")!)
/// let resolver = try await remote.makeResolver()          // STATIC_URL: https://cdn.example.com/static/
/// // in the app's task group (or as a service): notices each new release by itself
/// await remote.keepUpdated(resolver, every: .seconds(30))
/// ```
///
/// A new release is noticed the way the file-based resolver notices one, adapted to HTTP: each check
/// is a conditional GET (`If-None-Match` with the ETag of the manifest in use), so an unchanged
/// release costs one `304` and no body. A release that cannot be read (network error, an HTTP error, a
/// corrupt manifest) leaves the one in use in place. One `RemoteManifest` belongs to one resolver
/// (the ETag it remembers is that resolver's manifest).
public final class RemoteManifest: Sendable {
    /// Where the pointer manifest is served.
    public let url: URL
    private let session: URLSession
    /// The ETag of the manifest handed out last (nil before the first or without one).
    private let etag = Mutex<String?>(nil)

    /// What a fetch found.
    public enum Fetched: Sendable, Equatable {
        /// The server answered `304 Not Modified` to the ETag of the manifest handed out last.
        case unchanged
        case manifest(Manifest)
    }

    /// `timeout` bounds each request. Responses are never cached locally: every check asks the
    /// server (or the CDN, which revalidates the pointer's `Cache-Control: no-cache`).
    public init(url: URL, timeout: Duration = .seconds(10)) {
        self.url = url
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        self.session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// GETs the manifest (conditionally once one was handed out).
    public func fetch() async throws(ManifestError) -> Fetched {
        var request = URLRequest(url: url)
        if let known = etag.withLock({ $0 }) { request.setValue(known, forHTTPHeaderField: "If-None-Match") }
        let (data, response) = try await send(request)
        switch response.statusCode {
        case 304:
            return .unchanged
        case 200:
            let manifest = try Manifest(data: data, source: url.absoluteString)
            let tag = response.value(forHTTPHeaderField: "ETag")
            etag.withLock { $0 = tag }
            return .manifest(manifest)
        default:
            throw .unreadable(path: url.absoluteString, reason: "HTTP \(response.statusCode)")
        }
    }

    /// A resolver holding the release the URL names now. `staticURL` defaults to the folder of the
    /// manifest's URL (`https://cdn.example.com/static/staticfiles.json` → `https://cdn.example.com/static/`).
    public func makeResolver(staticURL: String? = nil) async throws(ManifestError) -> AssetResolver {
        etag.withLock { $0 = nil }
        guard case .manifest(let manifest) = try await fetch() else {
            throw .unreadable(path: url.absoluteString, reason: "HTTP 304 without a request for one")
        }
        return AssetResolver(manifest: manifest, staticURL: staticURL ?? url.deletingLastPathComponent().absoluteString)
    }

    /// Loads the release the URL names now if it is not the one `resolver` uses; on failure the one
    /// in use stays.
    @discardableResult
    public func reloadIfChanged(_ resolver: AssetResolver) async -> AssetResolver.ReloadOutcome {
        do {
            guard case .manifest(let manifest) = try await fetch(), manifest != resolver.manifest else {
                return .unchanged
            }
            resolver.reload(manifest)
            return .reloaded(revision: resolver.revision)
        } catch {
            return .failed(error)
        }
    }

    /// Checks for a new release every `interval` until the calling task is cancelled. `report` hears
    /// every reload and every failed one (default: failures as one line on stderr).
    public func keepUpdated(
        _ resolver: AssetResolver, every interval: Duration = .seconds(30),
        report: @escaping @Sendable (AssetResolver.ReloadOutcome) -> Void = ReleaseWatcher.reportFailures
    ) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let outcome = await reloadIfChanged(resolver)
            if outcome != .unchanged { report(outcome) }
        }
    }

    private func send(_ request: URLRequest) async throws(ManifestError) -> (Data, HTTPURLResponse) {
        let source = url.absoluteString
        let result: Result<(Data, HTTPURLResponse), ManifestError> = await withCheckedContinuation { continuation in
            let task = session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(
                        returning: .failure(.unreadable(path: source, reason: error.localizedDescription)))
                } else if let response = response as? HTTPURLResponse {
                    continuation.resume(returning: .success((data ?? Data(), response)))
                } else {
                    continuation.resume(returning: .failure(.unreadable(path: source, reason: "not an HTTP response")))
                }
            }
            task.resume()
        }
        return try result.get()
    }
}
