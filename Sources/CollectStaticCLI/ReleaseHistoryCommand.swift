import ArgumentParser
import CollectStatic
import Foundation

/// Loads the settings, runs `body` on STATIC_ROOT's release history and prints its result line
/// (unless `-v 0`); an engine error is reported the way every command reports it.
func withReleaseHistory(
    _ groups: [any SettingFlags], _ body: (ReleaseHistory) throws(CollectStaticError) -> String
) async throws {
    do {
        let configuration = try await loadConfiguration(groups)
        let history = ReleaseHistory(
            configuration: configuration,
            observer: ConsoleObserver(verbosity: configuration.verbosity, isTerminal: false))
        let line = try body(history)
        if configuration.verbosity >= 1 { print(line) }
    } catch {
        throw fail(error)
    }
}
