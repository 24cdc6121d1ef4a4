import Foundation
import Storage
import Testing

@testable import Cloud

/// The DynamoDB item text the client sends, against the attribute forms the DynamoDB API
/// reference gives (AttributeValue: S, N as a string, BOOL, NULL, L, M).
@Suite("DynamoDB items")
struct DynamoDBItemTests {
    @Test("an item written straight from a record is the attribute tree's text, for every kind of value")
    func writtenEqualsTree() throws {
        let record = UploadRecord(
            id: 42, kind: "weather", time: Date(timeIntervalSince1970: 1_795_413_600.25),
            json: Array(
                #"{"t":20.5,"h":50.0,"n":3,"ok":true,"none":null,"s":"a\"b","l":[1,"x",false],"m":{"k":-1.5e-3}}"#
                    .utf8))
        let fields = try DynamoDBClient.fields(for: record, thing: "pi-1")
        var written = ""
        JSONValue.writeDynamoDBMap(fields, to: &written)
        #expect(written == (try DynamoDBClient.item(for: record, thing: "pi-1")).jsonText)
        #expect(
            written
                == #"{"h":{"N":"50.0"},"id":{"N":"42"},"kind":{"S":"weather"},"l":{"L":[{"N":"1"},{"S":"x"},{"BOOL":false}]},"m":{"M":{"k":{"N":"-0.0015"}}},"n":{"N":"3"},"none":{"NULL":true},"ok":{"BOOL":true},"s":{"S":"a\"b"},"serial_number":{"S":"pi-1"},"t":{"N":"20.5"},"time":{"S":"2026-11-23T06:00:00.250Z"},"timestamp":{"S":"2026-11-23T06:00:00.250Z#weather#42"}}"#
        )
    }
}
