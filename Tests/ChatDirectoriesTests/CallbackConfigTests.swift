import ChatDirectories
import Config
import Testing

/// The sources' `callback:` blocks: secrets from the environment only, AES keys of the right
/// shape, and never a secret in a description or an error.
@Suite struct CallbackConfigTests {
    let environment = [
        "APP_SECRET": "app-s3cret", "CB_TOKEN": "cb-t0ken-value", "CB_KEY": CallbackVectors.aesKey, "BAD_KEY": "short-key-value",
        "FS_TOKEN": "fs-t0ken-value", "FS_KEY": "fs-encrypt-key-value",
    ]
    let secrets = ["app-s3cret", "cb-t0ken-value", CallbackVectors.aesKey, "short-key-value", "fs-t0ken-value", "fs-encrypt-key-value"]

    func load(_ kind: String, _ block: String) -> (KindSettingsResult, String) {
        let kinds = [DingTalkSourceConfig.configKind, WeComSourceConfig.configKind, FeishuSourceConfig.configKind]
        let text = """
            pipelines:
              - name: p
                source:
                  \(kind):
            \(block.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
                target:
                  sqlite: { path: t.db }
                  layout:
                    users: { table: u, attributes: { id: id, userName: login } }
            """
        do {
            let config = try ConfigLoader.parse(text, file: "f.yaml", kinds: kinds, environment: environment)
            return (KindSettingsResult(source: config.pipelines[0].source), "")
        } catch {
            return (KindSettingsResult(source: nil), "\(error)")
        }
    }

    func expectNoSecret(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets where text.contains(secret) {
            Issue.record("\(secret) printed in \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func dingTalk() throws {
        let base = "appKey: dingx\nappSecret: \"${APP_SECRET}\"\n"
        let (loaded, errors) = load("dingtalk", base + "callback: { token: \"${CB_TOKEN}\", aesKey: \"${CB_KEY}\" }")
        #expect(errors == "")
        let config = try #require(loaded.source?.settings(DingTalkSourceConfig.self))
        #expect(config.callback == DingTalkCallbackConfig(token: "cb-t0ken-value", aesKey: CallbackVectors.aesKey))
        expectNoSecret("\(config) \(String(reflecting: config)) \(config.callback!) \(String(reflecting: config.callback!))")
        #expect(DingTalkCallbackEndpoint(config: config.callback!, appKey: config.appKey) != nil)
        #expect(try #require(load("dingtalk", base).0.source?.settings(DingTalkSourceConfig.self)).callback == nil)

        let literal = load("dingtalk", base + "callback: { token: literal-token, aesKey: \"${CB_KEY}\" }").1
        #expect(literal.contains("pipelines[0].source.dingtalk.callback.token: give the secret through the environment"), "\(literal)")
        #expect(!literal.contains("literal-token"))
        let badKey = load("dingtalk", base + "callback: { token: \"${CB_TOKEN}\", aesKey: \"${BAD_KEY}\" }").1
        #expect(badKey.contains("pipelines[0].source.dingtalk.callback.aesKey: is not an EncodingAESKey"), "\(badKey)")
        expectNoSecret(badKey)
        let missing = load("dingtalk", base + "callback: { token: \"${CB_TOKEN}\" }").1
        #expect(missing.contains("pipelines[0].source.dingtalk.callback: missing \"aesKey\""), "\(missing)")
        #expect(load("dingtalk", base + "callback: { token: \"${CB_TOKEN}\", aesKey: \"${CB_KEY}\", x: 1 }").1.contains("callback: unknown key \"x\""))
    }

    @Test func weCom() throws {
        let base = "corpId: ww1\nappSecret: \"${APP_SECRET}\"\n"
        let (loaded, errors) = load("wecom", base + "callback: { token: \"${CB_TOKEN}\", encodingAESKey: \"${CB_KEY}\" }")
        #expect(errors == "")
        let config = try #require(loaded.source?.settings(WeComSourceConfig.self))
        #expect(config.callback == WeComCallbackConfig(token: "cb-t0ken-value", encodingAESKey: CallbackVectors.aesKey))
        expectNoSecret("\(config) \(String(reflecting: config)) \(config.callback!) \(String(reflecting: config.callback!))")
        let badKey = load("wecom", base + "callback: { token: \"${CB_TOKEN}\", encodingAESKey: \"${BAD_KEY}\" }").1
        #expect(badKey.contains("pipelines[0].source.wecom.callback.encodingAESKey: is not an EncodingAESKey"), "\(badKey)")
        expectNoSecret(badKey)
    }

    @Test func feishu() throws {
        let base = "appId: cli_x\nappSecret: \"${APP_SECRET}\"\n"
        let (loaded, errors) = load("feishu", base + "callback: { verificationToken: \"${FS_TOKEN}\", encryptKey: \"${FS_KEY}\" }")
        #expect(errors == "")
        let config = try #require(loaded.source?.settings(FeishuSourceConfig.self))
        #expect(config.callback == FeishuCallbackConfig(verificationToken: "fs-t0ken-value", encryptKey: "fs-encrypt-key-value"))
        expectNoSecret("\(config) \(String(reflecting: config)) \(config.callback!) \(String(reflecting: config.callback!))")
        let clear = try #require(
            load("feishu", base + "callback: { verificationToken: \"${FS_TOKEN}\" }").0.source?.settings(FeishuSourceConfig.self))
        #expect(clear.callback == FeishuCallbackConfig(verificationToken: "fs-t0ken-value"))
        let literal = load("feishu", base + "callback: { verificationToken: \"${FS_TOKEN}\", encryptKey: in-the-file }").1
        #expect(literal.contains("pipelines[0].source.feishu.callback.encryptKey: give the secret through the environment"), "\(literal)")
        #expect(!literal.contains("in-the-file"))
    }
}

/// A loaded source, or nil when loading failed.
struct KindSettingsResult {
    var source: PipelineSource?
}
