import Foundation

/// Tests that need a tool of the machine (nginx, setpriv, a tmpfs mount...). Where `CI` is set the
/// tool must be there (`.ci/run` installs it): the test runs and fails without it. Elsewhere a
/// missing tool makes the test a recorded skip (`@Test(.enabled(if: Requirement.tool("nginx")))`).
public enum Requirement {
    public static var isCI: Bool {
        guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
        return !value.isEmpty && value.lowercased() != "false" && value != "0"
    }

    /// Whether a test needing `name` should run: always in CI, elsewhere only when it is installed.
    public static func tool(_ name: String) -> Bool { isCI || available(name) }

    public static func available(_ name: String) -> Bool {
        TestSupport.shell("command -v '\(name)'").status == 0
    }

    /// Root (tests that mount file systems or drop privileges): in CI, required.
    public static var root: Bool { isCI || getuid() == 0 }
}
