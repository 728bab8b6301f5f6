extension StringProtocol {
    /// The text without leading and trailing blanks: tabs and Unicode's space separators
    /// (category Zs), the set Foundation's `CharacterSet.whitespaces` names. Without
    /// Foundation's bridging, which costs more than the rest of mapping a record.
    func trimmingBlanks() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isBlank }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isBlank })!
        if first == scalars.startIndex, last == scalars.index(before: scalars.endIndex) { return String(self) }
        var trimmed = String.UnicodeScalarView()
        trimmed.append(contentsOf: scalars[first...last])
        return String(trimmed)
    }
}

extension Unicode.Scalar {
    /// A tab or a space separator (Zs).
    var isBlank: Bool {
        if isASCII { return self == " " || self == "\t" }
        return properties.generalCategory == .spaceSeparator
    }
}
