import ArgumentParser
import CollectStatic
import Foundation

@main
struct CollectStaticCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collectstatic",
        abstract:
            "Collect static files into STATIC_ROOT with fingerprinted names, compressed variants and a Django-compatible manifest.",
        discussion: """
            Settings come from, lowest precedence first: built-in defaults, a JSON config file \
            (collectstatic.json in the working directory, or COLLECTSTATIC_CONFIG / --config), a .env \
            file in the working directory, environment variables, and command-line flags.
            """,
        subcommands: [CollectCommand.self, FindStaticCommand.self],
        defaultSubcommand: CollectCommand.self
    )
}

/// Prints an engine error the way every command reports it, and picks the exit code.
func fail(_ error: CollectStaticError) -> ExitCode {
    FileHandle.standardError.write(Data("collectstatic: error: \(error.description)\n".utf8))
    return ExitCode(error.exitCode)
}
