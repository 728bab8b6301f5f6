import SCIM
import Testing

// Hostile filters: deep nesting and long chains must be refused with a parse error (a 400
// `invalidFilter`) before anything recurses over them, and filters within the limits parse.

private func refusal(_ text: String) -> FilterParseError? {
    do {
        _ = try Filter.parse(text)
        return nil
    } catch {
        return error
    }
}

private func comparisons(_ count: Int, joinedBy keyword: String) -> String {
    (0..<count).map { #"userName eq "u\#($0)""# }.joined(separator: " \(keyword) ")
}

@Test(arguments: [2_000, 20_000])
func deeplyNestedParenthesesAreRefused(depth: Int) throws {
    let text = String(repeating: "(", count: depth) + #"userName eq "x""# + String(repeating: ")", count: depth)
    let error = try #require(refusal(text))
    #expect(error.offset == Filter.maxNesting)
    #expect(error.description.contains("at most \(Filter.maxNesting) nested groups"))
}

@Test func deeplyNestedNotIsRefused() throws {
    let text = String(repeating: "not (", count: 2_000) + #"userName eq "x""# + String(repeating: ")", count: 2_000)
    let error = try #require(refusal(text))
    #expect(error.description.contains("nested groups"))
}

@Test(arguments: ["or", "and"])
func longChainsAreRefused(keyword: String) throws {
    let error = try #require(refusal(comparisons(2_000, joinedBy: keyword)))
    #expect(error.description.contains("at most \(Filter.maxComparisons) comparisons"))
    #expect(error.description.contains("comparison number \(Filter.maxComparisons + 1)"))
}

@Test func filtersAtTheLimitsParse() throws {
    let nested = String(repeating: "not (", count: Filter.maxNesting) + #"userName eq "x""#
        + String(repeating: ")", count: Filter.maxNesting)
    var filter = try Filter.parse(nested)
    for _ in 0..<Filter.maxNesting {
        guard case .not(let inner) = filter else {
            Issue.record("expected \(Filter.maxNesting) nots, got \(filter)")
            return
        }
        filter = inner
    }
    #expect(filter == .compare(AttributePath(attribute: "userName"), .eq, .string("x")))

    let chain = try Filter.parse(comparisons(Filter.maxComparisons, joinedBy: "or"))
    #expect(chain.description.contains(#"u\#(Filter.maxComparisons - 1)""#))
}

@Test func siblingGroupsDoNotAddUp() throws {
    // Nesting counts open groups, not groups seen: many groups side by side are fine.
    let text = (0..<100).map { #"(userName eq "u\#($0)")"# }.joined(separator: " or ")
    #expect(refusal(text) == nil)
}

@Test func valueFilterBracketsCountAsNesting() throws {
    let inner = String(repeating: "(", count: Filter.maxNesting) + #"type eq "work""#
        + String(repeating: ")", count: Filter.maxNesting)
    let error = try #require(refusal("emails[\(inner)]"))
    #expect(error.description.contains("nested groups"))
    do {
        _ = try AttributePath.parse("emails[\(inner)].value")
        Issue.record("a PATCH path nested beyond the limit parsed")
    } catch {
        #expect(error.subject == .path)
    }
}
