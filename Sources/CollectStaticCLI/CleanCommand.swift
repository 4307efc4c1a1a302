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
        do {
            let configuration = try await loadConfiguration([verbosity, general, releases])
            let history = ReleaseHistory(
                configuration: configuration,
                observer: ConsoleObserver(verbosity: configuration.verbosity, isTerminal: false))
            let removed = try history.clean()
            if configuration.verbosity >= 1 {
                print("\(removed.count) file\(removed.count == 1 ? "" : "s") of previous releases deleted.")
            }
        } catch {
            throw fail(error)
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
        do {
            let configuration = try await loadConfiguration([verbosity, general, releases])
            let history = ReleaseHistory(
                configuration: configuration,
                observer: ConsoleObserver(verbosity: configuration.verbosity, isTerminal: false))
            let generation = try history.rollback()
            if configuration.verbosity >= 1 {
                print("Rolled back: release \(generation.id) (collected \(generation.created)) is current again.")
            }
        } catch {
            throw fail(error)
        }
    }
}
