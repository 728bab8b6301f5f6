import Testing

@testable import SCIM

/// Client and provider text in a log line: nothing in it can start another line or change
/// how a terminal shows the line.
@Suite struct LogTextTests {
    @Test func controlAndFormatCharactersAreEscaped() {
        #expect(LogText.safe("a\nb\r\tc") == #"a\nb\r\tc"#)
        #expect(LogText.safe("x\u{1B}[31my") == #"x\u{1b}[31my"#)
        #expect(LogText.safe("evil\u{202E}vst.exe") == #"evil\u{202e}vst.exe"#)
        #expect(LogText.safe("Zoë 陈 😀") == "Zoë 陈 😀")
    }

    @Test func longTextIsCut() {
        #expect(LogText.safe(String(repeating: "a", count: 600)) == String(repeating: "a", count: 500) + "…")
        #expect(LogText.safe("abcdef", limit: 3) == "abc…")
    }
}
