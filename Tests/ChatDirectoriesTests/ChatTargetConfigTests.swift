import ChatDirectories
import Config
import Logging
import TargetKinds
import Testing

/// Each chat platform's target block (`dingtalk`, `wecom`, `feishu`): its mistakes are reported
/// with the file and their key paths, never with a secret; its secrets come from the
/// environment; the registry opens its connector; its user ids are the source ids where valid.
/// Each platform's example and its own keys: <Platform>TargetConfigTests.
@Suite struct ChatTargetConfigTests {
    /// The environment the blocks' secrets come from: `${APPSECRET}` and the like.
    static let environment = ["APPSECRET": "app-s3cret", "CONTACTSECRET": "contact-s3cret", "PW": "pw"]

    /// The block's lines naming the app and taking each secret from the environment.
    static func secretLines(_ platform: ChatTargetPlatform, except left: String? = nil) -> [String] {
        let block = platform.fixture.configBlock
        return [block.appLine] + block.secretKeys.filter { $0 != left }.map { "\($0): \"${\($0.uppercased())}\"" }
    }

    /// A pipeline of a MySQL source into the platform's block of `lines`.
    static func text(_ platform: ChatTargetPlatform, _ lines: [String], onDelete: String? = nil) -> String {
        """
        pipelines:
          - name: p
            source:
              mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
              layout:
                users: { table: u, attributes: { id: id, displayName: name } }
            target:
              \(platform.fixture.kind):
        \(lines.map { "        " + $0 }.joined(separator: "\n"))
        \(onDelete.map { "    onDelete: \($0)" } ?? "")
        """
    }

    /// What loading the pipeline of `lines` reports; "" when it loads.
    static func issues(_ platform: ChatTargetPlatform, _ lines: [String]) -> String {
        do {
            _ = try ConfigLoader.parse(
                text(platform, lines), file: "f.yaml", kinds: [platform.fixture.configKind], environment: environment)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: ChatTargetPlatform.allCases)
    func theSecretsComeFromTheEnvironment(_ platform: ChatTargetPlatform) {
        let block = "pipelines[0].target.\(platform.fixture.kind)"
        #expect(Self.issues(platform, Self.secretLines(platform)) == "")
        for key in platform.fixture.configBlock.secretKeys {
            let written = Self.issues(platform, Self.secretLines(platform, except: key) + ["\(key): plain-secret-in-file"])
            #expect(written.contains("f.yaml"), "\(written)")
            #expect(written.contains("\(block).\(key): give the secret through the environment"), "\(written)")
            #expect(!written.contains("plain-secret-in-file"))
            let missing = Self.issues(platform, Self.secretLines(platform, except: key))
            #expect(missing.contains("\(block): missing \"\(key)\""), "\(missing)")
        }
    }

    @Test(arguments: ChatTargetPlatform.allCases)
    func keysAndFieldsAreChecked(_ platform: ChatTargetPlatform) {
        let block = "pipelines[0].target.\(platform.fixture.kind)"
        let config = platform.fixture.configBlock
        func issues(_ lines: String) -> String {
            Self.issues(platform, Self.secretLines(platform) + lines.split(separator: "\n").map(String.init))
        }
        let unknownKey = issues("defaultDept: 3")
        #expect(unknownKey.contains(block), "\(unknownKey)")
        #expect(unknownKey.contains("defaultDepartment"), "\(unknownKey)")
        let field = issues("attributes: { users: { displayName: name, userName: \(config.userIDField) } }")
        #expect(
            field.contains("\(block).attributes.users.userName: not a \(config.userFieldNoun) field scimsync writes"), "\(field)")
        let noName = issues("attributes: { groups: { description: name2 } }")
        #expect(noName.contains("\(block).attributes.groups"), "\(noName)")
        let nameless = issues("attributes: { users: { title: \(config.titleField) } }")
        #expect(nameless.contains("map a SCIM attribute to name"), "\(nameless)")
        let twice = issues("attributes: { users: { displayName: name, name.formatted: name } }")
        #expect(twice.contains("name is written from one SCIM attribute only"), "\(twice)")
        let department = issues("defaultDepartment: \(config.invalidDefaultDepartment.value)")
        #expect(department.contains("\(block).defaultDepartment\(config.invalidDefaultDepartment.says)"), "\(department)")
        #expect(issues(config.validOptions) == "")
    }

    /// A target kind of its own: the registry opens the platform's connector for the block,
    /// also under `onDelete: deactivate` (with what the platform needs for it).
    @Test(arguments: ChatTargetPlatform.allCases)
    func theRegistryOpensItUnderDeactivate(_ platform: ChatTargetPlatform) throws {
        let lines = Self.secretLines(platform) + platform.fixture.configBlock.deactivateNeeds
        let config = try ConfigLoader.parse(
            Self.text(platform, lines, onDelete: "deactivate"), file: "f.yaml", kinds: [platform.fixture.configKind],
            environment: Self.environment)
        let pipeline = try #require(config.pipelines.first)
        let connector = try TargetKinds.registry.connector(for: pipeline, store: nil, logger: Logger(label: "test"))
        let isPlatforms = platform.fixture.isConnector(connector)
        #expect(isPlatforms, "\(type(of: connector))")
    }

    @Test(arguments: ChatTargetPlatform.allCases)
    func userIDsAreTheSourceIDsWhenValid(_ platform: ChatTargetPlatform) {
        let userID = platform.fixture.userID(forSourceID:)
        let isValid = platform.fixture.isValidUserID
        #expect(userID("alice.chen@corp") == "alice.chen@corp")
        let mapped = userID("bob smith")
        #expect(mapped.count == 41 && mapped.hasPrefix("s") && isValid(mapped))
        #expect(userID("bob smith") == mapped)
        #expect(!isValid(String(repeating: "a", count: 65)) && !isValid("张三"))
    }
}
