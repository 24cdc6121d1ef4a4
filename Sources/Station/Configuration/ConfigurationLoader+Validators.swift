extension ConfigurationLoader {
    // MARK: validators (return what is allowed, or nil when the value is fine)

    static func validThingName(_ value: String) -> String? {
        (1...128).contains(value.count)
            && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ":_-".contains($0)) })
            ? nil : "1 to 128 of the characters a-z A-Z 0-9 : _ -"
    }

    static func validSerialNumber(_ value: String) -> String? {
        (1...64).contains(value.unicodeScalars.count)
            && value.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
            ? nil : "1 to 64 printable ASCII characters without spaces"
    }

    static func validI2CBus(_ value: String) -> String? {
        let digits = value.dropFirst("/dev/i2c-".count)
        return value.hasPrefix("/dev/i2c-") && !digits.isEmpty
            && digits.allSatisfy({ $0.isASCII && $0.isNumber })
            ? nil : "a bus device such as /dev/i2c-1"
    }

    static func validRegion(_ value: String) -> String? {
        // eu-west-1, us-gov-west-1, ap-southeast-2, cn-north-1, us-isob-east-1
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        let ok =
            parts.count >= 3 && parts[0].count == 2
            && parts.dropLast().allSatisfy({ !$0.isEmpty && $0.allSatisfy({ $0.isASCII && $0.isLowercase }) })
            && parts.last!.allSatisfy({ $0.isASCII && $0.isNumber }) && !parts.last!.isEmpty
        return ok ? nil : "an AWS region such as eu-west-1"
    }

    static func validHostName(_ value: String) -> String? {
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        // One label is a host name too (localhost, a name on the local network).
        let ok =
            !value.contains("://") && value.count <= 253
            && labels.allSatisfy({
                (1...63).contains($0.count) && $0.first != "-" && $0.last != "-"
                    && $0.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            })
        return ok
            ? nil : "a host name without a scheme, such as c1abc.credentials.iot.eu-west-1.amazonaws.com"
    }

    /// A host name with an optional `:port` (1–65535; a local test endpoint).
    static func validEndpoint(_ value: String) -> String? {
        if let colon = value.lastIndex(of: ":"), !value[value.index(after: colon)...].isEmpty,
            value[value.index(after: colon)...].allSatisfy(\.isASCII),
            value[value.index(after: colon)...].allSatisfy(\.isNumber)
        {
            guard let port = Int(value[value.index(after: colon)...]), (1...65535).contains(port) else {
                return
                    "a host name with an optional :port (1–65535), such as c1abc.credentials.iot.eu-west-1.amazonaws.com"
            }
            return validHostName(String(value[..<colon]))
        }
        return validHostName(value)
    }

    static func validRoleAlias(_ value: String) -> String? {
        (1...128).contains(value.count)
            && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_=,@-".contains($0)) })
            ? nil : "1 to 128 of the characters a-z A-Z 0-9 _ = , @ -"
    }

    static func validBucket(_ value: String) -> String? {
        let ok =
            (3...63).contains(value.count)
            && value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") })
            && value.first!.isLetterOrDigit && value.last!.isLetterOrDigit && !value.contains("..")
        return ok
            ? nil : "an S3 bucket name: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit"
    }

    static func validTable(_ value: String) -> String? {
        (3...255).contains(value.count)
            && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            ? nil : "a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ . -"
    }

    static func validStream(_ value: String) -> String? {
        (1...128).contains(value.count)
            && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            ? nil : "a Kinesis stream name: 1 to 128 of a-z A-Z 0-9 _ . -"
    }
}

extension Character {
    fileprivate var isLetterOrDigit: Bool { isLetter || isNumber }
}
