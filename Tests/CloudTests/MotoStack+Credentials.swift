import Cloud
import TestSupport

extension MotoStack {
    /// The IAM user's keys as signing credentials.
    var user: AWSCredentials {
        AWSCredentials(accessKeyId: userKeys.accessKeyId, secretAccessKey: userKeys.secretAccessKey)
    }
}
