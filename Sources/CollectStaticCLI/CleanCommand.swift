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
    @OptionGroup(title: Setting.Group.releases.title) var storage: StorageURLOption

    func run() async throws {
        try await withReleaseHistory([verbosity, general, releases, storage], bucket: { try await $0.clean($1) }) {
            history throws(CollectStaticError) in
            let removed = try history.clean()
            return "\(removed.count) file\(removed.count == 1 ? "" : "s") of previous releases deleted."
        }
    }
}
