import Foundation
import Telemetry

/// Live ingest through a real mosquitto: the same N messages to `wattline run` and, in the same run, to
/// `mosquitto_sub -t … >/dev/null`. A figure counts only if everything published was received (accepted).
/// CPU per message is each receiver's own (a child process): for Wattline through its shutdown, which drains what
/// the stages still hold, so the figure is the whole job per message.
enum LiveIngestBenchmark {
    struct Figure {
        var seconds: Double
        var cpuSeconds: Double
        var received: Int
        var peakRSS: Int = 0
        /// Wattline's CPU when everything was decoded, before the shutdown drained the stages (what this bench
        /// reported until 2026-12-07: the processors' and the archive's work on the messages still held was left out).
        var cpuSecondsAtDecoded: Double?
        /// CPU seconds per thread ("name/tid") when everything was decoded (libmosquitto's network thread is
        /// unnamed: it carries the process's name).
        var threads: [(name: String, seconds: Double)] = []
    }

    /// One round's ratios (Wattline / `mosquitto_sub`) at one QoS.
    struct Ratios {
        var rate: Double
        var cpu: Double
    }

    /// `rounds` rounds, each QoS 1 then QoS 0, each `mosquitto_sub` then Wattline, against one broker; then the
    /// median and range of each ratio and how many rounds met its target. On this shared two-core machine one run of
    /// one build moves by ±10 %, more than most changes: a target near its line is judged on the rounds, not one run.
    static func run(wattline: String, count: Int = 200_000, rounds: Int = 3) {
        let directory = NSTemporaryDirectory() + "wattline-bench-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (broker, port) = startBroker(directory: directory)
        defer { broker.terminate(); broker.waitUntilExit() }

        // Distinct messages, as a fleet sends them: each run of 50,000 goes to its own charger (see `publish`), and
        // within a run every message has its own timestamp. (Until 2026-12-06 the runs cycled 1,000 payloads, so
        // 98 % of the messages were late duplicates of stored readings, each checked against the archive's blocks:
        // a redelivery storm, not ingest.)
        let payloads = DecodeBenchmark.meterValues(count: min(count, 50_000)).map(\.payload)
        let bytes = Double(payloads.reduce(0) { $0 + $1.count }) / Double(payloads.count)
        print()
        print("## Live ingest through mosquitto: \(count) OCPP 1.6 MeterValues (\(Int(bytes)) B), published by mosquitto_pub -M 1000")
        let widths = [-28, 4, 12, 11, 12, 11, 14]
        print(row(["receiver", "QoS", "msg/s", "CPU µs/msg", "received", "peak RSS", "at decoded"], widths: widths))
        var ratios: [Int: [Ratios]] = [:]
        for round in 1...max(rounds, 1) {
            if rounds > 1 { print("round \(round) of \(rounds)") }
            // A fresh data directory each round: the same messages again would be duplicates of the last round's.
            let roundDirectory = directory + "/round-\(round)"
            try? FileManager.default.createDirectory(atPath: roundDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: roundDirectory) }
            for qos in [1, 0] {
                let sub = mosquittoSub(port: port, qos: qos, count: count, payloads: payloads)
                let ours = wattlineRun(wattline, port: port, qos: qos, count: count, payloads: payloads,
                                       directory: roundDirectory)
                for (name, figure) in [("mosquitto_sub -t '#' >/dev/null", sub), ("wattline run", ours)] {
                    let complete = figure.received >= count
                    print(row([name, "\(qos)", complete ? fmt(Double(count) / figure.seconds) : "incomplete",
                               fmt(figure.cpuSeconds * 1e6 / Double(count), 1), "\(figure.received)",
                               figure.peakRSS > 0 ? "\(figure.peakRSS >> 20) MiB" : "–",
                               figure.cpuSecondsAtDecoded.map { fmt($0 * 1e6 / Double(count), 1) } ?? ""], widths: widths))
                }
                print("  wattline's threads at decoded, CPU µs/msg: "
                      + ours.threads.map { "\($0.name) \(fmt($0.seconds * 1e6 / Double(count), 1))" }.joined(separator: ", "))
                print(row(["ratio wattline / mosquitto_sub", "\(qos)", fmt(sub.seconds / ours.seconds, 2) + "x",
                           fmt(ours.cpuSeconds / max(sub.cpuSeconds, 1e-9), 2) + "x", "", "",
                           ours.cpuSecondsAtDecoded.map { fmt($0 / max(sub.cpuSeconds, 1e-9), 2) + "x" } ?? ""],
                          widths: widths))
                if sub.received >= count && ours.received >= count {
                    ratios[qos, default: []].append(Ratios(rate: sub.seconds / ours.seconds,
                                                           cpu: ours.cpuSeconds / max(sub.cpuSeconds, 1e-9)))
                }
            }
        }
        print("targets: rate ≥ 0.9x (QoS 1) and ≥ 0.75x (QoS 0) of mosquitto_sub's; CPU per message ≤ 2.5x")
        guard rounds > 1 else { return }
        for qos in [1, 0] {
            let complete = ratios[qos] ?? []
            guard !complete.isEmpty else {
                print("QoS \(qos): no complete round")
                continue
            }
            let rateTarget = qos == 1 ? 0.9 : 0.75
            let rates = complete.map(\.rate), cpus = complete.map(\.cpu)
            print("QoS \(qos), \(complete.count) complete rounds: rate ratio median \(fmt(median(rates), 2))x "
                  + "[\(fmt(rates.min()!, 2))–\(fmt(rates.max()!, 2))], ≥ \(rateTarget)x in \(rates.filter { $0 >= rateTarget }.count); "
                  + "CPU ratio median \(fmt(median(cpus), 2))x [\(fmt(cpus.min()!, 2))–\(fmt(cpus.max()!, 2))], "
                  + "≤ 2.5x in \(cpus.filter { $0 <= 2.5 }.count)")
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// A mosquitto on a free loopback port, sized for benchmarks (1000 in flight, queues that never drop).
    static func startBroker(directory: String) -> (Process, Int) {
        let port = freePort()
        let config = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            user \(ProcessInfo.processInfo.environment["USER"] ?? "root")
            persistence false
            max_inflight_messages 1000
            max_queued_messages 10000000
            log_dest none
            """
        try? config.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        let broker = Process()
        broker.executableURL = URL(fileURLWithPath: "/usr/sbin/mosquitto")
        broker.arguments = ["-c", directory + "/mosquitto.conf"]
        try? broker.run()
        Thread.sleep(forTimeInterval: 0.5)
        return (broker, port)
    }

    static func mosquittoSub(port: Int, qos: Int, count: Int, payloads: [[UInt8]]) -> Figure {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-t", "ocpp/#", "-q", "\(qos)", "-C", "\(count)"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let before = childrenCPU()
        try? process.run()
        Thread.sleep(forTimeInterval: 0.5)
        let start = Date()
        let pid = process.processIdentifier
        let sampler = CPUSampler(pid: pid)
        publish(port: port, qos: qos, count: count, payloads: payloads)
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        _ = before
        return Figure(seconds: seconds, cpuSeconds: sampler.stop().cpuSeconds,
                      received: process.terminationStatus == 0 ? count : 0)
    }

    static func wattlineRun(_ wattline: String, port: Int, qos: Int, count: Int, payloads: [[UInt8]],
                            directory: String) -> Figure {
        let metricsPort = freePort()
        // WATTLINE_BENCH_PIPELINE is appended to the pipeline (e.g. `ingest: {stages: [archive]}` to measure one stage).
        let pipeline = directory + "/bench-\(qos).yaml"
        try? """
            broker:
              url: mqtt://127.0.0.1:\(port)
              client_id: wattline-bench-\(qos)
              qos: \(qos)
              session: clean
            topics:
              - template: ocpp/{charger}/in
                format: ocpp16
            \(ProcessInfo.processInfo.environment["WATTLINE_BENCH_PIPELINE"] ?? "")
            """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wattline)
        process.arguments = ["run", "--pipeline", pipeline, "--data", directory + "/data-\(qos)",
                             "--metrics", "127.0.0.1:\(metricsPort)", "--log-level", "warning"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let before = childrenCPU()
        try? process.run()
        let ready = Date().addingTimeInterval(10)
        while metric("wattline_connected", port: metricsPort) != 1 && Date() < ready { Thread.sleep(forTimeInterval: 0.05) }
        let start = Date()
        let publisherCPU = publish(port: port, qos: qos, count: count, payloads: payloads)
        var accepted = 0
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            accepted = Int(metric("wattline_messages_accepted_total", port: metricsPort) ?? 0)
            if accepted >= count { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        let seconds = Date().timeIntervalSince(start)
        // CPU is taken once the worker has also decoded and stored everything, not only accepted it.
        while Date() < deadline,
              Int(metric("wattline_messages_decoded_total", port: metricsPort) ?? 0) < accepted {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let atDecoded = processCPU(pid: process.processIdentifier)
        let threads = threadCPU(pid: process.processIdentifier, byTask: true).filter { $0.seconds > 0.005 }
            .sorted { $0.seconds > $1.seconds }
        // SIGINT: Wattline drains what its stages hold (readings wait in the reordering window and the processors'
        // queue for their watermark), checkpoints and exits; its CPU and peak memory are read until it is gone.
        let sampler = CPUSampler(pid: process.processIdentifier)
        process.interrupt()
        process.waitUntilExit()
        let (total, peak) = sampler.stop()
        _ = (before, publisherCPU)
        return Figure(seconds: seconds, cpuSeconds: total, received: accepted, peakRSS: peak,
                      cpuSecondsAtDecoded: atDecoded, threads: threads)
    }

    /// Publishes `count` messages with `mosquitto_pub -l -M 1000`, in runs of 50,000 lines (a QoS 1 run stops at
    /// 65,535 messages, see MEASURED.md), each run on its own charger topic. It exits once every QoS 1 message is
    /// acknowledged. Returns the publisher's CPU seconds, so the caller can take them out of its children's total.
    @discardableResult
    static func publish(port: Int, qos: Int, count: Int, payloads: [[UInt8]]) -> Double {
        let before = childrenCPU()
        var sent = 0
        var run = 0
        while sent < count {
            let n = min(50_000, count - sent)
            var input: [UInt8] = []
            input.reserveCapacity(n * 720)
            for i in 0..<n {
                input += payloads[(sent + i) % payloads.count]
                input.append(0x0A)
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
            process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-q", "\(qos)", "-M", "1000", "-t",
                                 "ocpp/CP-\(run)/in", "-l"]
            let pipe = Pipe()
            process.standardInput = pipe
            try? process.run()
            pipe.fileHandleForWriting.write(Data(input))
            try? pipe.fileHandleForWriting.close()
            process.waitUntilExit()
            sent += n
            run += 1
        }
        return childrenCPU() - before
    }

    /// CPU seconds of a live process's threads (/proc/PID/task/*/stat, utime + stime), summed by thread name, or
    /// one entry per thread (`byTask`: "name/tid"; libmosquitto's network thread and the main thread both carry the
    /// process's name).
    static func threadCPU(pid: Int32, byTask: Bool = false) -> [(name: String, seconds: Double)] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var byName: [String: Double] = [:]
        for task in tasks {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            let name = String(stat[stat.index(after: open)..<close]) + (byTask ? "/\(task)" : "")
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            byName[name, default: 0] += (user + system) / ticks
        }
        return byName.map { ($0.key, $0.value) }
    }

    static func childrenCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Samples a process's CPU time and peak resident memory every 5 ms until `stop()`: the last samples before it
    /// exits.
    final class CPUSampler: @unchecked Sendable {
        // Guarded by `lock`.
        private let lock = NSLock()
        private var last = 0.0
        private var peak = 0
        private var running = true

        init(pid: Int32) {
            Thread.detachNewThread { [self] in
                while lock.withLock({ running }) {
                    let seconds = LiveIngestBenchmark.processCPU(pid: pid)
                    let rss = LiveIngestBenchmark.peakRSS(pid: pid)
                    lock.withLock {
                        if seconds > 0 { last = seconds }
                        peak = max(peak, rss)
                    }
                    Thread.sleep(forTimeInterval: 0.005)
                }
            }
        }

        func stop() -> (cpuSeconds: Double, peakRSS: Int) {
            lock.withLock {
                running = false
                return (last, peak)
            }
        }
    }

    /// A process's CPU seconds (user + system) over all its threads, those gone included (/proc/PID/stat).
    static func processCPU(pid: Int32) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / ticks
    }

    static func peakRSS(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// One value from the /metrics text (a plain HTTP GET over a socket).
    static func metric(_ name: String, port: Int) -> Double? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += chunk[0..<n]
        }
        for line in String(decoding: response, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }
}
