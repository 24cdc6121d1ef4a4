/// How bad an impact was, by its peak magnitude: `severe` when the peak reached
/// `DetectorSettings.severeG` (9 g by default, the "immediate alert" level of the Helmet Guardian
/// guidance), otherwise `impact`.
public enum Severity: String, Sendable, Equatable, Hashable, CaseIterable {
    case impact
    case severe
}
