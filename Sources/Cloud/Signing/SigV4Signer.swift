import Crypto
import Foundation

/// AWS Signature Version 4, header form: a pure function of (request, credentials, region,
/// service, date). Source: AWS General Reference, "Create a signed AWS API request", and the
/// aws-c-auth signing test suite (tests/aws-signing-test-suite/v4), on which it is tested.
public enum SigV4Signer {
    /// How a service wants its requests canonicalised.
    public struct Options: Sendable, Equatable {
        /// Remove `.`/`..` segments and empty segments before encoding (generic services: yes;
        /// S3: no — an S3 key may contain `//` or `..`).
        public var normalizePath: Bool
        /// URI-encode the (already encoded) wire path once more (generic services: yes, so
        /// `%20` becomes `%2520`; S3: no, the wire path is used as it is).
        public var encodePath: Bool
        /// Add and sign `x-amz-content-sha256: <payload hash>` (required by S3).
        public var addContentSHA256Header: Bool
        /// Sign `X-Amz-Security-Token` (true for almost every service). When false the token is
        /// added after signing, unsigned (the suite's `omit_session_token`, used by some IoT APIs).
        public var signSessionToken: Bool

        public init(
            normalizePath: Bool = true, encodePath: Bool = true, addContentSHA256Header: Bool = false,
            signSessionToken: Bool = true
        ) {
            self.normalizePath = normalizePath
            self.encodePath = encodePath
            self.addContentSHA256Header = addContentSHA256Header
            self.signSessionToken = signSessionToken
        }

        /// DynamoDB, Kinesis, STS and every other non-S3 service.
        public static let standard = Options()
        /// S3: no normalisation, no double encoding, `x-amz-content-sha256`.
        public static let s3 = Options(normalizePath: false, encodePath: false, addContentSHA256Header: true)
    }

    public static let algorithm = "AWS4-HMAC-SHA256"

    public static func sign(
        request: SigningRequest, credentials: AWSCredentials, region: String, service: String,
        date: Date, options: Options = .standard
    ) -> SignedRequest {
        let amzDate = AWSDate.amzDate(date)
        let scopeDate = AWSDate.scopeDate(date)
        let payloadHash = request.payloadHash

        var added: [HTTPField] = [HTTPField("X-Amz-Date", amzDate)]
        if options.addContentSHA256Header { added.append(HTTPField("x-amz-content-sha256", payloadHash)) }
        var tokenField: HTTPField?
        if let token = credentials.sessionToken, !token.isEmpty {
            let f = HTTPField("X-Amz-Security-Token", token)
            if options.signSessionToken { added.append(f) } else { tokenField = f }
        }

        // Canonical headers: lowercase names, trimmed values with whitespace runs collapsed,
        // repeated names joined by "," in order, sorted by name. Names from the request that
        // collide with ones we add are replaced (a caller's stale X-Amz-Date must not be signed).
        let addedNames = Set(
            added.map { $0.name.lowercased() } + (tokenField.map { [$0.name.lowercased()] } ?? []))
        let own = request.headers.filter { !addedNames.contains($0.name.lowercased()) }
        var grouped: [String: [String]] = [:]
        var order: [String] = []
        for field in own + added {
            let name = field.name.lowercased()
            if grouped[name] == nil { order.append(name) }
            grouped[name, default: []].append(trimAll(field.value))
        }
        let names = order.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var canonicalHeaders = ""
        for name in names { canonicalHeaders += name + ":" + grouped[name]!.joined(separator: ",") + "\n" }
        let signedHeaders = names.joined(separator: ";")

        var path = request.path.isEmpty ? "/" : request.path
        if options.normalizePath { path = normalize(path) }
        let canonicalURI = options.encodePath ? uriEncode(path, keepSlash: true) : path

        let canonicalRequest =
            request.method.uppercased() + "\n" + canonicalURI + "\n" + canonicalQuery(request.query)
            + "\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + payloadHash
        let scope = scopeDate + "/" + region + "/" + service + "/aws4_request"
        let stringToSign =
            algorithm + "\n" + amzDate + "\n" + scope + "\n" + hexSHA256(Array(canonicalRequest.utf8))

        let key = signingKey(
            secret: credentials.secretAccessKey, date: scopeDate, region: region, service: service)
        let signature = hex(Array(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)))
        let authorization =
            algorithm + " Credential=" + credentials.accessKeyId + "/" + scope + ", SignedHeaders="
            + signedHeaders + ", Signature=" + signature
        added.append(HTTPField("Authorization", authorization))
        if let tokenField { added.insert(tokenField, at: added.count - 1) }
        return SignedRequest(
            addedHeaders: added, allHeaders: own + added, canonicalRequest: canonicalRequest,
            stringToSign: stringToSign, signature: signature, authorization: authorization)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    public static func signingKey(secret: String, date: String, region: String, service: String)
        -> SymmetricKey
    {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(
                data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    // MARK: - Canonicalisation helpers (internal for tests)

    /// RFC 3986 unreserved characters: never percent-encoded by SigV4.
    @inline(__always) static func isUnreserved(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let hexLower: [UInt8] = Array("0123456789abcdef".utf8)

    /// Percent-encodes every byte of the UTF-8 form except unreserved characters (and `/` when
    /// `keepSlash`), with uppercase hex, as SigV4 prescribes.
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        uriEncode(bytes: Array(text.utf8), keepSlash: keepSlash)
    }

    static func uriEncode(bytes: [UInt8], keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        for c in bytes {
            if isUnreserved(c) || (keepSlash && c == 0x2F) {
                out.append(c)
            } else {
                out.append(0x25)
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` sequences; a `%` not followed by two hex digits is kept as it is. `+` is not
    /// a space here (SigV4 treats query strings as RFC 3986, not form encoding).
    static func percentDecode(_ text: Substring) -> [UInt8] {
        let b = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var i = 0
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let hi = hexValue(b[i + 1]), let lo = hexValue(b[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    /// Query parameters decoded and re-encoded, sorted by name then value (byte order), joined by `&`.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let (name, value): (Substring, Substring)
            if let eq = item.firstIndex(of: "=") {
                name = item[item.startIndex..<eq]
                value = item[item.index(after: eq)...]
            } else {
                name = item
                value = ""
            }
            pairs.append(
                (
                    uriEncode(bytes: percentDecode(name), keepSlash: false),
                    uriEncode(bytes: percentDecode(value), keepSlash: false)
                ))
        }
        pairs.sort { a, b in
            a.0 != b.0
                ? Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8))
                : Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8))
        }
        return pairs.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    /// Removes `.` and empty segments and resolves `..` (never above the root); keeps a trailing
    /// slash when the path had one. `/example/..` → `/`, `//example//` → `/example/`.
    static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        for seg in path.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == ".." { if !segments.isEmpty { segments.removeLast() }; continue }
            segments.append(seg)
        }
        var out = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/"), !segments.isEmpty { out += "/" }
        return out
    }

    /// Trims leading/trailing whitespace and collapses inner runs of whitespace (space, tab, CR,
    /// LF — a folded header line included) to one space.
    static func trimAll(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for c in value.utf8 {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func hexSHA256<D: DataProtocol>(_ data: D) -> String {
        hex(Array(SHA256.hash(data: data)))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        for (i, b) in bytes.enumerated() {
            out[2 * i] = hexLower[Int(b >> 4)]
            out[2 * i + 1] = hexLower[Int(b & 0xF)]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
