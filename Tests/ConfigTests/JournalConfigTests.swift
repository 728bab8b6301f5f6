import Config
import Testing

/// The `journal` block: defaults, each key, and errors that name the key.
@Suite struct JournalConfigTests {
    private func parse(_ extra: String) throws -> ScimsyncConfig {
        try ConfigLoader.parse(ConfigValidationTests.valid + "\n" + extra, file: "scimsync.yaml", environment: ["PW": "secret"])
    }

    @Test func defaultsKeepThirtyDaysOfNamesOnly() throws {
        let journal = try parse("").journal
        #expect(journal == JournalConfig(keepSeconds: 30 * 86_400, maxEntries: 1_000_000, values: false))
    }

    @Test func everyKeyIsRead() throws {
        #expect(try parse("journal: { keep: 7d, maxEntries: 5000, values: true }").journal
            == JournalConfig(keepSeconds: 7 * 86_400, maxEntries: 5000, values: true))
        #expect(try parse("journal: { keep: off }").journal.keepSeconds == nil)
    }

    @Test func mistakesNameTheKey() {
        let errors = ConfigValidationTests().errors(ConfigValidationTests.valid + "\njournal: { keep: soon, maxEntries: 10, value: true }")
        #expect(errors.contains { $0.hasPrefix("scimsync.yaml: journal.keep: expected a duration") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("scimsync.yaml: journal.maxEntries: ") }, "\(errors)")
        #expect(errors.contains { $0.contains("journal: unknown key \"value\" (did you mean \"values\"?)") }, "\(errors)")
    }
}
