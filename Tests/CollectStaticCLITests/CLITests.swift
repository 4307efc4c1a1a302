import Foundation
import StaticAssets
import TestSupport
import Testing

@Suite struct CLITests {
    @Test func readmeCommandWorksWithNoEnvironmentAndNoTerminal() throws {
        // The repository's own collectstatic.json, run from a copy of the checkout layout.
        let dir = TestSupport.temporaryDirectory("readme")
        try FileManager.default.createSymbolicLink(
            at: dir.appendingPathComponent("Fixtures"), withDestinationURL: TestSupport.fixtures)
        try FileManager.default.copyItem(
            at: TestSupport.packageRoot.appendingPathComponent("collectstatic.json"),
            to: dir.appendingPathComponent("collectstatic.json"))
        let result = CLI.run(["--noinput"], in: dir, stdin: "")
        #expect(result.status == 0, "\(result.stderr)")
        let root = dir.appendingPathComponent("public/static")
        // One clear result line at the end, nothing else of ours.
        #expect(result.stdout == "\n12 static files copied to '\(root.path)', 12 post-processed.\n")
        #expect(result.stderr == "")
        let manifest = try Manifest(contentsOf: root.appendingPathComponent("staticfiles.json"))
        #expect(manifest.paths["css/app.css"] != nil)
        #expect(manifest.paths["vendor/normalize/normalize.css"] != nil)

        let again = CLI.run(["--noinput"], in: dir)
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 static files copied to '\(root.path)', 12 unmodified."))
    }

    @Test func safeDefaultsInAnEmptyEnvironment() throws {
        let dir = CLI.project([:])
        TestSupport.write("body{}", to: dir.appendingPathComponent("static/app.css"))
        let result = CLI.run(["--noinput"], in: dir, stdin: "")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("staticfiles/staticfiles.json").path))
    }

    @Test func environmentAndFlagsConfigureTheRun() throws {
        let dir = CLI.project(["a.css": "a{}"])
        var env = CLI.bareEnvironment
        env["STATICFILES_DIRS"] = "src"
        env["STATIC_ROOT"] = "from-env"
        var result = CLI.run(["--noinput"], in: dir, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("from-env/a.css").path))
        result = CLI.run(
            ["--noinput", "--static-root", "from-flag", "--manifest-name", "m.json"], in: dir, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("from-flag/m.json").path))
    }

    @Test(arguments: [
        (["--static-url", "/static"], "STATIC_URL must end with a slash"),
        (["--static-root", "src/out"], "inside source root"),
        // A source root that does not exist beside one that does is a warning (ConfigurationErrorTests).
        (["--static-root", ""], "STATIC_ROOT (from flag --static-root): expected a folder path"),
        (["--jobs=-3"], "COLLECTSTATIC_JOBS"),
        (["--dir", ".=src"], "invalid prefix \".\""),
        (["--dir", "staticfiles.json=src"], "where the manifest staticfiles.json goes"),
    ])
    func invalidConfigurationExitsWithTwoAndWritesNothing(_ flags: [String], _ message: String) {
        let dir = CLI.project(["a.css": "a{}"])
        let result = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"] + flags, in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test func malformedFlagsExitWithTwoLikeArgparse() {
        let dir = CLI.project(["a.css": "a{}"])
        let result = CLI.run(["--noinput", "--jobs", "many"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("many"))
    }

    @Test func unknownConfigKeyIsRefused() {
        let dir = CLI.project(["a.css": "a{}"])
        TestSupport.write(
            #"{"STATICFILES_DIRS": ["src"], "STATIC_ROT": "x"}"#, to: dir.appendingPathComponent("collectstatic.json"))
        let result = CLI.run(["--noinput"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown setting \"STATIC_ROT\""))
    }

    @Test func jsonSummary() throws {
        let dir = CLI.project(["a.css": "a{}", "b.txt": "b"])
        let result = CLI.run(["--noinput", "--json", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["modified"] as? Int == 2)
        #expect(object?["postProcessed"] as? Int == 2)
        #expect((object?["manifest"] as? String)?.hasSuffix("out/staticfiles.json") == true)
    }

    @Test func verbosityTwoListsShadowedFiles() {
        let dir = CLI.project(["a/x.css": "1", "b/x.css": "2"])
        let result = CLI.run(
            ["--noinput", "-v", "2", "--dir", "src/a", "--dir", "src/b", "--static-root", "out"], in: dir)
        #expect(result.status == 0)
        #expect(result.stderr.contains("Found another file with the destination path 'x.css'"))
        #expect(result.stdout.contains("1 skipped due to conflict"))
    }

    @Test func asksOnATerminalAndAcceptsOnlyYes() {
        let dir = CLI.project(["a.css": "a{}"])
        let flags = ["--dir", "src", "--static-root", "out"]
        #expect(CLI.run(["--noinput"] + flags, in: dir).status == 0)
        let refused = CLI.runOnTerminal(flags, in: dir, input: "y\\n")
        #expect(refused.stdout.contains("This will overwrite existing files!"))
        #expect(refused.stdout.contains("Type 'yes' to continue, or 'no' to cancel:"))
        #expect(refused.stdout.contains("Collecting static files cancelled."))
        let accepted = CLI.runOnTerminal(flags, in: dir, input: "yes\\n")
        #expect(accepted.stdout.contains("0 static files copied"), "\(accepted.stdout)")
        let clearing = CLI.runOnTerminal(flags + ["--clear"], in: dir, input: "no\\n")
        #expect(clearing.stdout.contains("This will DELETE ALL FILES in this location!"))
    }

    @Test func withoutATerminalAQuickRunOrARunWithNothingChangedPrintsOnlyTheSummary() throws {
        let dir = CLI.project(["a.css": String(repeating: "a{color:red}\n", count: 500), "b.js": "b()"])
        let flags = ["--noinput", "--dir", "src", "--static-root", "out"]
        let first = CLI.run(flags, in: dir)
        #expect(first.status == 0)
        #expect(first.stderr == "")
        #expect(first.stdout == "\n2 static files copied to '\(dir.path)/out', 2 post-processed.\n")
        let again = CLI.run(flags, in: dir)
        #expect(again.status == 0)
        #expect(again.stderr == "")
        #expect(again.stdout == "\n0 static files copied to '\(dir.path)/out', 2 unmodified.\n")
    }

    @Test func verbosityZeroPrintsNothing() {
        let dir = CLI.project(["a.css": String(repeating: "a{color:red}\n", count: 500), "b.js": "b()"])
        let flags = ["--noinput", "-v", "0", "--dir", "src", "--static-root", "out"]
        for _ in 0..<2 {
            let result = CLI.run(flags, in: dir)
            #expect(result.status == 0)
            #expect(result.stdout == "")
            #expect(result.stderr == "")
        }
        let terminal = CLI.runOnTerminal(flags + ["--static-root", "out2"], in: dir, input: "")
        #expect(terminal.stdout == "", "\(terminal.stdout.debugDescription)")
    }

    @Test func verbosityTwoListsEveryFileCopiedOrSkippedInDjangosWords() {
        let dir = CLI.project(["a.css": "a{}", "b.txt": "b"])
        let flags = ["--noinput", "-v", "2", "--dir", "src", "--static-root", "out"]
        let first = CLI.run(flags, in: dir)
        #expect(first.status == 0)
        #expect(first.stderr.contains("Copying 'a.css'\n"))
        #expect(first.stderr.contains("Copying 'b.txt'\n"))
        #expect(first.stderr.contains("Post-processed 'b.txt' as 'b.92eb5ffee6ae.txt'\n"))
        TestSupport.write("b2", to: dir.appendingPathComponent("src/b.txt"))
        let again = CLI.run(flags, in: dir)
        #expect(again.stderr.contains("Skipping 'a.css' (not modified)\n"), "\(again.stderr)")
        #expect(again.stderr.contains("Copying 'b.txt'\n"))
        #expect(!again.stderr.contains("Copying 'a.css'"))
        // Django shows skipped files at 2, not only at 3.
        let quiet = CLI.run(["--noinput", "-v", "1", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(!quiet.stderr.contains("Skipping"))
    }

    @Test func dryRunWithDjangosShortFlag() {
        let dir = CLI.project(["a.css": "a{}"])
        for flag in ["-n", "--dry-run"] {
            let result = CLI.run(["--noinput", flag, "--dir", "src", "--static-root", "out"], in: dir)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasSuffix(" (dry run: nothing was written).\n"), "\(result.stdout)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        }
        // -d was never Django's.
        #expect(CLI.run(["--noinput", "-d", "--dir", "src"], in: dir).status == 2)
    }

    @Test func progressIsOneRedrawnLineOnATerminal() {
        let dir = CLI.project(["a.css": String(repeating: "a{color:red}\n", count: 500), "b.js": "b()"])
        let flags = ["--noinput", "--dir", "src", "--static-root", "out"]
        let terminal = CLI.runOnTerminal(flags, in: dir, input: "")
        let output = terminal.stdout
        for phase in ["Finding ", "Hashing ", "Copying ", "Compressing "] {
            #expect(output.contains("\r\u{1B}[K" + phase), "\(output.debugDescription)")
        }
        // Running lines are redrawn in place (no newline between them), then erased: a quick run
        // leaves only the summary.
        let beforeFirstNewline = output.prefix { $0 != "\n" && $0 != "\r\n" }
        #expect(beforeFirstNewline.components(separatedBy: "\r\u{1B}[K").count > 6, "\(output.debugDescription)")
        for result in [terminal, CLI.runOnTerminal(flags, in: dir, input: "")] {
            let visible = result.stdout.components(separatedBy: "\r\u{1B}[K").last ?? ""
            #expect(
                visible.replacingOccurrences(of: "\r", with: "").hasPrefix("\n")
                    && !visible.dropFirst(2).contains("\n\n"),
                "\(result.stdout.debugDescription)")
        }
        // (The terminal turns "\n" into "\r\n", one Character in Swift.)
        #expect(
            output.replacingOccurrences(of: "\r\n", with: "\n")
                .hasSuffix("\r\u{1B}[K\n2 static files copied to '\(dir.path)/out', 2 post-processed.\n"))
    }

    /// On a tree whose compression takes seconds, the first progress line is drawn within 0.5 s
    /// of launch, and compression shows a rate and the time left.
    @Test func progressStartsAtOnceAndShowsRateAndTimeLeft() throws {
        var files: [String: String] = [:]
        for index in 0..<18 {  // about 1.5 MB: more than a second of brotli 11 (the result line needs 1 s)
            files["big\(index).css"] = FailureTests.slowToCompress(seed: UInt64(index), rules: 3_000)
        }
        let dir = CLI.project(files)
        let run = try CLI.runOnTerminalTimed(["--noinput", "--dir", "src", "--static-root", "out", "-j", "1"], in: dir)
        #expect(run.status == 0)
        let first = try #require(run.chunks.first { $0.text.contains("\u{1B}[K") })
        #expect(first.seconds < 0.5, "first progress after \(first.seconds) s")
        #expect(run.seconds > 1, "the run was too quick (\(run.seconds) s) to show anything about timing")
        let output = run.chunks.map(\.text).joined()
        let running = output.components(separatedBy: "\r\u{1B}[K").filter {
            $0.hasPrefix("Compressing ") && $0.contains("/s, ") && $0.hasSuffix(" left")
        }
        #expect(running.count >= 2, "\(output.debugDescription)")
        #expect(running.allSatisfy { $0.contains("/36 files, ") && $0.contains("/1.5 MB, ") }, "\(running)")
        #expect(output.contains("\r\u{1B}[KCompressed 36 files (1.5 MB) in "), "\(output.debugDescription)")

        // The same without a terminal: the result line of the long phase, then the summary.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("out"))
        let plain = CLI.run(["--noinput", "--dir", "src", "--static-root", "out", "-j", "1"], in: dir)
        // Only result lines of long phases (copying too, when a loaded machine makes it last 1 s),
        // and, where a loaded machine makes compression last over 10 s, its line every 10 s.
        let lines = plain.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("Compressed 36 files (1.5 MB) in ") }, "\(plain.stderr)")
        #expect(
            lines.allSatisfy {
                $0.hasPrefix("Compressed ") || $0.hasPrefix("Copied ")
                    || ($0.hasPrefix("Compressing ") && $0.contains("/36 files, ") && $0.hasSuffix(" left"))
            }, "\(plain.stderr)")
        #expect(plain.stdout == "\n18 static files copied to '\(dir.path)/out', 18 post-processed.\n")
        let again = CLI.run(["--noinput", "--dir", "src", "--static-root", "out"], in: dir)
        #expect(again.stderr == "")
        #expect(again.stdout == "\n0 static files copied to '\(dir.path)/out', 18 unmodified.\n")
    }

    @Test func findstatic() {
        let dir = CLI.project(["a/css/x.css": "1", "b/css/x.css": "2"])
        let flags = ["--dir", "src/a", "--dir", "src/b"]
        var result = CLI.run(["findstatic", "css/x.css"] + flags, in: dir)
        #expect(result.status == 0)
        #expect(
            result.stdout.contains(
                "Found 'css/x.css' here:\n  \(dir.path)/src/a/css/x.css\n  \(dir.path)/src/b/css/x.css"))
        result = CLI.run(["findstatic", "css/x.css", "--first", "-v", "2"] + flags, in: dir)
        #expect(!result.stdout.contains("src/b/css/x.css\n  "))
        #expect(result.stdout.contains("Looking in the following locations:\n  \(dir.path)/src/a\n  \(dir.path)/src/b"))
        result = CLI.run(["findstatic", "css/nope.css"] + flags, in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("No matching file found for 'css/nope.css'."))
    }
}
