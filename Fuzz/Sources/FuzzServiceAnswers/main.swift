import CFuzzerDriver
import Cloud
import FuzzWire

/// What S3, DynamoDB, Kinesis and SNS answer, as the station reads it: the first byte chooses
/// the reader (its low 2 bits) and, for Kinesis, how many records were sent (its high 6 bits);
/// the rest is the answer laid out like the wire (`WireAnswer`).
///
/// - 0: an error answer (`AWSErrorParser.parse`: JSON `__type`/`message`, XML `<Code>`/`<Message>`,
///   or the `x-amzn-ErrorType` header);
/// - 1: SNS Publish's `MessageId`;
/// - 2: DynamoDB BatchWriteItem's `UnprocessedItems`;
/// - 3: Kinesis PutRecords' per-record results.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let selector = bytes.first else { return 0 }
    let answer = WireAnswer(bytes.dropFirst())
    let endpoint = "https://service.eu-west-1.amazonaws.com"
    switch selector & 3 {
    case 0:
        let error = AWSErrorParser.parse(
            service: "s3", endpoint: endpoint,
            response: AWSResponse(status: answer.status, headers: answer.headers, body: answer.body))
        guard case .service(_, _, let status, let code, let message) = error else {
            fatalError("an error answer read as \(error)")
        }
        if status != answer.status { fatalError("status \(answer.status) reported as \(status)") }
        if code.isEmpty { fatalError("an error with an empty code") }
        if message.count > 300 { fatalError("an error message of \(message.count) characters") }
        if error.description.isEmpty { fatalError("an error with an empty description") }
    case 1:
        do {
            let id = try SNSClient.messageID(fromPublishAnswer: answer.body, endpoint: endpoint)
            if id.isEmpty || id.count > 200 || id.contains(where: \.isNewline) {
                fatalError("message id \(id.debugDescription) accepted")
            }
        } catch {
            if error.description.isEmpty { fatalError("an empty error") }
        }
    case 2:
        do {
            _ = try DynamoDBClient.unprocessed(
                fromBatchWriteAnswer: answer.body, table: "sensorstation-weather", endpoint: endpoint)
        } catch {
            if error.description.isEmpty { fatalError("an empty error") }
        }
    default:
        let sent = Int(selector >> 2)
        do {
            let (positions, _) = try KinesisClient.failures(
                fromPutRecordsAnswer: answer.body, count: sent, endpoint: endpoint)
            if positions.count > sent || positions != positions.sorted()
                || positions.contains(where: { $0 < 0 || $0 >= sent })
            {
                fatalError("failed positions \(positions) of \(sent) records")
            }
        } catch {
            if error.description.isEmpty { fatalError("an empty error") }
        }
    }
    return 0
}

/// SwiftPM links executables with `--defsym main=<Module>_main`; this is that symbol (see
/// FuzzerEntry.h), handing control to libFuzzer's driver.
@_cdecl("FuzzServiceAnswers_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(UnsafeRawPointer(data!), size) }
}
