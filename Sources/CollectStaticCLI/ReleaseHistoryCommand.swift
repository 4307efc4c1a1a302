import ArgumentParser
import CollectStatic
import Foundation

/// Loads the settings, runs `body` on STATIC_ROOT's release history and prints its result line
/// (unless `-v 0`); an engine error is reported the way every command reports it. With
/// `COLLECTSTATIC_STORAGE` set, `bucket` then runs on the bucket (and STATIC_ROOT is left alone
/// when it holds no manifest, as on a CI machine that only publishes).
func withReleaseHistory(
    _ groups: [any SettingFlags], bucket: ((BucketStep, Configuration) async throws -> String)? = nil,
    _ body: (ReleaseHistory) throws(CollectStaticError) -> String
) async throws {
    let configuration: Configuration
    let step: BucketStep?
    do {
        configuration = try await loadConfiguration(groups, readsSources: false)
        step = try BucketStep(configuration: configuration, copyOnly: false)
        let manifest = configuration.staticRoot + "/" + configuration.manifestName
        if step == nil || bucket == nil || FileManager.default.fileExists(atPath: manifest) {
            let history = ReleaseHistory(
                configuration: configuration,
                observer: ConsoleObserver(verbosity: configuration.verbosity, isTerminal: false))
            let line = try body(history)
            if configuration.verbosity >= 1 { print(line) }
        }
    } catch {
        throw fail(error)
    }
    if let step, let bucket {
        let line = try await bucket(step, configuration)
        if configuration.verbosity >= 1 { print(line) }
    }
}
