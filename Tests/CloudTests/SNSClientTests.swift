import Foundation
import TestSupport
import Testing

@testable import Cloud

@Suite("SNS Publish: the form, the limits, and moto's topics read back through SQS", .serialized)
struct SNSClientTests {
    static let arn = "arn:aws:sns:eu-west-1:123456789012:impact-alerts"

    @Test("the form body: fixed order, RFC 3986 encoding of names and values, attributes numbered from 1")
    func formBody() {
        let m = SNSClient.Message(
            topicArn: Self.arn, subject: "Impact 8.1 g", body: "Impact: 8.1 g at 14:02 (severe)\n{\"id\":7}",
            attributes: [.init("impact_id", "7"), .init("thing", "helmet-01")])
        // By hand (Python's quote_plus, as botocore): ':' → %3A, ' ' → +, '\n' → %0A, '"' → %22,
        // '{' → %7B, '}' → %7D, '(' → %28.
        #expect(
            SNSClient.formBody(m)
                == "Action=Publish&Version=2010-03-31"
                + "&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A123456789012%3Aimpact-alerts"
                + "&Message=Impact%3A+8.1+g+at+14%3A02+%28severe%29%0A%7B%22id%22%3A7%7D"
                + "&Subject=Impact+8.1+g"
                + "&MessageAttributes.entry.1.Name=impact_id&MessageAttributes.entry.1.Value.DataType=String"
                + "&MessageAttributes.entry.1.Value.StringValue=7"
                + "&MessageAttributes.entry.2.Name=thing&MessageAttributes.entry.2.Value.DataType=String"
                + "&MessageAttributes.entry.2.Value.StringValue=helmet-01")
        #expect(SNSClient.formEncode("é~ +") == "%C3%A9~+%2B")  // quote_plus("é~ +")
        var fifo = m
        fifo.topicArn += ".fifo"
        fifo.attributes = []
        fifo.subject = nil
        fifo.deduplicationId = "impact-7"
        fifo.groupId = "helmet-01"
        #expect(
            SNSClient.formBody(fifo).hasSuffix("&MessageDeduplicationId=impact-7&MessageGroupId=helmet-01"))
    }

    @Test(
        "topic ARNs: what is wrong is named",
        arguments: [
            (arn, nil), (arn + ".fifo", nil), ("arn:aws-cn:sns:cn-north-1:123456789012:a_b-c", nil),
            ("impact-alerts", "an SNS topic ARN"),
            ("arn:aws:sqs:eu-west-1:123456789012:q", "an SNS topic ARN"),
            ("arn:aws:sns::123456789012:t", "region is empty"),
            ("arn:aws:sns:eu-west-1:12345:t", "12 digits"),
            ("arn:aws:sns:eu-west-1:123456789012:my topic", "the name is"),
            ("arn:aws:sns:eu-west-1:123456789012:.fifo", "the name is"),
        ] as [(String, String?)])
    func topicArns(_ arn: String, _ problem: String?) {
        let found = SNSClient.problem(topicArn: arn)
        if let problem {
            #expect(found?.contains(problem) == true, "\(arn): \(found ?? "accepted")")
        } else {
            #expect(found == nil, "\(arn): \(found ?? "")")
        }
    }

    @Test("the API's limits are refused before sending, each naming its limit")
    func limits() {
        func reason(_ m: SNSClient.Message) -> String {
            do {
                try SNSClient.check(m)
                return "accepted"
            } catch { return error.description }
        }
        let big = String(repeating: "x", count: SNSClient.maxMessageBytes + 1)
        #expect(
            reason(.init(topicArn: Self.arn, body: big)).contains("262145 bytes; SNS takes at most 262144"))
        #expect(reason(.init(topicArn: Self.arn, body: "")).contains("the message is empty"))
        #expect(reason(.init(topicArn: Self.arn, subject: "a\nb", body: "x")).contains("without line breaks"))
        #expect(
            reason(.init(topicArn: Self.arn, subject: String(repeating: "s", count: 101), body: "x"))
                .contains("1 to 100 characters"))
        #expect(reason(.init(topicArn: Self.arn + ".fifo", body: "x")).contains("message group id"))
        #expect(reason(.init(topicArn: "nope", body: "x")).contains("topic nope: expected an SNS topic ARN"))
        #expect(reason(.init(topicArn: Self.arn, body: String(repeating: "é", count: 131_072))) == "accepted")
    }

    func client(_ moto: MotoStack, _ credentials: AWSCredentials) -> SNSClient {
        SNSClient(region: "us-east-1", credentials: StaticCredentials(credentials), endpoint: moto.endpoint)
    }

    func drain(_ moto: MotoStack, _ queue: String) throws -> [[String: Any]] {
        try moto.readback(["sqs-drain", queue]) as? [[String: Any]] ?? []
    }

    @Test("a message reaches the subscribed queue once, with its subject and the impact id attribute")
    func publish() async throws {
        let moto = try MotoStack()
        defer { moto.server.stop() }
        _ = try drain(moto, moto.queueURL)
        let sns = client(moto, moto.user)
        let body = "Impact 8.1 g at helmet-01, 2026-12-05 14:02 UTC (severe)\n{\"impact_id\":42}"
        let id = try await sns.publish(
            .init(
                topicArn: moto.topicArn, subject: "Impact 8.1 g at helmet-01", body: body,
                attributes: [.init("impact_id", "42")]))
        #expect(!id.isEmpty)
        let got = try drain(moto, moto.queueURL)
        try #require(got.count == 1, "\(got)")
        #expect(got[0]["Message"] as? String == body)
        #expect(got[0]["Subject"] as? String == "Impact 8.1 g at helmet-01")
        #expect(got[0]["MessageId"] as? String == id)
        let attribute = (got[0]["MessageAttributes"] as? [String: Any])?["impact_id"] as? [String: Any]
        #expect(attribute?["Value"] as? String == "42" && attribute?["Type"] as? String == "String")
    }

    @Test(
        "per-protocol texts go as MessageStructure=json: the queue gets the default, the SMS text stays out of it"
    )
    func perProtocol() async throws {
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let m = SNSClient.Message(
            topicArn: moto.topicArn, body: "IMPACT 8.1 g\n{\"impact_id\":5}",
            protocolBodies: ["sms": "IMPACT 8.1 g"])
        #expect(
            SNSClient.message(m) == #"{"default":"IMPACT 8.1 g\n{\"impact_id\":5}","sms":"IMPACT 8.1 g"}"#)
        #expect(SNSClient.formBody(m).contains("&MessageStructure=json"))
        try await client(moto, moto.user).publish(m)
        let got = try drain(moto, moto.queueURL)
        #expect(got.count == 1 && got.first?["Message"] as? String == m.body, "\(got)")
    }

    @Test("a FIFO topic delivers a message published twice with one deduplication id once")
    func fifoDeduplication() async throws {
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let sns = client(moto, moto.user)
        for body in ["first", "again after a crash"] {
            try await sns.publish(
                .init(
                    topicArn: moto.fifoTopicArn, body: body, attributes: [.init("impact_id", "7")],
                    deduplicationId: "impact-7", groupId: "helmet-01"))
        }
        let got = try drain(moto, moto.fifoQueueURL)
        #expect(got.count == 1 && got.first?["Message"] as? String == "first", "\(got)")
    }

    @Test("a missing topic and a wrong secret are the service's own errors, named")
    func errors() async throws {
        let moto = try MotoStack()
        defer { moto.server.stop() }
        let missing = moto.topicArn + "-missing"
        do {
            try await client(moto, moto.user).publish(.init(topicArn: missing, body: "x"))
            Issue.record("published to a missing topic")
        } catch {
            guard case .service(let service, _, let status, let code, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(service == "sns" && status == 404 && code == "NotFound", "\(error)")
            #expect(!error.isRetryable)
        }
        var wrong = moto.user
        wrong.secretAccessKey += "x"
        do {
            try await client(moto, wrong).publish(.init(topicArn: moto.topicArn, body: "x"))
            Issue.record("published with a wrong secret")
        } catch {
            guard case .service(_, _, let status, _, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(status == 403, "\(error)")
        }
        #expect(try drain(moto, moto.queueURL).isEmpty)
    }
}
