import ChatDirectories
import Testing

/// Names and messages from a platform are escaped and cut before a log line holds them.
@Suite struct PlatformTextTests {
    @Test func controlAndFormatCharactersAreEscaped() {
        #expect(PlatformText.safe("销售部\nFAKE log line\tx") == "销售部\\nFAKE log line\\tx")
        // A right-to-left override would make the rest of the line read backwards.
        #expect(PlatformText.safe("admin\u{202E}gpj.exe") == "admin\\u{202e}gpj.exe")
        #expect(PlatformText.safe("a\u{0}b\u{7F}c\u{200B}d") == "a\\u{0}b\\u{7f}c\\u{200b}d")
        #expect(PlatformText.safe(#"back\slash "quoted""#) == #"back\\slash "quoted""#)
        #expect(PlatformText.safe("Zoë 李雷 🙂") == "Zoë 李雷 🙂")
    }

    @Test func longTextIsCut() {
        let long = String(repeating: "名", count: 500)
        let safe = PlatformText.safe(long)
        #expect(safe.unicodeScalars.count == PlatformText.defaultLimit + 1 && safe.hasSuffix("…"))
        #expect(PlatformText.safe("abcdef", limit: 3) == "abc…")
        #expect(PlatformText.safe("abc", limit: 3) == "abc")
    }
}
