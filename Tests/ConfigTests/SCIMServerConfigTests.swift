import Config
import Testing

/// The `scim:` block of `scimsync serve`.
@Suite struct SCIMServerConfigTests {
    func config(_ extra: String, token: String = #""${T}""#) throws(ConfigError) -> SCIMServerConfig? {
        let text = """
            scim:
              token: \(token)
            \(extra)
              sqlite: { path: /tmp/dir.db }
              layout:
                users: { table: users, attributes: { id: id, userName: login } }
            """
        return try ConfigLoader.parse(
            text, file: "serve.yaml", environment: ["T": "0123456789abcdef0123", "NONE": "none"]
        ).scim
    }

    func errors(_ extra: String, token: String = #""${T}""#) -> [String] {
        do {
            _ = try config(extra, token: token)
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func defaults() throws {
        let scim = try #require(try config(""))
        #expect(scim.token == "0123456789abcdef0123")
        #expect(scim.basePath == "/scim/v2")
        #expect(scim.maxPageSize == 1000)
        #expect(scim.maxBodyBytes == 10 << 20)
        #expect(scim.port == 8080)
        #expect(scim.host == "127.0.0.1")
    }

    @Test func keysAreRead() throws {
        let scim = try #require(try config("  basePath: scim/\n  maxPageSize: 50\n  maxBodySize: 512KiB\n  port: 9000"))
        #expect(scim.basePath == "/scim")
        #expect(scim.maxPageSize == 50)
        #expect(scim.maxBodyBytes == 512 << 10)
        #expect(scim.port == 9000)
        #expect(try config("  basePath: /")?.basePath == "")
    }

    @Test func authenticationIsOffOnlyWhenWrittenDown() throws {
        #expect(try config("", token: "none")?.token == nil)
        #expect(try config("", token: #""none""#)?.token == nil)
        #expect(errors("", token: "short") == [#"serve.yaml: scim.token: is too short to be a secret; use at least 16 characters"#])
    }

    @Test(arguments: [#""${NONE}""#, #""${UNSET:-none}""#])
    func theEnvironmentCannotTurnAuthenticationOff(token: String) {
        #expect(
            errors("", token: token) == [
                #"serve.yaml: scim.token: the environment made the token "none": only `token: none` written in the file turns authentication off; set the variable to a secret of at least 16 characters"#
            ])
    }

    @Test func checkWarnsAboutNoAuthenticationAndLoudlyBeyondLoopback() throws {
        #expect(try config("")?.authenticationWarning == nil)
        let local = try #require(try config("", token: "none")?.authenticationWarning)
        #expect(local.hasPrefix("scim.token is none: the SCIM server answers every request without authentication"))
        let open = try #require(try config("  host: 0.0.0.0", token: "none")?.authenticationWarning)
        #expect(open.hasPrefix("SCIM SERVER WITHOUT AUTHENTICATION: scim.token is none and scim.host is 0.0.0.0"))
        #expect(open.contains("anyone who can reach port 8080"))
    }

    @Test func badValuesNameTheKey() {
        #expect(errors("  basePath: /a b") == [#"serve.yaml: scim.basePath: expected a URL path such as /scim/v2 (letters, digits, "/", "-", "_", "."); found "/a b""#])
        #expect(errors("  basePath: /../x").count == 1)
        #expect(errors("  maxPageSize: 0") == [#"serve.yaml: scim.maxPageSize: expected a whole number from 1 to 100000, found "0""#])
        #expect(errors("  maxBodySize: 10 elephants") == ["serve.yaml: scim.maxBodySize: expected a size such as 10MiB or 512KiB, from 1KiB to 1GiB"])
        #expect(errors("  maxBodySize: 2GiB").count == 1)
    }
}
