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
        version: ToolVersion.text,
        subcommands: [CollectCommand.self, FindStaticCommand.self, CleanCommand.self, RollbackCommand.self],
        defaultSubcommand: CollectCommand.self
    )
}

extension CollectStaticCommand {
    /// Like ArgumentParser's `main`, but a command line that does not parse exits with 2, as
    /// Django's argparse-based commands do (and as invalid configuration does), instead of 64.
    static func main() async {
        MemoryPolicy.apply()
        if ["-h", "-help", "--help", "help"].contains(CommandLine.arguments.dropFirst().first)
            && CommandLine.arguments.count == 2
        {
            print(rootHelp())
            return
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Prints an engine error the way every command reports it, and picks the exit code.
func fail(_ error: CollectStaticError) -> ExitCode {
    FileHandle.standardError.write(Data("collectstatic: error: \(error.description)\n".utf8))
    return ExitCode(error.exitCode)
}

extension CollectStaticCommand {
    /// `collectstatic --help`: the overview, then every option of the default command (`collect`)
    /// in its groups, then the subcommands. ArgumentParser alone would list only `--version` and
    /// `--help` here, since the options belong to the default subcommand.
    static func rootHelp(columns: Int? = nil) -> String {
        let root = helpMessage(columns: columns)
        let collect = helpMessage(for: CollectCommand.self, columns: columns)
        guard let rootUsage = root.range(of: "USAGE:"), let subcommands = root.range(of: "SUBCOMMANDS:"),
            let collectUsage = collect.range(of: "USAGE:"),
            let collectSections = collect[collectUsage.upperBound...].range(of: "\n\n")
        else { return root }
        let usages =
            configuration.subcommands.map { usageString(for: $0) } + [
                "\(configuration.commandName ?? "") help [<subcommand>]"
            ]
        let usage = "USAGE: " + usages.joined(separator: "\n       ")
        var text = String(root[..<rootUsage.lowerBound]) + usage + "\n\n"
        text += collect[collectSections.upperBound...].trimmingCharacters(in: .newlines) + "\n\n"
        text += root[subcommands.lowerBound...]
        return text
    }
}
