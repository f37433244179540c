import Foundation

/// The progress bar replay draws on a terminal: a pure function of the counts and the time taken, so it can be
/// tested without one. The number of messages is not known before the end (the fixtures are read as they are
/// fed), so the bar and the ETA follow the share of the fixture files read (compressed bytes for zstd).
enum ReplayProgress {
    /// One line, such as `[##########..........]  50%  45,000 messages  12,500 msg/s  ETA 4s`.
    ///
    /// `done` counts messages fed, `resumedAt` of them by an earlier run; `fraction` is the share of the files read
    /// (nil when a file's size is unknown: no bar and no ETA), `fractionAtStart` the share read when this run began
    /// feeding. Rate and ETA are this run's, so a resumed replay does not claim the earlier run's work. Before any
    /// time has passed there is no rate and no ETA.
    static func line(done: Int, resumedAt: Int = 0, fraction: Double?, fractionAtStart: Double = 0, elapsed: Double,
                     barWidth: Int = 24) -> String {
        var text = ""
        if let fraction {
            let share = min(1, max(0, fraction))
            let filled = Int((share * Double(barWidth)).rounded(.down))
            text = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "] "
                + "\(Int((share * 100).rounded(.down)))%  "
        }
        text += "\(grouped(done)) messages"
        let rate = elapsed > 0 ? Double(done - resumedAt) / elapsed : 0
        if rate > 0 { text += "  \(grouped(Int(rate.rounded()))) msg/s" }
        if elapsed > 0, let fraction, fraction > fractionAtStart {
            text += "  ETA \(duration(elapsed * max(0, 1 - fraction) / (fraction - fractionAtStart)))"
        }
        return text
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// Seconds as `42s`, `3m07s` or `2h05m`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        if whole < 3_600 { return "\(whole / 60)m" + String(format: "%02ds", whole % 60) }
        return "\(whole / 3_600)h" + String(format: "%02dm", whole / 60 % 60)
    }
}

/// Draws `ReplayProgress` lines on standard error when it is a terminal, at most ten times a second; draws
/// nothing on a pipe or a file. Owned by the feeding thread.
struct ProgressLine {
    static let interval = 0.1
    let enabled: Bool
    let resumedAt: Int
    let fractionAtStart: Double
    private let started = Date()
    private var lastDrawn = -Double.infinity
    private var drawn = false

    init(resumedAt: Int, fractionAtStart: Double?, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.resumedAt = resumedAt
        self.fractionAtStart = fractionAtStart ?? 0
        self.enabled = enabled
    }

    /// Redraws when the last drawing is at least `interval` old (or `force`); `fraction` as in `ReplayProgress.line`.
    mutating func update(done: Int, fraction: @autoclosure () -> Double?, force: Bool = false) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(started)
        guard force || elapsed - lastDrawn >= Self.interval else { return }
        lastDrawn = elapsed
        drawn = true
        let text = ReplayProgress.line(done: done, resumedAt: resumedAt, fraction: fraction(), fractionAtStart: fractionAtStart,
                                       elapsed: elapsed)
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
    }

    /// Clears the line, so the summary starts on a clean one.
    mutating func clear() {
        guard enabled, drawn else { return }
        drawn = false
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
