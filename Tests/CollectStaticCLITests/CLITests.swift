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
        #expect(result.stdout.contains("static files copied to '\(root.path)'"))
        #expect(result.stdout.hasSuffix("post-processed.\n"))
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
        (["--dir", "nope"], "does not exist"),
        (["--jobs=-3"], "COLLECTSTATIC_JOBS"),
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

    @Test func progressIsRedrawnOnATerminalAndPlainWithout() {
        let dir = CLI.project(["a.css": String(repeating: "a{color:red}\n", count: 500), "b.js": "b()"])
        let flags = ["--noinput", "--dir", "src", "--static-root", "out"]
        let plain = CLI.run(flags, in: dir)
        #expect(plain.status == 0)
        #expect(plain.stderr == "Copying: 2\nCompressing: 2\n", "\(plain.stderr)")
        #expect(!plain.stderr.contains("\u{1B}"))
        let terminal = CLI.runOnTerminal(flags + ["--static-root", "out2"], in: dir, input: "")
        #expect(terminal.stdout.contains("\r\u{1B}[KCopying 2/2"), "\(terminal.stdout.debugDescription)")
        #expect(terminal.stdout.contains("2 static files copied to"))
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
