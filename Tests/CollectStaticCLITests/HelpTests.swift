import CollectStatic
import Foundation
import TestSupport
import Testing

@testable import CollectStaticCLI

/// `--help`, generated from the settings table, and `--version`.
@Suite struct HelpTests {
    /// One option of a command as ArgumentParser itself describes it (`--experimental-dump-help`).
    struct DumpedOption {
        /// `--static-root`, `-v`.
        var names: Set<String>
        var section: String?
    }

    /// Flags that say what a run does rather than set a setting, and ArgumentParser's own.
    static let commandFlags: Set<String> = [
        "--noinput", "--no-input", "--no-post-process", "-n", "--dry-run", "-c", "--clear", "-l", "--link",
        "--force", "--json", "--first", "-h", "--help", "--version",
    ]

    static func dumpedOptions() throws -> [String: [DumpedOption]] {
        let dump = TestSupport.run(CLI.binary, ["--experimental-dump-help"])
        #expect(dump.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let command = try #require(root["command"] as? [String: Any])
        var result: [String: [DumpedOption]] = [:]
        for subcommand in command["subcommands"] as? [[String: Any]] ?? [] {
            let name = try #require(subcommand["commandName"] as? String)
            result[name] = (subcommand["arguments"] as? [[String: Any]] ?? []).compactMap { argument in
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                    guard let text = name["name"] as? String else { return nil }
                    return (name["kind"] as? String == "short" ? "-" : "--") + text
                }
                return names.isEmpty
                    ? nil : DumpedOption(names: Set(names), section: argument["sectionTitle"] as? String)
            }
        }
        return result
    }

    static func expectedNames(_ setting: Setting) -> Set<String> {
        Set([setting.flag] + (setting.shortFlag.map { ["-\($0)"] } ?? []))
    }

    @Test func everySettingHasAFlagAndEveryFlagASetting() throws {
        let commands = try Self.dumpedOptions()
        let collect = try #require(commands["collect"])
        for option in collect where option.names.isDisjoint(with: Self.commandFlags) {
            let setting = Setting.all.first { option.names.contains($0.flag) }
            #expect(setting != nil, "the flag \(option.names.sorted()) has no setting in Setting.all")
            guard let setting else { continue }
            #expect(option.names == Self.expectedNames(setting))
            #expect(
                option.section == setting.group.title, "\(setting.flag) is listed under \(option.section ?? "none")")
        }
        for setting in Setting.all {
            #expect(
                collect.contains { $0.names.contains(setting.flag) }, "the setting \(setting.name) has no flag")
        }
        // Django's options are listed together, ours after them.
        #expect(collect.first { $0.names.contains("--dry-run") }?.section == Setting.Group.django.title)
        #expect(collect.first { $0.names.contains("-n") } != nil)

        // findstatic: the general settings and -v, never compression.
        let find = try #require(commands["findstatic"])
        for option in find where option.names.isDisjoint(with: Self.commandFlags) {
            let setting = Setting.all.first { option.names.contains($0.flag) }
            #expect(setting != nil, "the flag \(option.names.sorted()) has no setting in Setting.all")
            #expect(setting?.group != .compression, "findstatic lists \(option.names.sorted())")
        }
        for setting in Setting.all where setting.group == .general || setting == .verbosity {
            #expect(find.contains { $0.names.contains(setting.flag) }, "findstatic lacks \(setting.flag)")
        }

        // Every other command: only flags of settings, never compression.
        for (name, options) in commands where name != "collect" && name != "findstatic" {
            for option in options where option.names.isDisjoint(with: Self.commandFlags) {
                let setting = Setting.all.first { option.names.contains($0.flag) }
                #expect(setting != nil, "\(name): the flag \(option.names.sorted()) has no setting in Setting.all")
                #expect(setting?.group != .compression, "\(name) lists \(option.names.sorted())")
                #expect(option.section == setting?.group.title)
            }
        }
    }

    /// The help text with line wrapping undone.
    static func help(_ arguments: [String]) -> String {
        let result = CLI.run(arguments, in: FileManager.default.temporaryDirectory)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        return result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test(arguments: [["--help"], ["-h"], ["help"], ["collect", "--help"], ["help", "collect"]])
    func helpListsEveryOptionWithItsVariableAndDefault(_ arguments: [String]) {
        let text = Self.help(arguments)
        for title in ["DJANGO'S OPTIONS:", "SETTINGS:", "COMPRESSION:", "RELEASES:", "OPTIONS:"] {
            #expect(text.contains(title), "\(arguments) lacks \(title)")
        }
        #expect(text.contains("-n, --dry-run "))
        #expect(text.contains("--noinput, --no-input "))
        for setting in Setting.all {
            #expect(text.contains(setting.flag), "\(arguments) lacks \(setting.flag)")
            #expect(text.contains("[env: \(setting.name)"), "\(arguments) lacks \(setting.name)")
            let shown = setting.defaultValue.isEmpty ? "none" : setting.defaultValue
            #expect(text.contains("[env: \(setting.name)") && text.contains("[default: \(shown)]"))
        }
        // Sections in order: Django's, then ours.
        if let django = text.range(of: "DJANGO'S OPTIONS:"), let settings = text.range(of: "SETTINGS:"),
            let compression = text.range(of: "COMPRESSION:")
        {
            #expect(django.lowerBound < settings.lowerBound && settings.lowerBound < compression.lowerBound)
        }
        if arguments.first != "collect" && arguments != ["help", "collect"] {
            #expect(text.contains("SUBCOMMANDS: collect (default)"), "\(text)")
            #expect(text.contains("findstatic"))
        }
    }

    @Test func findstaticHelpHasNoCompressionFlags() {
        let text = Self.help(["findstatic", "--help"])
        #expect(text.contains("--first"))
        #expect(text.contains("-v, --verbosity"))
        #expect(!text.contains("COMPRESSION:"))
        #expect(!text.contains("RELEASES:"))
        for setting in Setting.all {
            if setting.group == .compression || setting.group == .releases {
                #expect(!text.contains(setting.flag), "findstatic --help lists \(setting.flag)")
            } else if setting.group == .general {
                #expect(text.contains("[env: \(setting.name)"))
            }
        }
    }

    static var pkgConfigAvailable: Bool {
        TestSupport.run("/usr/bin/env", ["which", "pkg-config"]).status == 0
            || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// The versions reported are those of the libraries linked, checked against pkg-config (the same
    /// Debian packages the build links).
    @Test(.enabled(if: pkgConfigAvailable, "pkg-config is not installed"))
    func versionNamesTheToolAndTheLinkedCompressionLibraries() throws {
        let zlib = TestSupport.run("/usr/bin/env", ["pkg-config", "--modversion", "zlib"])
        let brotli = TestSupport.run("/usr/bin/env", ["pkg-config", "--modversion", "libbrotlienc"])
        let zstd = TestSupport.run("/usr/bin/env", ["pkg-config", "--modversion", "libzstd"])
        try #require(
            zlib.status == 0 && brotli.status == 0 && zstd.status == 0,
            "pkg-config: \(zlib.stderr) \(brotli.stderr) \(zstd.stderr)")
        let brotliVersion = brotli.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let shared =
            brotliVersion.split(separator: ".").map { Int($0) ?? 0 }.lexicographicallyPrecedes([1, 1, 0]) == false
        let expected = """
            collectstatic \(ToolVersion.number)
            zlib \(zlib.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            brotli \(brotliVersion) \(shared ? "(shared dictionaries: dcb deltas)" : "(no shared dictionaries: no dcb deltas)")
            zstd \(zstd.stdout.trimmingCharacters(in: .whitespacesAndNewlines))

            """
        let result = CLI.run(["--version"], in: FileManager.default.temporaryDirectory)
        #expect(result.status == 0)
        #expect(result.stdout == expected)
    }
}

/// The README's test command is `swift test --disable-xctest` (so no empty XCTest block is
/// printed); an XCTest test would then never run, so there must be none.
@Suite struct TestCommandTests {
    @Test func noXCTestTestsSinceTheTestCommandDisablesXCTest() throws {
        let tests = TestSupport.packageRoot.appendingPathComponent("Tests")
        let offenders = TestSupport.files(in: tests).filter { path in
            guard path.hasSuffix(".swift"),
                let text = try? String(contentsOf: tests.appendingPathComponent(path), encoding: .utf8)
            else { return false }
            return text.contains("import " + "XCTest")
        }
        #expect(offenders.isEmpty, "XCTest tests would not run under `swift test --disable-xctest`: \(offenders)")
        let readme = try String(
            contentsOf: TestSupport.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let ci = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
        #expect(readme.contains("swift test --disable-xctest"))
        #expect(ci.contains("\nswift test --disable-xctest\n"))
    }
}
