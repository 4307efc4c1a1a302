import Foundation

/// The one Python the suite uses as its reference peer: a virtualenv under `/tmp` with Django 6.1,
/// WhiteNoise, brotli and gunicorn from PyPI, on a Python 3.12+ (pyenv's on this machine image).
/// It is created on first use (under a lock, so parallel test processes share it) and reused by later
/// runs. `COLLECTSTATIC_DJANGO_PYTHON` names another Python with the same packages.
///
/// No silent skips: a test that needs it is `.enabled(if: DjangoReference.enabled, ...)`, which skips
/// it with a recorded reason outside CI; with `CI` set it runs and fails on `requirePython()`.
public enum DjangoReference {
    /// The packages the venv gets.
    public static let requirements = ["django>=6.1,<6.2", "whitenoise", "brotli", "gunicorn"]

    public static let venv = "/tmp/collectstatic-django-venv-6.1"

    /// Path of the virtualenv's python, or nil when it cannot be made (the reason in `unavailableReason`).
    public static var python: String? { state.python }

    /// Why `python` is nil.
    public static var unavailableReason: String { state.reason ?? "" }

    /// True when `CI` is set: tools the tests need must be there.
    public static var isCI: Bool { !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty }

    /// Run a Django-dependent test: the reference is there, or CI demands it (and the test fails).
    public static var enabled: Bool { python != nil || isCI }

    /// The comment of the `.enabled(if:)` trait: why the test is skipped.
    public static var skipComment: String { "no Django reference: \(unavailableReason)" }

    /// The python, or an error naming why there is none (in CI this fails the test).
    public static func requirePython() throws -> String {
        guard let python else { throw Unavailable(description: "no Django reference: \(unavailableReason)") }
        return python
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Folder of the Python helpers (`Tests/Django`).
    public static var helpers: URL { TestSupport.packageRoot.appendingPathComponent("Tests/Django") }

    public static var script: String { helpers.appendingPathComponent("django_collect.py").path }

    /// Runs the reference collect script (`Tests/Django/django_collect.py`).
    public static func run(_ arguments: [String], python: String) -> TestSupport.ProcessResult {
        TestSupport.run(python, [script] + arguments)
    }

    /// The Django version the venv holds, e.g. `6.1.3`.
    public static func djangoVersion(python: String) -> String {
        TestSupport.run(python, ["-c", "import django; print(django.get_version())"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let state: (python: String?, reason: String?) = make()

    private static func make() -> (python: String?, reason: String?) {
        if let given = ProcessInfo.processInfo.environment["COLLECTSTATIC_DJANGO_PYTHON"], !given.isEmpty {
            if given == "none" { return (nil, "COLLECTSTATIC_DJANGO_PYTHON=none") }
            return (given, nil)
        }
        let python = venv + "/bin/python"
        let check = "import django, whitenoise, brotli, gunicorn; assert django.VERSION[:2] == (6, 1)"
        if TestSupport.run(python, ["-c", check]).status == 0 { return (python, nil) }
        guard let interpreter = pickInterpreter() else {
            return (nil, "no Python 3.12+ found (Django 6.1 needs it; pyenv versions --bare lists none)")
        }
        // One creator at a time; the others wait and then find it ready.
        let requirements = requirements.map { "'\($0)'" }.joined(separator: " ")
        let script = """
            set -e
            if ! \(python) -c '\(check)' 2>/dev/null; then
              [ -x \(python) ] || \(interpreter) -m venv \(venv)
              \(python) -m pip install --quiet --disable-pip-version-check \(requirements)
            fi
            """
        let result = TestSupport.run(
            "/usr/bin/flock", [venv + ".lock", "/bin/sh", "-c", script])
        guard result.status == 0, TestSupport.run(python, ["-c", check]).status == 0 else {
            return (
                nil,
                "cannot make \(venv) with \(interpreter) and pip install \(Self.requirements.joined(separator: " ")) (is PyPI reachable?): \(result.stderr.suffix(400))"
            )
        }
        return (python, nil)
    }

    /// A Python 3.12+ that can make a venv: pyenv's newest, else python3.13/3.12/3 on PATH.
    private static func pickInterpreter() -> String? {
        let versions = TestSupport.shell("pyenv versions --bare 2>/dev/null").stdout
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for version in versions.reversed() {
            let parts = version.split(separator: ".").compactMap { Int($0) }
            if parts.count >= 2, parts[0] == 3, parts[1] >= 12 {
                let command = "PYENV_VERSION=\(version) python\(parts[0]).\(parts[1])"
                if TestSupport.shell("\(command) -c 'import venv'").status == 0 { return command }
            }
        }
        for candidate in ["python3.13", "python3.12", "python3"] {
            let probe = "\(candidate) -c 'import sys, venv; assert sys.version_info >= (3, 12)'"
            if TestSupport.shell(probe).status == 0 { return candidate }
        }
        return nil
    }
}
