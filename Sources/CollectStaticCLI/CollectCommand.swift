import ArgumentParser
import CollectStatic
import CollectStaticS3
import Foundation

struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect the static files into STATIC_ROOT (the default command).",
        usage: "collectstatic [collect] [<options>]"
    )

    @OptionGroup(title: Setting.Group.django.title) var django: CollectFlags
    @OptionGroup(title: Setting.Group.django.title) var ignore: IgnoreOptions
    @OptionGroup(title: Setting.Group.django.title) var verbosity: VerbosityOption
    @OptionGroup(title: Setting.Group.general.title) var general: GeneralOptions
    @OptionGroup(title: Setting.Group.compression.title) var compression: CompressionOptions
    @OptionGroup(title: Setting.Group.releases.title) var releases: ReleaseOptions
    @OptionGroup(title: Setting.Group.releases.title) var storage: StorageOptions

    @Flag(name: .long, help: "With --clear: clear a non-empty STATIC_ROOT that holds no manifest.")
    var force = false

    @Flag(name: .long, help: "Print a machine-readable JSON summary on stdout.")
    var json = false

    func run() async throws {
        var shown: ConsoleObserver?
        do {
            let configuration = try await loadConfiguration([
                ignore, verbosity, general, compression, releases, storage,
            ])
            let observer = ConsoleObserver(
                verbosity: json ? 0 : configuration.verbosity, isTerminal: isatty(STDERR_FILENO) == 1,
                dryRun: django.dryRun)
            shown = observer
            // A Django storage that is no manifest storage only copies (Django's collectstatic).
            let copyOnly = configuration.django.map { !$0.storage.manifest } ?? false
            if copyOnly, configuration.verbosity >= 1, let project = configuration.django {
                FileHandle.standardError.write(
                    Data(
                        "note: \(project.storage.backend) is not a manifest storage: copying only, as Django does\n"
                            .utf8))
            }
            let destinations = try BucketStep.destinations(configuration, copyOnly: copyOnly || django.noPostProcess)
            let options = CollectOptions(
                dryRun: django.dryRun, clear: django.clear, force: force, link: django.link,
                postProcess: !django.noPostProcess && !copyOnly)
            var collector = Collector(configuration: configuration, options: options, observer: observer)
            collector.destinations = destinations
            collector.sharedCache = try BucketStep.sharedCache(configuration)
            if !django.noInput && isatty(STDIN_FILENO) == 1 && collector.destinationHasFiles {
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
                for line in report.destinations { print(line) }
            }
        } catch let error as CollectStaticError {
            shown?.finish()
            throw fail(error)
        }
    }

    /// Django's confirmation question; only `yes` continues.
    private func confirm(_ destination: String) throws(CollectStaticError) {
        var message = "\n"
        if django.dryRun { message += "You have activated the --dry-run option so no files will be modified.\n\n" }
        message +=
            "You have requested to collect static files at the destination\nlocation as specified in your settings:\n\n"
        message += "    \(destination)\n\n"
        message +=
            django.clear ? "This will DELETE ALL FILES in this location!\n" : "This will overwrite existing files!\n"
        message += "Are you sure you want to do this?\n\nType 'yes' to continue, or 'no' to cancel: "
        FileHandle.standardError.write(Data(message.utf8))
        guard readLine() == "yes" else { throw .cancelled }
    }
}

/// Django's own collectstatic flags that say what this run does (they are not settings).
struct CollectFlags: ParsableArguments {
    @Flag(name: [.customLong("noinput"), .customLong("no-input")], help: "Never ask for confirmation.")
    var noInput = false

    @Flag(name: .customLong("no-post-process"), help: "Copy only: no fingerprints, compression or manifest.")
    var noPostProcess = false

    @Flag(name: [.customShort("n"), .customLong("dry-run")], help: "Do everything except modify the file system.")
    var dryRun = false

    @Flag(
        name: [.customShort("c"), .long],
        help: "Delete everything in STATIC_ROOT that this run does not produce (after the new manifest is in place).")
    var clear = false

    @Flag(name: [.customShort("l"), .long], help: "Symlink the original files instead of copying them.")
    var link = false
}
