import Cloud

extension MotoStack {
    /// The IAM user's keys as signing credentials.
    public var user: AWSCredentials {
        AWSCredentials(accessKeyId: userKeys.accessKeyId, secretAccessKey: userKeys.secretAccessKey)
    }
}
