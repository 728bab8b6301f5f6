import Directory
import Testing

@Suite struct DidYouMeanTests {
    static let columns = ["id", "username", "first_name", "last_name", "email", "is_active", "group_id"]

    @Test func suggestsTheClosestName() {
        #expect(didYouMean("emial", among: Self.columns) == "email")
        #expect(didYouMean("usrname", among: Self.columns) == "username")
        #expect(didYouMean("firstname", among: Self.columns) == "first_name")
        #expect(didYouMean("groupid", among: Self.columns) == "group_id")
        #expect(didYouMean("sync_user", among: ["sync_groups", "sync_users", "sync_users_groups_rel"]) == "sync_users")
    }

    @Test func ignoresCase() {
        #expect(didYouMean("EMIAL", among: Self.columns) == "email")
        #expect(didYouMean("Email", among: Self.columns) == "email")
    }

    @Test func suggestsNothingWhenNothingIsClose() {
        #expect(didYouMean("enabled", among: Self.columns) == nil)
        #expect(didYouMean("xy", among: Self.columns) == nil)
        #expect(didYouMean("email", among: []) == nil)
        // The word itself is no suggestion.
        #expect(didYouMean("email", among: ["email"]) == nil)
    }

    @Test func theLimitGrowsWithTheWord() {
        // By the longer name: one edit up to four characters, two up to eight, three beyond.
        #expect(didYouMean("ie", among: ["id"]) == "id")
        #expect(didYouMean("ixx", among: ["id"]) == nil)
        #expect(didYouMean("emaxx", among: ["email"]) == "email")
        #expect(didYouMean("usernxxx", among: ["username"]) == nil)
        #expect(didYouMean("last_nxxx", among: ["last_name"]) == "last_name")
        #expect(didYouMean("parent", among: ["parent_id"]) == "parent_id")
        #expect(didYouMean("name", among: ["username"]) == nil)
    }

    @Test func theFirstOfEquallyCloseCandidatesWins() {
        #expect(didYouMean("cat", among: ["bat", "hat"]) == "bat")
        #expect(didYouMean("cat", among: ["hat", "bat"]) == "hat")
        #expect(didYouMean("cat", among: ["hat", "cart"]) == "hat")
        #expect(didYouMean("cat", among: ["cart", "hat", "ca"]) == "cart")
    }
}
