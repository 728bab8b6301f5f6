import PropertyBased
import Testing

@testable import SCIM

@Suite struct JSONPropertyTests {
    @Test func writeThenParseGivesTheSameValue() async {
        await propertyCheck(count: 500, input: Generators.jsonValue) { value throws in
            #expect(try SCIMValue(json: value.jsonBytes()) == value)
            #expect(try SCIMValue(json: value.jsonString(pretty: true)) == value)
        }
    }

    @Test func writingIsStable() async {
        await propertyCheck(count: 200, input: Generators.jsonValue) { value throws in
            let once = value.jsonString()
            #expect(try SCIMValue(json: once).jsonString() == once)
        }
    }
}
