/// The version `sensorstation --version` prints, the shadow reports and the .deb is named after
/// (the Makefile and scripts/system-tests read the `current = "…"` line below).
public enum SensorStationVersion {
    public static let current = "0.1.0"
}
