import SCIM
import SCIMClient
import Testing

@Test func aProvidersDetailIsEscapedAndCutInDescriptions() {
    let detail = "bad request\nlevel=info msg=\"forged line\" " + String(repeating: "x", count: 5_000)
    let error = SCIMClientError.provider(
        request: "POST /Users", status: 400, error: SCIMError(status: 400, scimType: .invalidValue, detail: detail), attempts: 1)
    let text = error.description
    #expect(!text.contains("\n"))
    #expect(text.contains(#"bad request\nlevel=info"#))
    #expect(text.count < 600)
}
