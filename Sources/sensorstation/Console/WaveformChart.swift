import Foundation

/// A terminal chart of one value over time (the magnitude |a| of a captured impact), fitted to a
/// width in character cells.
///
/// Each column covers an equal slice of the time span and shows the MAXIMUM of the samples in it,
/// so the peak of an impact is never averaged away however narrow the terminal (a 1.5 s capture
/// at 3200 Hz is 4800 samples for ~70 columns). A column with no sample (a gap in the data) stays
/// empty. The y axis starts at 0 g and ends at a round number at or above the larger of the peak
/// and the threshold; the threshold is drawn as a dotted line.
///
/// Styles: `blocks` draws bars with the eight Unicode lower blocks (▁▂▃▄▅▆▇█, a resolution of 1/8
/// of a row); `braille` draws a line with Braille dots (2 × 4 dots per cell, so twice the time
/// resolution and four levels per row); `ascii` draws bars with `#` for terminals without Unicode.
struct WaveformChart {
    enum Style: String, CaseIterable, Sendable {
        case blocks, braille, ascii
    }

    /// Time of each point (any unit; seconds here) and its value, same length, times ascending.
    var times: [Double]
    var values: [Double]
    /// Drawn as a dotted line and used as a label; nil for none.
    var threshold: Double?
    /// The time marked under the x axis (the trigger), in the unit of `times`.
    var marker: Double?
    var style: Style = .blocks
    /// The unit after the y labels.
    var unit = "g"

    /// Characters left of the plot: "12.5 g ┤" padded to this width.
    static let labelWidth = 9

    /// The top of the y axis: 1, 2 or 5 × 10ⁿ at or above `value` (never below 1).
    static func niceCeiling(_ value: Double) -> Double {
        guard value.isFinite, value > 1 else { return 1 }
        let exponent = (log10(value)).rounded(.down)
        let base = pow(10, exponent)
        for step in [1.0, 2, 2.5, 5, 10] where step * base >= value * (1 - 1e-12) {
            return step * base
        }
        return 10 * base
    }

    /// The maximum per bucket: `buckets` equal slices of [first, last] time; nil where empty.
    static func bucketMaxima(times: [Double], values: [Double], buckets: Int) -> [Double?] {
        guard buckets > 0, let first = times.first, let last = times.last else { return [] }
        var out = [Double?](repeating: nil, count: buckets)
        let span = last - first
        for (t, v) in zip(times, values) where v.isFinite {
            let i = span > 0 ? min(buckets - 1, max(0, Int((t - first) / span * Double(buckets)))) : 0
            out[i] = max(out[i] ?? -.infinity, v)
        }
        return out
    }

    /// The chart's lines (no trailing newlines), `width` cells wide, `height` plot rows plus the
    /// x axis and its labels. `paint` colours a cell above the threshold (identity without colour).
    func render(width: Int, height: Int, paint: (String) -> String = { $0 }) -> [String] {
        let plotWidth = max(8, width - Self.labelWidth)
        let rows = max(2, height)
        let top = Self.niceCeiling(max(values.filter(\.isFinite).max() ?? 0, threshold ?? 0))
        let perCell = style == .braille ? 2 : 1
        let maxima = Self.bucketMaxima(times: times, values: values, buckets: plotWidth * perCell)
        // The row (from the top, 0-based) the threshold falls in.
        let thresholdRow: Int? = threshold.map { th in
            rows - 1 - min(rows - 1, max(0, Int((th / top * Double(rows)).rounded(.up)) - 1))
        }

        var grid: [[String]]
        switch style {
        case .blocks, .ascii:
            let glyphs: [String] =
                style == .blocks
                ? [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
                : [" ", " ", " ", " ", "#", "#", "#", "#", "#"]
            grid = (0..<rows).map { r in
                maxima.map { m -> String in
                    guard let m else { return " " }
                    let eighths = Int((max(0, m) / top * Double(rows * 8)).rounded())
                    let level = min(8, max(0, eighths - (rows - 1 - r) * 8))
                    let over = threshold.map { m >= $0 } ?? false
                    return level > 0 && over ? paint(glyphs[level]) : glyphs[level]
                }
            }
        case .braille:
            // Dot bits of a Braille cell (U+2800 + bits): left column rows 0–3 = 1,2,4,64; right = 8,16,32,128.
            let bit = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
            var cells = [[Int]](repeating: [Int](repeating: 0, count: plotWidth), count: rows)
            var hot = [[Bool]](repeating: [Bool](repeating: false, count: plotWidth), count: rows)
            let dots = rows * 4
            func level(_ v: Double) -> Int {
                min(dots - 1, max(0, Int((max(0, v) / top * Double(dots - 1)).rounded())))
            }
            var previous: Int?
            for (x, m) in maxima.enumerated() {
                guard let m else { previous = nil; continue }
                let y = level(m)
                // Join to the previous point with a vertical run so a spike reads as a line.
                let from: Int
                if let p = previous, p != y { from = p + (y > p ? 1 : -1) } else { from = y }
                for yy in min(from, y)...max(from, y) {
                    let row = rows - 1 - yy / 4
                    cells[row][x / 2] |= bit[x % 2][3 - yy % 4]
                    if let threshold, m >= threshold { hot[row][x / 2] = true }
                }
                previous = y
            }
            grid = (0..<rows).map { r in
                (0..<plotWidth).map { c in
                    cells[r][c] == 0
                        ? " "
                        : {
                            let s = String(UnicodeScalar(0x2800 + cells[r][c])!)
                            return hot[r][c] ? paint(s) : s
                        }()
                }
            }
        }
        if let thresholdRow {
            let dot = style == .ascii ? "-" : "┄"
            grid[thresholdRow] = grid[thresholdRow].map { $0 == " " ? dot : $0 }
        }

        func label(_ v: Double) -> String {
            let text = v >= 100 ? String(format: "%.0f", v) : String(format: "%.1f", v)
            return text + " " + unit
        }
        let axis = style == .ascii ? "|" : "┤"
        let plain = style == .ascii ? "|" : "│"
        var lines: [String] = []
        for r in 0..<rows {
            let text: String
            if r == 0 {
                text = label(top)
            } else if r == thresholdRow, let threshold {
                text = label(threshold)
            } else {
                text = ""
            }
            // Label right-aligned in labelWidth - 2 cells, the axis, a space: labelWidth cells.
            let pad = String(repeating: " ", count: max(0, Self.labelWidth - 2 - text.count))
            var cells = grid[r]
            while cells.last == " " { cells.removeLast() }
            lines.append(
                pad + text + (text.isEmpty ? plain : axis) + (cells.isEmpty ? "" : " " + cells.joined()))
        }
        let corner = style == .ascii ? "+" : "└"
        let dash = style == .ascii ? "-" : "─"
        lines.append(
            String(repeating: " ", count: Self.labelWidth - 2) + corner
                + String(repeating: dash, count: plotWidth + 1))
        lines.append(String(repeating: " ", count: Self.labelWidth) + xLabels(plotWidth: plotWidth))
        return lines
    }

    /// Start and end of the span in ms relative to the marker (or the start), and a ▲ under the marker.
    func xLabels(plotWidth: Int) -> String {
        guard let first = times.first, let last = times.last else { return "" }
        let origin = marker ?? first
        func ms(_ t: Double) -> String {
            let v = ((t - origin) * 1000).rounded()
            return (v > 0 ? "+" : v < 0 ? "−" : "") + String(format: "%.0f ms", abs(v))
        }
        var line = [Character](repeating: " ", count: plotWidth)
        func put(_ s: String, at start: Int) {
            let chars = Array(s)
            let from = max(0, min(plotWidth - chars.count, start))
            for (i, c) in chars.enumerated() where from + i < plotWidth { line[from + i] = c }
        }
        put(ms(first), at: 0)
        let right = ms(last)
        put(right, at: plotWidth - right.count)
        if let marker, last > first {
            let column = min(
                plotWidth - 1, max(0, Int((marker - first) / (last - first) * Double(plotWidth))))
            let text = style == .ascii ? "^ trigger" : "▲ trigger"
            // Only when it does not run into the end labels.
            let leftEnd = ms(first).count + 1
            let rightStart = plotWidth - right.count - 1
            if column >= leftEnd, column + text.count <= rightStart {
                put(text, at: column)
            } else if column >= leftEnd, column < rightStart {
                put(style == .ascii ? "^" : "▲", at: column)
            }
        }
        return String(line).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
}
