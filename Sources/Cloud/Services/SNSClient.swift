import Foundation
import Storage

/// Amazon SNS `Publish` (the Query protocol of API version 2010-03-31: a form-encoded POST, an XML
/// answer): one message to a topic, signed with the station's temporary credentials. The impact
/// alert uses it; each message names its impact in a message attribute, and on a FIFO topic
/// (`….fifo`) the same id is the deduplication id, so a message sent twice after a crash
/// reaches subscribers once.
public struct SNSClient: Sendable {
    let client: AWSClient

    /// The API's limit on a message: 256 KiB of UTF-8.
    public static let maxMessageBytes = 256 * 1024
    /// The API's limit on a subject (e-mail subscriptions): 100 characters, no line breaks.
    public static let maxSubjectLength = 100

    /// One message to publish.
    public struct Message: Sendable, Equatable {
        public var topicArn: String
        /// The e-mail subject; nil: SNS's default.
        public var subject: String?
        /// What every subscriber gets (SNS's "default").
        public var body: String
        /// Another text for some protocols (`sms`, `email`, …); when any is given the message
        /// goes as SNS's MessageStructure=json.
        public var protocolBodies: [String: String]
        /// String message attributes, in order (name, value).
        public var attributes: [Attribute]
        /// FIFO topics only: messages with the same id within 5 minutes are delivered once.
        public var deduplicationId: String?
        /// FIFO topics only: the ordering group.
        public var groupId: String?

        public struct Attribute: Sendable, Equatable {
            public var name: String
            public var value: String
            public init(_ name: String, _ value: String) {
                self.name = name
                self.value = value
            }
        }

        public init(
            topicArn: String, subject: String? = nil, body: String, protocolBodies: [String: String] = [:],
            attributes: [Attribute] = [], deduplicationId: String? = nil, groupId: String? = nil
        ) {
            self.topicArn = topicArn
            self.subject = subject
            self.body = body
            self.protocolBodies = protocolBodies
            self.attributes = attributes
            self.deduplicationId = deduplicationId
            self.groupId = groupId
        }
    }

    public init(
        region: String, credentials: any AWSCredentialsSource, endpoint: String? = nil,
        httpClient: HTTPClientSelection = .shared
    ) {
        client = .regional(
            service: "sns", region: region, endpoint: endpoint, credentials: credentials,
            httpClient: httpClient)
    }

    /// Whether `topicArn` names a FIFO topic (its name ends in `.fifo`).
    public static func isFIFO(topicArn: String) -> Bool { topicArn.hasSuffix(".fifo") }

    /// What is wrong with `topicArn`, or nil when it is a topic ARN:
    /// `arn:PARTITION:sns:REGION:ACCOUNT:NAME`, the account 12 digits, the name 1–256 of
    /// A–Z a–z 0–9 _ - (a FIFO topic's ending in `.fifo`).
    public static func problem(topicArn: String) -> String? {
        let parts = topicArn.split(separator: ":", omittingEmptySubsequences: false)
        let expected = "an SNS topic ARN: arn:aws:sns:REGION:ACCOUNT:NAME"
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "sns" else {
            return expected
        }
        guard !parts[3].isEmpty else { return expected + " (the region is empty)" }
        guard parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return expected + " (the account is 12 digits)"
        }
        var name = parts[5]
        if name.hasSuffix(".fifo") { name = name.dropLast(5) }
        guard (1...256).contains(parts[5].count), !name.isEmpty,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            return expected + " (the name is 1 to 256 of A-Z a-z 0-9 _ -, ending in .fifo for a FIFO topic)"
        }
        return nil
    }

    /// The region in a topic ARN (`arn:aws:sns:REGION:…`).
    public static func region(ofTopicArn arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 ? String(parts[3]) : nil
    }

    /// The form body of `Publish`, parameters in a fixed order, each name and value form-encoded
    /// as the AWS SDKs send it (`formEncode`).
    public static func formBody(_ m: Message) -> String {
        var fields: [(String, String)] = [
            ("Action", "Publish"), ("Version", "2010-03-31"), ("TopicArn", m.topicArn),
            ("Message", message(m)),
        ]
        if !m.protocolBodies.isEmpty { fields.append(("MessageStructure", "json")) }
        if let subject = m.subject { fields.append(("Subject", subject)) }
        for (i, a) in m.attributes.enumerated() {
            let prefix = "MessageAttributes.entry.\(i + 1)"
            fields += [
                ("\(prefix).Name", a.name), ("\(prefix).Value.DataType", "String"),
                ("\(prefix).Value.StringValue", a.value),
            ]
        }
        if let id = m.deduplicationId { fields.append(("MessageDeduplicationId", id)) }
        if let group = m.groupId { fields.append(("MessageGroupId", group)) }
        return fields.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")
    }

    /// The Message parameter: the body, or with protocol bodies the JSON object SNS's
    /// MessageStructure=json takes ("default" first, then the protocols by name).
    static func message(_ m: Message) -> String {
        guard !m.protocolBodies.isEmpty else { return m.body }
        let fields =
            [("default", m.body)] + m.protocolBodies.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return "{" + fields.map { JSONValue.quote($0.0) + ":" + JSONValue.quote($0.1) }.joined(separator: ",")
            + "}"
    }

    /// application/x-www-form-urlencoded as the AWS SDKs write it (botocore: Python's
    /// `quote_plus`): A–Z a–z 0–9 - _ . ~ kept, a space as `+`, every other byte of the UTF-8 as
    /// `%XX`. The signature covers the body's bytes, so any valid encoding signs; this one is
    /// also what servers that re-encode the parsed form before checking (moto) arrive at.
    static func formEncode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            if b == 0x20 {
                out.append("+")
            } else if SigV4Signer.isUnreserved(b) {
                out.append(Character(Unicode.Scalar(b)))
            } else {
                out.append("%")
                out.append(String(b >> 4, radix: 16, uppercase: true))
                out.append(String(b & 0xF, radix: 16, uppercase: true))
            }
        }
        return out
    }

    /// Checks the API's limits before anything is sent: a message the service would refuse is
    /// an error that says which limit, not an HTTP 400 later.
    public static func check(_ m: Message) throws(AWSRequestError) {
        if let problem = problem(topicArn: m.topicArn) {
            throw .invalidRequest(service: "sns", reason: "topic \(m.topicArn): expected \(problem)")
        }
        guard !m.body.isEmpty else { throw .invalidRequest(service: "sns", reason: "the message is empty") }
        let bytes = message(m).utf8.count
        guard bytes <= maxMessageBytes else {
            throw .invalidRequest(
                service: "sns", reason: "the message is \(bytes) bytes; SNS takes at most \(maxMessageBytes)")
        }
        if let s = m.subject,
            s.count > maxSubjectLength || s.isEmpty || s.contains(where: { $0.isNewline })
        {
            throw .invalidRequest(
                service: "sns",
                reason: "the subject must be 1 to \(maxSubjectLength) characters without line breaks")
        }
        if isFIFO(topicArn: m.topicArn), m.groupId == nil {
            throw .invalidRequest(service: "sns", reason: "a FIFO topic needs a message group id")
        }
    }

    /// Publishes `m`; returns the message id SNS assigned.
    @discardableResult
    public func publish(_ m: Message) async throws(AWSRequestError) -> String {
        try Self.check(m)
        let response = try await client.send(
            method: "POST", path: "/",
            headers: [HTTPField("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(Self.formBody(m).utf8), options: .standard)
        return try Self.messageID(fromPublishAnswer: response.body, endpoint: client.endpoint)
    }

    /// The message id in a successful Publish answer (`<PublishResponse>…<MessageId>`).
    package static func messageID(fromPublishAnswer body: [UInt8], endpoint: String) throws(AWSRequestError)
        -> String
    {
        let text = String(decoding: body, as: UTF8.self)
        guard let id = AWSErrorParser.xmlElement("MessageId", in: text),
            !id.isEmpty, id.count <= 200, !id.contains(where: \.isNewline)
        else {
            throw .invalidResponse(
                service: "sns", endpoint: endpoint, reason: "Publish answer has no MessageId")
        }
        return id
    }
}
