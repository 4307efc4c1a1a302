import ArgumentParser
import CollectStatic
import Foundation

/// Django's `findstatic`: which source file a logical name resolves to.
struct FindStaticCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findstatic",
        abstract: "Show which source file each logical name resolves to (first match wins)."
    )

    @OptionGroup(title: Setting.Group.django.title) var django: FindFlags
    @OptionGroup(title: Setting.Group.django.title) var verbosity: VerbosityOption
    @OptionGroup(title: Setting.Group.general.title) var general: GeneralOptions

    @Argument(help: "Logical names such as css/app.css.")
    var names: [String]

    func run() async throws {
        let configuration: Configuration
        do {
            configuration = try await loadConfiguration([verbosity, general])
        } catch {
            throw fail(error)
        }
        let finder = Finder(roots: configuration.sourceRoots, ignorePatterns: configuration.ignorePatterns)
        var missing = false
        for name in names {
            let found = finder.locate(name)
            if found.isEmpty {
                FileHandle.standardError.write(Data("No matching file found for '\(name)'.\n".utf8))
                missing = true
            } else {
                let shown = django.first ? Array(found.prefix(1)) : found
                if configuration.verbosity >= 1 {
                    print("Found '\(name)' here:")
                    for asset in shown { print("  \(asset.filePath)") }
                } else {
                    for asset in shown { print(asset.filePath) }
                }
            }
            if configuration.verbosity >= 2 {
                print("Looking in the following locations:")
                for root in configuration.sourceRoots { print("  \(root.path)") }
            }
        }
        if missing { throw ExitCode(1) }
    }
}

/// Django's own findstatic flag.
struct FindFlags: ParsableArguments {
    @Flag(name: .long, help: "Only show the file that is collected, not the shadowed ones.")
    var first = false
}
