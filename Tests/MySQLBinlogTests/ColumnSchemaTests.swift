import MySQLBinlog
import Testing

@Suite struct ColumnSchemaTests {
    @Test func columnTypeText() {
        #expect(ColumnSchema(name: "n", columnType: "int(10) unsigned", collationID: nil, holdsJSONText: false)
            == ColumnSchema(name: "n", isUnsigned: true))
        #expect(ColumnSchema(name: "n", columnType: "bigint(20) unsigned zerofill", collationID: nil, holdsJSONText: false).isUnsigned)
        #expect(!ColumnSchema(name: "n", columnType: "int(11)", collationID: nil, holdsJSONText: false).isUnsigned)
        #expect(ColumnSchema(name: "e", columnType: "enum('small','it''s','a,b')", collationID: 45, holdsJSONText: false)
            == ColumnSchema(name: "e", collationID: 45, members: ["small", "it's", "a,b"]))
        #expect(ColumnSchema(name: "s", columnType: "set('','x')", collationID: 45, holdsJSONText: false).members == ["", "x"])
        #expect(ColumnSchema(name: "j", columnType: "longtext", collationID: 46, holdsJSONText: true).holdsJSONText)
    }
}
