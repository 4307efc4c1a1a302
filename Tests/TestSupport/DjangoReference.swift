import Foundation

/// A Python with Django (6.1 on Python 3.12+, else 5.2 LTS on the default python3) in a throwaway
/// virtualenv, created on first use and reused by later runs on the same machine. Tests compare our
/// output with what Django's own collectstatic writes.
public enum DjangoReference {
    /// Path of the virtualenv's python, or nil (with the reason printed) when Django cannot be installed
    /// because PyPI cannot be reached.
    public static let python: String? = makePython()

    /// Set when the reference is unavailable: why.
    public nonisolated(unsafe) static var unavailableReason: String?

    public static var script: String {
        TestSupport.packageRoot.appendingPathComponent("Tests/Django/django_collect.py").path
    }

    private static func makePython() -> String? {
        if let given = ProcessInfo.processInfo.environment["COLLECTSTATIC_DJANGO_PYTHON"], !given.isEmpty {
            guard given != "none" else {
                unavailableReason = "COLLECTSTATIC_DJANGO_PYTHON=none"
                return nil
            }
            return given
        }
        let (interpreter, requirement, note) = pickInterpreter()
        let venv = "/tmp/collectstatic-django-venv-" + (requirement.contains("6.1") ? "6.1" : "5.2")
        let python = venv + "/bin/python"
        if TestSupport.run(python, ["-c", "import django, brotli, whitenoise"]).status == 0 { return python }
        if let note { print("note: \(note)") }
        let create = TestSupport.shell("\(interpreter) -m venv \(venv)")
        guard create.status == 0 else {
            unavailableReason = "cannot create a virtualenv with \(interpreter): \(create.stderr)"
            print("Django reference unavailable: \(unavailableReason!)")
            return nil
        }
        let install = TestSupport.run(
            python,
            ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement, "whitenoise", "brotli"])
        guard install.status == 0 else {
            unavailableReason =
                "pip could not install \(requirement) (is PyPI reachable?): \(install.stderr.suffix(400))"
            print("SKIPPED Django comparison: \(unavailableReason!)")
            return nil
        }
        return python
    }

    /// Django 6.1 needs Python 3.12 or newer; pyenv has it on this machine image.
    private static func pickInterpreter() -> (command: String, requirement: String, note: String?) {
        let versions = TestSupport.shell("pyenv versions --bare 2>/dev/null").stdout
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for version in versions.reversed() {
            let parts = version.split(separator: ".").compactMap { Int($0) }
            if parts.count >= 2, parts[0] == 3, parts[1] >= 12 {
                let command = "PYENV_VERSION=\(version) python\(parts[0]).\(parts[1])"
                if TestSupport.shell("\(command) -c 'import venv'").status == 0 {
                    return (command, "django>=6.1,<6.2", nil)
                }
            }
        }
        for candidate in ["python3.13", "python3.12"]
        where TestSupport.shell("\(candidate) -c 'import venv'").status == 0 {
            return (candidate, "django>=6.1,<6.2", nil)
        }
        return ("python3", "django>=5.2,<5.3", "no Python 3.12+ found; comparing against Django 5.2 LTS on python3")
    }

    /// Runs the reference script; returns stdout, or nil with the failure printed.
    public static func run(_ arguments: [String], python: String) -> TestSupport.ProcessResult {
        TestSupport.run(python, [script] + arguments)
    }
}
