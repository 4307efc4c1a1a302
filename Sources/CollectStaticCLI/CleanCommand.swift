import ArgumentParser
import CollectStatic
import Foundation

/// `collectstatic clean`: drop the hashed files of releases `--keep`/`--keep-age` no longer keep.
struct CleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove the files of previous releases that --keep and --keep-age no longer keep."
    )

    @OptionGroup(title: Setting.Group.django.title) var verbosity: VerbosityOption
    @OptionGroup(title: Setting.Group.general.title) var general: GeneralOptions
    @OptionGroup(title: Setting.Group.releases.title) var releases: ReleaseOptions

    func run() async throws {
        try await withReleaseHistory([verbosity, general, releases]) { history throws(CollectStaticError) in
            let removed = try history.clean()
            return "\(removed.count) file\(removed.count == 1 ? "" : "s") of previous releases deleted."
        }
    }
}

/// `collectstatic rollback`: make the previous release current again, in one atomic step.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Make the previous release current again (one atomic switch); the current one stays kept."
    )

    @OptionGroup(title: Setting.Group.django.title) var verbosity: VerbosityOption
    @OptionGroup(title: Setting.Group.general.title) var general: GeneralOptions
    @OptionGroup(title: Setting.Group.releases.title) var releases: ReleaseOptions

    func run() async throws {
        try await withReleaseHistory([verbosity, general, releases]) { history throws(CollectStaticError) in
            let generation = try history.rollback()
            return "Rolled back: release \(generation.id) (collected \(generation.created)) is current again."
        }
    }
}

/// Loads the settings, runs `body` on STATIC_ROOT's release history and prints its result line
/// (unless `-v 0`); an engine error is reported the way every command reports it.
private func withReleaseHistory(
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
