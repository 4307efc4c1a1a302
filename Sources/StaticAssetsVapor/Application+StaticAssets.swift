import Foundation
import StaticAssets
import StaticAssetsServer
import Vapor

extension Application {
    /// The static assets of this application: set up once at boot with
    /// ``StaticAssetsApplication/setUp(_:addMiddleware:)``, then read by the middleware, by
    /// `req.staticAssets` in route handlers and by the Leaf tags.
    public var staticAssets: StaticAssetsApplication { StaticAssetsApplication(application: self) }
}

/// `app.staticAssets`: configuration in Vapor's idiom (kept in the application's storage).
///
/// ```swift
/// // configure.swift
/// try app.staticAssets.setUp(.init(
///     staticRoot: "public/static", sourceRoots: [(nil, "assets"), ("vendor", "node_modules/lib/dist")]))
/// ```
///
/// In the production environment (or with no source roots) the manifest is loaded at once and a
/// missing or corrupt one is a ``StaticAssetsSetupError`` thrown from `setUp`, so the app stops at boot
/// with one line saying what to run. In the development environment the source roots are served as
/// they are (Django's `DEBUG`).
public struct StaticAssetsApplication: Sendable {
    public let application: Application

    /// What `setUp` made: one resolver for URLs and templates, one responder for the middleware.
    public struct Configured: Sendable {
        public let settings: StaticAssetsSettings
        public let resolver: AssetResolver
        public let responder: StaticFileResponder
        /// Whether the source roots are served (development mode) rather than STATIC_ROOT.
        public let isDevelopment: Bool

        /// A middleware over this responder (``StaticAssetsSettings/chunkLength`` per chunk; the
        /// release watch, if any, was started by `setUp`).
        public var middleware: StaticAssetsMiddleware {
            StaticAssetsMiddleware(responder, reload: .off, chunkLength: settings.chunkLength)
        }
    }

    struct Key: StorageKey {
        typealias Value = Configured
    }

    /// Loads the manifest (or, in development mode, checks the source roots), starts watching for new
    /// releases (``StaticAssetsSettings/reload``; stopped when the application shuts down), keeps the
    /// resolver and responder in the application's storage and, unless `addMiddleware` is false, appends
    /// ``StaticAssetsMiddleware`` to `app.middleware` (after Vapor's error and logging middleware).
    @discardableResult
    public func setUp(_ settings: StaticAssetsSettings = .init(), addMiddleware: Bool = true)
        throws(StaticAssetsSetupError) -> Configured
    {
        let development = settings.development ?? (application.environment == .development)
        var options = settings.options
        options.manifestName = settings.manifestName
        if options.urlPrefix == nil { options.urlPrefix = settings.staticURL }
        let configured: Configured
        if development && !settings.sourceRoots.isEmpty {
            for root in settings.sourceRoots {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root.folder.path, isDirectory: &isFolder),
                    isFolder.boolValue
                else {
                    throw .missingSourceRoot(root.folder.path)
                }
            }
            let resolver = AssetResolver(
                manifest: Manifest(paths: [:], hash: ""), staticURL: settings.staticURL, mode: .debug)
            configured = Configured(
                settings: settings, resolver: resolver,
                responder: StaticFileResponder(
                    development: SourceRootLookup(roots: settings.sourceRoots), options: options),
                isDevelopment: true)
        } else {
            let resolver: AssetResolver
            do {
                resolver = try AssetResolver(manifestPath: settings.manifestPath, staticURL: settings.staticURL)
            } catch {
                throw .manifest(error)
            }
            configured = Configured(
                settings: settings, resolver: resolver,
                responder: StaticFileResponder(staticRoot: settings.staticRoot, resolver: resolver, options: options),
                isDevelopment: false)
        }
        if case .watch(let interval) = settings.reload { configured.responder.watchForReleases(every: interval) }
        application.storage.set(Key.self, to: configured) { configured in configured.resolver.stopWatching() }
        if addMiddleware { application.middleware.use(configured.middleware) }
        return configured
    }

    /// What `setUp` made, or nil before it ran.
    public var configured: Configured? { application.storage[Key.self] }

    /// The resolver `setUp` made (URLs and integrity values for pages).
    public var resolver: AssetResolver {
        get throws(StaticAssetsSetupError) { try require().resolver }
    }

    /// The responder `setUp` made.
    public var responder: StaticFileResponder {
        get throws(StaticAssetsSetupError) { try require().responder }
    }

    func require() throws(StaticAssetsSetupError) -> Configured {
        guard let configured else { throw .notSetUp }
        return configured
    }
}

/// Why `app.staticAssets` could not be set up or used; one line that says what to do.
public enum StaticAssetsSetupError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The manifest is missing, unreadable or corrupt (no collect run yet, or the wrong STATIC_ROOT).
    case manifest(ManifestError)
    /// A source root of development mode is not a folder.
    case missingSourceRoot(String)
    /// `req.staticAssets` or `app.staticAssets.resolver` was used before `app.staticAssets.setUp(…)`.
    case notSetUp

    public var description: String {
        switch self {
        case .manifest(let error):
            return "static assets: \(error)"
        case .missingSourceRoot(let path):
            return "static assets: source root '\(path)' is not a folder (development mode serves the source roots)"
        case .notSetUp:
            return "static assets: app.staticAssets.setUp(…) has not been called (call it in configure, at boot)"
        }
    }

    public var errorDescription: String? { description }
}
