@testable import SQLServerClient
import Testing

@Suite struct SQLServerColumnValueTests {
    /// [MS-DTYP] 2.3.4.2: Data1..Data3 little-endian, Data4 in order.
    @Test func uniqueIdentifiersAreLowercaseCanonical() {
        let bytes: [UInt8] = [
            0x99, 0xbc, 0xee, 0xa0, 0x0b, 0x9c, 0xf8, 0x4e, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11,
        ]
        #expect(SQLServerColumnValue.uniqueIdentifierText(bytes) == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    }
}
