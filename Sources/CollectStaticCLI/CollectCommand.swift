import ArgumentParser
import CollectStatic
import Foundation

struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect the static files into STATIC_ROOT (the default command)."
    )

    @OptionGroup var settings: SettingsOptions

    @Flag(name: [.customLong("noinput"), .customLong("no-input")], help: "Never ask for confirmation.")
    var noInput = false

    @Flag(name: [.short, .long], help: "Delete everything in STATIC_ROOT that this run does not produce.")
    var clear = false

    @Flag(name: .long, help: "With --clear: clear a non-empty STATIC_ROOT that holds no manifest.")
    var force = false

    @Flag(name: [.short, .customLong("dry-run")], help: "Do everything except modify the file system.")
    var dryRun = false

    @Flag(name: [.short, .long], help: "Symlink the original files instead of copying them.")
    var link = false

    @Flag(name: .customLong("no-post-process"), help: "Copy only: no fingerprints, compression or manifest.")
    var noPostProcess = false

    @Flag(name: .long, help: "Print a machine-readable JSON summary on stdout.")
    var json = false

    func run() async throws {
        do {
            let configuration = try await settings.loadConfiguration()
            let observer = ConsoleObserver(
                verbosity: json ? 0 : configuration.verbosity, isTerminal: isatty(STDERR_FILENO) == 1)
            // A Django storage that is no manifest storage only copies (Django's collectstatic).
            let copyOnly = configuration.django.map { !$0.storage.manifest } ?? false
            if copyOnly, configuration.verbosity >= 1, let django = configuration.django {
                FileHandle.standardError.write(
                    Data(
                        "note: \(django.storage.backend) is not a manifest storage: copying only, as Django does\n".utf8
                    ))
            }
            let options = CollectOptions(
                dryRun: dryRun, clear: clear, force: force, link: link, postProcess: !noPostProcess && !copyOnly)
            let collector = Collector(configuration: configuration, options: options, observer: observer)
            if !noInput && isatty(STDIN_FILENO) == 1 && collector.destinationHasFiles {
                try confirm(configuration.staticRoot)
            }
            let report = try await collector.run()
            observer.finish()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else if configuration.verbosity >= 1 {
                print("\n" + report.summaryLine)
            }
        } catch let error as CollectStaticError {
            throw fail(error)
        }
    }

    /// Django's confirmation question; only `yes` continues.
    private func confirm(_ destination: String) throws(CollectStaticError) {
        var message = "\n"
        if dryRun { message += "You have activated the --dry-run option so no files will be modified.\n\n" }
        message +=
            "You have requested to collect static files at the destination\nlocation as specified in your settings:\n\n"
        message += "    \(destination)\n\n"
        message += clear ? "This will DELETE ALL FILES in this location!\n" : "This will overwrite existing files!\n"
        message += "Are you sure you want to do this?\n\nType 'yes' to continue, or 'no' to cancel: "
        FileHandle.standardError.write(Data(message.utf8))
        guard readLine() == "yes" else { throw .cancelled }
    }
}
