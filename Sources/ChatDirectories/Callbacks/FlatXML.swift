/// A strict reader of the flat XML WeCom sends (`<xml><ToUserName><![CDATA[…]]></ToUserName>…
/// </xml>`): the root element's children by name, each with its text.
///
/// Written here rather than handed to libxml2 (Foundation's XMLParser) so that what is refused
/// is plain: no DOCTYPE (it could declare entities: external ones read files, nested ones
/// expand without bound), no comments or processing instructions after the XML declaration, no
/// attributes, no entity but the five predefined ones and character references, no name given
/// twice. WeCom's messages need none of those. A child holding elements of its own (a legacy
/// event's `ExtAttr`) is read with its text ignored; nesting is bounded.
enum FlatXML {
    struct Failure: Error, Equatable {
        var reason: String
    }

    /// The root's name and its children's texts by name.
    static func read(_ bytes: [UInt8]) throws(Failure) -> (root: String, fields: [String: String]) {
        var reader = Reader(bytes: bytes)
        return try reader.document()
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        static let maxDepth = 8

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func document() throws(Failure) -> (root: String, fields: [String: String]) {
            if starts(with: [0xEF, 0xBB, 0xBF]) { at += 3 }
            skipSpace()
            if starts(with: "<?xml") {
                guard let end = find("?>") else { throw Failure(reason: "the XML declaration is not closed") }
                at = end + 2
                skipSpace()
            }
            var fields: [String: String] = [:]
            let root = try element(depth: 0, fields: &fields)
            skipSpace()
            guard at == bytes.count else { throw Failure(reason: "content follows the root element") }
            return (root.name, fields)
        }

        /// One element from its `<`: its name and text; at depth 0 its children go in `fields`.
        mutating func element(depth: Int, fields: inout [String: String]) throws(Failure) -> (name: String, text: String) {
            guard depth < Self.maxDepth else { throw Failure(reason: "elements nest deeper than \(Self.maxDepth)") }
            try refuseMarkup()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "<") else { throw Failure(reason: "expected an element") }
            at += 1
            let name = try readName()
            skipSpace()
            if starts(with: "/>") {
                at += 2
                return (name, "")
            }
            guard at < bytes.count, bytes[at] == UInt8(ascii: ">") else {
                throw Failure(reason: "element \(PlatformText.safe(name)) has attributes or is not closed")
            }
            at += 1
            var text: [UInt8] = []
            var hasChildren = false
            while true {
                guard at < bytes.count else { throw Failure(reason: "element \(PlatformText.safe(name)) is not closed") }
                if starts(with: "</") {
                    at += 2
                    let closing = try readName()
                    skipSpace()
                    guard closing == name, at < bytes.count, bytes[at] == UInt8(ascii: ">") else {
                        throw Failure(reason: "element \(PlatformText.safe(name)) is closed by another")
                    }
                    at += 1
                    break
                } else if starts(with: "<![CDATA[") {
                    at += 9
                    guard let end = find("]]>") else { throw Failure(reason: "a CDATA section is not closed") }
                    text += bytes[at..<end]
                    at = end + 3
                } else if bytes[at] == UInt8(ascii: "<") {
                    hasChildren = true
                    var nested: [String: String] = [:]
                    let child = try element(depth: depth + 1, fields: &nested)
                    if depth == 0 {
                        guard fields[child.name] == nil else {
                            throw Failure(reason: "element \(PlatformText.safe(child.name)) is given twice")
                        }
                        fields[child.name] = child.text
                    }
                } else if bytes[at] == UInt8(ascii: "&") {
                    text += try reference()
                } else {
                    text.append(bytes[at])
                    at += 1
                }
            }
            guard let decoded = String(validating: text, as: UTF8.self) else {
                throw Failure(reason: "element \(PlatformText.safe(name)) is not UTF-8")
            }
            if hasChildren {
                guard decoded.allSatisfy(\.isWhitespace) else {
                    throw Failure(reason: "element \(PlatformText.safe(name)) mixes text and elements")
                }
                return (name, "")
            }
            return (name, decoded)
        }

        /// `<!DOCTYPE`, `<!ENTITY`, comments and processing instructions: refused.
        func refuseMarkup() throws(Failure) {
            if starts(with: "<!DOCTYPE") || starts(with: "<!doctype") {
                throw Failure(reason: "the XML has a DOCTYPE (refused: it could declare entities)")
            }
            if starts(with: "<!") || starts(with: "<?") {
                throw Failure(reason: "the XML has a declaration, comment or processing instruction inside")
            }
        }

        mutating func readName() throws(Failure) -> String {
            try refuseMarkup()
            let start = at
            while at < bytes.count, at - start < 64, Self.isNameByte(bytes[at]) { at += 1 }
            guard at > start, at < bytes.count, !Self.isNameByte(bytes[at]) else {
                throw Failure(reason: "an element's name is empty, too long or not ASCII")
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#N;` `&#xN;`; any other is refused.
        mutating func reference() throws(Failure) -> [UInt8] {
            guard let end = bytes[at..<min(bytes.count, at + 12)].firstIndex(of: UInt8(ascii: ";")) else {
                throw Failure(reason: "an entity reference is not closed")
            }
            let name = String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
            at = end + 1
            switch name {
            case "lt": return Array("<".utf8)
            case "gt": return Array(">".utf8)
            case "amp": return Array("&".utf8)
            case "quot": return Array("\"".utf8)
            case "apos": return Array("'".utf8)
            default:
                let number: UInt32? =
                    name.hasPrefix("#x") ? UInt32(name.dropFirst(2), radix: 16) : name.hasPrefix("#") ? UInt32(name.dropFirst()) : nil
                guard let number, let scalar = Unicode.Scalar(number), number != 0 else {
                    throw Failure(reason: "the XML refers to an entity other than the predefined ones")
                }
                return Array(String(Character(scalar)).utf8)
            }
        }

        static func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        func starts(with text: String) -> Bool { starts(with: Array(text.utf8)) }

        func starts(with prefix: [UInt8]) -> Bool {
            bytes.count - at >= prefix.count && bytes[at..<(at + prefix.count)].elementsEqual(prefix)
        }

        func find(_ text: String) -> Int? {
            let needle = Array(text.utf8)
            var index = at
            while index + needle.count <= bytes.count {
                if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
                index += 1
            }
            return nil
        }
    }
}
