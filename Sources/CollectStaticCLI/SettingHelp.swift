import ArgumentParser
import CollectStatic

/// A setting's flag and help text as ArgumentParser wants them, generated from the table in
/// `Setting.swift`: the flag name(s), the meaning, the environment variable and the default. A new
/// setting appears in `--help` by adding its table entry and the `@Option`/`@Flag` property that
/// uses these.
extension Setting {
    /// `--static-root`, and `-v` for the settings Django also spells with one letter.
    var argumentName: NameSpecification {
        let long = String(flag.dropFirst(2))
        guard let shortFlag else { return [.customLong(long)] }
        return [.customShort(shortFlag), .customLong(long)]
    }

    /// True for a boolean whose flag turns it off (`--no-compress` sets COLLECTSTATIC_COMPRESS=false).
    var flagTurnsOff: Bool { kind == .boolean && flag.hasPrefix("--no-") }

    /// `Destination folder… [env: STATIC_ROOT] [default: staticfiles]`.
    func argumentHelp(valueName: String? = nil) -> ArgumentHelp {
        var text = help
        if flagTurnsOff { text = "Turn off: " + text.prefix(1).lowercased() + text.dropFirst() }
        let env = kind == .boolean ? "\(name)=\(flagTurnsOff ? "false" : "true")" : name
        text += " [env: \(env)]"
        if kind == .boolean {
            text += " [default: \(defaultValue)]"
        } else {
            text += " [default: \(defaultValue.isEmpty ? "none" : defaultValue)]"
        }
        return ArgumentHelp(text, valueName: valueName ?? defaultValueName)
    }

    private var defaultValueName: String? {
        switch kind {
        case .path: "path"
        case .pathList: "[prefix=]path"
        case .integer: "n"
        case .list: "list"
        case .string: "value"
        case .boolean: nil
        }
    }
}

extension Setting.Group {
    /// Section title in `--help`.
    var title: String {
        switch self {
        case .django: "Django's options"
        case .general: "Settings"
        case .compression: "Compression"
        case .releases: "Releases"
        }
    }
}
