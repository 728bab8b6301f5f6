import Config
import Testing

@Suite struct EnvironmentExpansionTests {
    func load(_ value: String, _ environment: [String: String]) throws -> String {
        let text = """
            scim:
              token: "\(value)"
              sqlite: { path: /tmp/d.db }
              layout: { users: { table: u, attributes: { id: id } } }
            """
        return try ConfigLoader.parse(text, file: "f", environment: environment).scim?.token ?? ""
    }

    @Test func expandsVariablesInsideText() throws {
        #expect(try load("pre-${A}-${B}-post-0123456789", ["A": "1", "B": "two"]) == "pre-1-two-post-0123456789")
    }

    @Test func fallbackWhenUnset() throws {
        #expect(try load("${UNSET:-fallback-0123456789}", [:]) == "fallback-0123456789")
        #expect(try load("${SET:-fallback-0123456789}", ["SET": "from-environment-01"]) == "from-environment-01")
    }

    @Test func dollarDollarIsALiteralDollar() throws {
        #expect(try load("$${NOT_A_VAR}0123456789", [:]) == "${NOT_A_VAR}0123456789")
        #expect(try load("a$b-0123456789abcdef", [:]) == "a$b-0123456789abcdef")
    }

    @Test func malformedReferences() {
        #expect(throws: ConfigError.self) { try load("${UNCLOSED-0123456789", [:]) }
        #expect {
            try load("${1BAD}0123456789abcdef", [:])
        } throws: { error in
            "\(error)" == #"f: scim.token: "${1BAD}" is not a variable name (letters, digits and _; write $$ for a literal $)"#
        }
    }

    @Test func valuesAreExpandedAfterYAMLParsing() throws {
        // A secret containing YAML syntax must not change the file's structure.
        #expect(try load("${T}", ["T": "a: b, {c}: [d] # e 0123456789"]) == "a: b, {c}: [d] # e 0123456789")
    }
}
