import Foundation
import TestSupport
import Testing

/// The system packages Package.swift needs are the ones the documentation tells a user to install:
/// on a fresh machine the README's install line, and every Dockerfile of README.md and docs/, must build.
@Suite struct InstallLineTests {
    /// The `.apt([...])` providers of Package.swift's system-library targets.
    static func aptProviders() throws -> [String] {
        let manifest = try String(
            contentsOf: TestSupport.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let lists = manifest.matches(of: /\.apt\(\[([^\]]*)\]\)/).map { String($0.1) }
        return lists.flatMap { $0.matches(of: /"([^"]+)"/).map { String($0.1) } }
    }

    /// The package a program linked against a `-dev` package needs at run time (Debian's names).
    static let runtimePackage = ["zlib1g-dev": "zlib1g", "libbrotli-dev": "libbrotli1", "libzstd-dev": "libzstd1"]

    /// Every Markdown file of the documentation, and every Dockerfile of the repository.
    static func documents() throws -> [(name: String, text: String)] {
        let root = TestSupport.packageRoot
        var names = ["README.md"]
        if let walk = FileManager.default.enumerator(atPath: root.appendingPathComponent("docs").path) {
            while let path = walk.nextObject() as? String {
                if path.hasSuffix(".md") { names.append("docs/" + path) }
            }
        }
        for folder in ["Examples", "Benchmarks"] {
            guard let walk = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path) else {
                continue
            }
            while let path = walk.nextObject() as? String {
                if (path as NSString).lastPathComponent.hasPrefix("Dockerfile") { names.append(folder + "/" + path) }
            }
        }
        return try names.map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The Dockerfiles in `text`: a Markdown file's ```dockerfile blocks, or the whole of a Dockerfile.
    static func dockerfiles(in document: (name: String, text: String)) -> [String] {
        guard document.name.hasSuffix(".md") else { return [document.text] }
        return document.text.matches(of: /```dockerfile\n((?:.|\n)*?)```/).map { String($0.1) }
    }

    /// A Dockerfile's stages, each as its `FROM` line and the words of its `apt-get install` commands.
    static func stages(of dockerfile: String) -> [(from: String, text: String, installs: Set<String>)] {
        var stages: [(from: String, text: String, installs: Set<String>)] = []
        // Continuation lines joined, so a `RUN … \` command is one line.
        let lines = dockerfile.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n")
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.uppercased().hasPrefix("FROM ") {
                stages.append((trimmed, "", []))
                continue
            }
            guard !stages.isEmpty else { continue }
            stages[stages.count - 1].text += trimmed + "\n"
            for command in trimmed.split(separator: "&&") where command.contains("apt-get install") {
                let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                stages[stages.count - 1].installs.formUnion(words.filter { !$0.hasPrefix("-") })
            }
        }
        return stages
    }

    @Test func packageSwiftNeedsTheCodecLibraries() throws {
        // The test reads the providers it checks; an empty list would check nothing.
        #expect(try Self.aptProviders().sorted() == ["libbrotli-dev", "libzstd-dev", "zlib1g-dev"])
    }

    @Test func theReadmesInstallLineNamesEverySystemPackage() throws {
        let providers = try Self.aptProviders()
        let readme = try String(
            contentsOf: TestSupport.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        // The install lines of the prose: those that install a `-dev` package.
        let lines = readme.split(separator: "\n").filter { $0.contains("apt-get install") && $0.contains("-dev") }
        #expect(!lines.isEmpty, "the README has no install line")
        for line in lines {
            for package in providers {
                #expect(line.contains(package), "README line misses \(package): \(line)")
            }
        }
    }

    @Test func everyDockerfileInstallsWhatItsStagesNeed() throws {
        let providers = try Self.aptProviders()
        var checked = 0
        for document in try Self.documents() {
            for dockerfile in Self.dockerfiles(in: document) {
                for stage in Self.stages(of: dockerfile) {
                    // A stage that builds our package needs every -dev package.
                    if stage.text.contains("swift build") {
                        checked += 1
                        for package in providers {
                            #expect(
                                stage.installs.contains(package),
                                "\(document.name): the stage \(stage.from) builds with swift but does not install \(package)"
                            )
                        }
                    }
                    // A stage that runs a binary built in another stage needs the shared libraries it
                    // links (zlib1g is Essential in every Debian image).
                    if stage.text.contains("COPY --from=") && stage.text.contains("collectstatic") {
                        checked += 1
                        for package in providers {
                            guard let runtime = Self.runtimePackage[package], runtime != "zlib1g" else { continue }
                            #expect(
                                stage.installs.contains(runtime),
                                "\(document.name): the stage \(stage.from) runs collectstatic but does not install \(runtime)"
                            )
                        }
                    }
                }
            }
        }
        #expect(checked >= 3, "only \(checked) Dockerfile stages were found to check")
    }

    @Test func theRuntimePackagesAreKnownForEveryProvider() throws {
        for package in try Self.aptProviders() { #expect(Self.runtimePackage[package] != nil, "\(package)") }
    }
}
