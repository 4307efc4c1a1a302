import ArgumentParser
import CollectStatic
import Foundation

/// `collectstatic rollback`: make the previous release current again, in one atomic step.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Make the previous release current again (one atomic switch); the current one stays kept."
    )

    @OptionGroup(title: Setting.Group.django.title) var verbosity: VerbosityOption
    @OptionGroup(title: Setting.Group.general.title) var general: GeneralOptions
    @OptionGroup(title: Setting.Group.releases.title) var releases: ReleaseOptions
    @OptionGroup(title: Setting.Group.releases.title) var storage: StorageURLOption

    func run() async throws {
        try await withReleaseHistory([verbosity, general, releases, storage], bucket: { try await $0.rollback($1) }) {
            history throws(CollectStaticError) in
            let release = try history.rollback()
            return "Rolled back: release \(release.id) (collected \(release.created)) is current again."
        }
    }
}
