import Foundation
import SCIM
import Testing

@testable import FeedSource

@Suite struct TrimmingTests {
    /// The blanks trimmed are Foundation's `CharacterSet.whitespaces` (tab and Zs), never a
    /// line break or other text: the same as before the native version.
    @Test(arguments: [
        "ann", "  ann", "ann\t", " \t ann \u{00A0}", "\u{3000}ann\u{2003}", "a n n", "", "   ", "\nann\n", "\u{00A0}",
        "jos\u{0065}\u{0301} ", "\u{1F600} ",
    ])
    func trimsWhatFoundationTrims(_ text: String) {
        #expect(text.trimmingBlanks() == text.trimmingCharacters(in: .whitespaces))
        #expect(Substring(text).trimmingBlanks() == text.trimmingCharacters(in: .whitespaces))
    }

    @Test func aStoredResourceIsParsedOnlyWhenRead() throws {
        let resource = SCIMResource(["userName": .string("ann"), "title": .string("Engineer")])
        let stored = StoredResource(json: resource.attributes.jsonString())
        #expect(stored.resource == resource)
        #expect(stored.json == resource.attributes.jsonString())
        #expect(StoredResource(json: "not json").resource == nil)
        #expect(StoredResource(nil).json == nil)
    }

    @Test func usersCompareByTheirResourceWhetherParsedOrStored() {
        let resource = SCIMResource(["userName": .string("ann")])
        var parsed = KnownUser(
            key: "ann", userName: "ann", id: "ann", owned: true, inFeed: true, digest: "d", resource: resource,
            groups: ["staff"], rawJSON: "{}", lastChangedRun: 1, error: false)
        var stored = parsed
        stored.storedResource = StoredResource(json: resource.attributes.jsonString())
        #expect(parsed == stored)
        #expect(parsed.hashValue == stored.hashValue)
        parsed.resource = SCIMResource(["userName": .string("bob")])
        #expect(parsed != stored)
    }
}
