import Yams

/// Secrets written into the configuration file instead of read from the environment: they
/// work, but the file then must be guarded as the secrets are (docs/configuration.md: "Keep
/// secrets out of the file: use `${...}` for every password and token"). `check` warns, and
/// `run` logs it at start.
enum SecretsInFile {
    /// Keys whose values are secrets, in any block.
    static let keys: Set<String> = [
        "password", "token", "appsecret", "contactsecret", "aeskey", "encryptkey", "verificationtoken", "clientsecret",
    ]

    /// A warning per secret the file writes out, naming its key path; values never appear.
    static func warnings(_ root: Node, file: String) -> [String] {
        var found: [String] = []
        walk(root, path: "", into: &found)
        return found.map {
            "\(file): \($0) is written in the file: read it from the environment instead (\"${VARIABLE}\"), "
                + "so that the file holds no secret"
        }
    }

    private static func walk(_ node: Node, path: String, into found: inout [String]) {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                let here = path.isEmpty ? name : path + "." + name
                if keys.contains(name.lowercased()), let text = value.string, !text.isEmpty, !text.contains("${"),
                    text != "none"
                {
                    found.append(here)
                }
                walk(value, path: here, into: &found)
            }
        case .sequence(let sequence):
            for (index, element) in sequence.enumerated() { walk(element, path: "\(path)[\(index)]", into: &found) }
        case .scalar, .alias:
            return
        }
    }
}
