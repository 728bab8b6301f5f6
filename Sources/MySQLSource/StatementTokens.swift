/// One token of a MySQL/MariaDB statement, as far as telling which tables a DDL statement
/// touches needs: names and keywords, quoted names, string literals and punctuation.
enum StatementToken: Sendable, Hashable {
    /// An unquoted word: a keyword or a name (digits included, as `t1` or `10`).
    case word(String)
    /// A quoted identifier, unescaped: `` `a``b` `` is `` a`b ``. A double-quoted text is one
    /// too: under `ANSI_QUOTES` it is a name, and where a statement needs a name nothing else
    /// can stand.
    case quoted(String)
    /// A single-quoted string literal; its text never names a table.
    case string
    /// Any other character that is not white space: `.`, `,`, `(`, `)`, `;`, `=` ...
    case symbol(Character)

    /// The keyword, upper-cased, when the token is an unquoted word.
    var keyword: String? {
        if case .word(let word) = self { return word.uppercased() }
        return nil
    }

    /// The name the token spells, quoted or not.
    var name: String? {
        switch self {
        case .word(let word), .quoted(let word): return word
        case .string, .symbol: return nil
        }
    }
}

/// Splits statement text into ``StatementToken``s, dropping white space and comments.
///
/// Comments follow the MariaDB manual ("Comment Syntax"): `# ...` and `-- ...` (two dashes and
/// then white space or a control character) to the end of the line, `/* ... */` anywhere.
/// Executable comments `/*! ... */`, `/*!50001 ... */` and MariaDB's `/*M!100100 ... */` hold
/// code that the server runs ("MariaDB will execute the code within the comment"): their text is
/// read as statement text, whatever the version number says, so that a DDL statement hidden in
/// one is never missed.
func statementTokens(_ text: String) -> [StatementToken] {
    let scalars = Array(text.unicodeScalars)
    var tokens: [StatementToken] = []
    var index = 0
    var inExecutableComment = false

    func at(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    func skipToLineEnd() {
        while index < scalars.count, scalars[index] != "\n" { index += 1 }
    }

    /// Reads a quoted run starting at `index` (on the opening quote) and returns its text: the
    /// quote doubled stands for itself; backslash escapes one character except in backquotes.
    func quotedText(_ quote: Unicode.Scalar) -> String {
        var result = String.UnicodeScalarView()
        index += 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == quote {
                if at(1) == quote {
                    result.append(quote)
                    index += 2
                    continue
                }
                index += 1
                return String(result)
            }
            if scalar == "\\", quote != "`", let next = at(1) {
                result.append(next)
                index += 2
                continue
            }
            result.append(scalar)
            index += 1
        }
        return String(result)
    }

    while index < scalars.count {
        let scalar = scalars[index]
        if scalar.properties.isWhitespace {
            index += 1
        } else if scalar == "#" {
            skipToLineEnd()
        } else if scalar == "-", at(1) == "-", at(2).map({ $0.properties.isWhitespace || $0.value < 0x20 }) ?? true {
            skipToLineEnd()
        } else if scalar == "/", at(1) == "*" {
            if at(2) == "!" || (at(2) == "M" && at(3) == "!") {
                index += at(2) == "!" ? 3 : 4
                while let digit = at(0), ("0"..."9").contains(digit) { index += 1 }
                inExecutableComment = true
            } else {
                index += 2
                while index < scalars.count, !(scalars[index] == "*" && at(1) == "/") { index += 1 }
                index = min(index + 2, scalars.count)
            }
        } else if scalar == "*", at(1) == "/", inExecutableComment {
            inExecutableComment = false
            index += 2
        } else if scalar == "`" || scalar == "\"" {
            tokens.append(.quoted(quotedText(scalar)))
        } else if scalar == "'" {
            _ = quotedText(scalar)
            tokens.append(.string)
        } else if isWordScalar(scalar) {
            var word = String.UnicodeScalarView()
            while index < scalars.count, isWordScalar(scalars[index]) {
                word.append(scalars[index])
                index += 1
            }
            tokens.append(.word(String(word)))
        } else {
            tokens.append(.symbol(Character(scalar)))
            index += 1
        }
    }
    return tokens
}

/// Characters of an unquoted identifier (MariaDB manual, "Identifier Names": ASCII letters,
/// digits, `$` and `_`, and any character from U+0080 on).
private func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "a"..."z", "A"..."Z", "0"..."9", "$", "_": true
    default: scalar.value >= 0x80
    }
}
