/// A location in the configuration tree, printed the way users write it:
/// `pipelines[0].source.layout.users.attributes."emails[type eq \"work\"].value"`.
public struct KeyPath: Sendable, Hashable, CustomStringConvertible {
    private enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    private var components: [Component] = []

    public static let root = KeyPath()

    public func appending(_ key: String) -> KeyPath {
        var copy = self
        copy.components.append(.key(key))
        return copy
    }

    public func appending(index: Int) -> KeyPath {
        var copy = self
        copy.components.append(.index(index))
        return copy
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let i):
                text += "[\(i)]"
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += Self.isBare(key) ? key : Self.quoted(key)
            }
        }
        return text
    }

    /// Keys that read unambiguously without quotes: letters, digits, `_`, `-` and `$`.
    private static func isBare(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", "$": return true
            default: return false
            }
        }
    }

    private static func quoted(_ key: String) -> String {
        var text = "\""
        for character in key {
            switch character {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            default: text.append(character)
            }
        }
        return text + "\""
    }
}
