import Foundation
import Station

/// The live view of `sensorstation run` on a terminal: latest readings, LEDs as coloured dots,
/// state, faults, recent events and the keys. Redrawn in place a few times a second on the
/// alternate screen, so the shell is left as it was on exit.
struct Dashboard {
    struct Info: Sendable {
        var title: String
        var hardware: String
        var weatherSensor: String?
        var accelerometer: String?
        var ledRoles: [LEDRole]
        var keys: [(key: String, action: String)]
    }

    let info: Info
    let style: Style
    private var peakHistory: [Double] = []
    private var lastMotionTime: Date?
    let started = Date()

    init(info: Info, style: Style) {
        self.info = info
        self.style = style
    }

    static let enter = "\u{1B}[?1049h\u{1B}[?25l"
    static let leave = "\u{1B}[?25h\u{1B}[?1049l"

    /// The frame for this snapshot: every line ends with clear-to-end-of-line, the frame with
    /// clear-to-end-of-screen, so nothing stale remains without flicker.
    mutating func frame(_ s: StationState.Snapshot, width: Int, now: Date = Date()) -> String {
        if let m = s.lastMotion, m.time != lastMotionTime {
            lastMotionTime = m.time
            peakHistory.append(m.maxG)
            if peakHistory.count > 60 { peakHistory.removeFirst(peakHistory.count - 60) }
        }
        var lines: [String] = []
        let up = Int(now.timeIntervalSince(started))
        lines.append(
            style.bold("SensorStation") + "  \(info.title)  " + style.dim(info.hardware)
                + style.dim(String(format: "   up %02d:%02d:%02d", up / 3600, up / 60 % 60, up % 60)))
        lines.append(style.dim(String(repeating: "─", count: max(10, min(width, 100)))))

        if let sensor = info.weatherSensor {
            if let w = s.lastWeather {
                var line = "Weather  \(sensor)  " + style.bold(String(format: "%.2f °C", w.temperatureC))
                if let h = w.humidityPercent { line += String(format: "   %.1f %%RH", h) }
                line += String(format: "   %.2f hPa", w.pressurePa / 100)
                line += style.dim("   (\(Int(now.timeIntervalSince(w.time))) s ago)")
                lines.append(line)
            } else {
                lines.append("Weather  \(sensor)  " + style.dim("waiting for the first reading…"))
            }
        }
        if let accel = info.accelerometer {
            if let m = s.lastMotion {
                lines.append(
                    "Motion   \(accel)  "
                        + String(format: "x %+.3f  y %+.3f  z %+.3f g   ", m.lastX, m.lastY, m.lastZ)
                        + style.bold(String(format: "|a| %.3f g", m.meanG)))
                lines.append(
                    "         "
                        + style.dim(
                            String(
                                format: "last second: %d samples, min %.3f, max %.3f, rms %.3f g",
                                m.sampleCount, m.minG, m.maxG, m.rmsG))
                        + (m.saturatedCount > 0 ? style.red("  \(m.saturatedCount) saturated") : ""))
                lines.append(
                    "         " + Sparkline.render(peakHistory, width: min(60, width - 30), floor: 1)
                        + style.dim("  max |a| per second, last \(peakHistory.count) s"))
            } else {
                lines.append("Motion   \(accel)  " + style.dim("waiting for samples…"))
            }
        }
        var impacts = "Impacts  \(s.impactCount)"
        if let i = s.lastImpact {
            impacts += String(
                format: "   last: %.2f g%@ at %@", i.peakG, i.severe ? " (severe)" : "", clock(i.time))
        }
        if s.indication.impactLatched {
            impacts += "   " + style.red("LATCHED") + style.dim(" — a long press acknowledges it")
        }
        lines.append(impacts)
        lines.append("Stream   " + (s.indication.streaming ? style.blue("on") : style.dim("off")))
        lines.append(
            "LEDs     "
                + info.ledRoles.map { role in
                    let on = s.ledLevels[role] ?? false
                    let dot = on ? color(for: role, "●") : style.dim("○")
                    return "\(dot) \(role.rawValue)"
                }.joined(separator: "   ") + style.dim("   (\(s.indication.topState.rawValue))"))
        if s.faultMessages.isEmpty {
            lines.append("Faults   " + style.dim("none"))
        } else {
            for (i, (c, m)) in s.faultMessages.sorted(by: { $0.key < $1.key }).enumerated() {
                lines.append(
                    (i == 0 ? "Faults   " : "         ") + style.yellow("\(c): ") + truncate(m, width - 20))
            }
        }
        lines.append(style.dim(String(repeating: "─", count: max(10, min(width, 100)))))
        lines.append(style.bold("Recent"))
        for e in s.recent.suffix(10) {
            lines.append(" " + style.dim(clock(e.time)) + "  " + truncate(e.event.logLine, width - 12))
        }
        lines.append(style.dim(String(repeating: "─", count: max(10, min(width, 100)))))
        lines.append(info.keys.map { style.bold($0.key) + " \($0.action)" }.joined(separator: "   "))
        return "\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J"
    }

    private func color(for role: LEDRole, _ s: String) -> String {
        switch role {
        case .status: style.green(s)
        case .impact: style.red(s)
        case .streaming: style.blue(s)
        case .fault: style.yellow(s)
        case .upload: style.cyan(s)
        }
    }

    private func clock(_ d: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return f.string(from: d)
    }

    private func truncate(_ s: String, _ n: Int) -> String {
        s.count <= max(n, 10) ? s : String(s.prefix(max(n, 10) - 1)) + "…"
    }
}

/// Unicode block sparklines (▁▂▃▄▅▆▇█), scaled from `floor` to the series maximum.
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func render(_ values: [Double], width: Int, floor: Double = 0) -> String {
        let series = values.suffix(max(1, width))
        guard let top = series.max(), top > floor else {
            return String(repeating: blocks[0], count: series.count)
        }
        return String(
            series.map { v in
                let f = (v - floor) / (top - floor)
                return blocks[min(blocks.count - 1, max(0, Int((f * Double(blocks.count - 1)).rounded())))]
            })
    }
}
