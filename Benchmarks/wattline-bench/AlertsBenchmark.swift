import Foundation

/// Live ingest of a simulated fleet with and without an alert hook that takes 1 s per event, in the same run: the
/// hook must not slow ingestion (its events wait in the outbox instead).
enum AlertsBenchmark {
    struct Figure {
        var seconds: Double
        var messages: Int
        var delivered: Double
        var waiting: Double
        var cpuSeconds: Double
    }

    static func run(wattline: String, chargers: Int = 60, duration: String = "1d") {
        let directory = NSTemporaryDirectory() + "wattline-bench-alerts-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (broker, port) = LiveIngestBenchmark.startBroker(directory: directory)
        defer { broker.terminate(); broker.waitUntilExit() }

        // The same seeded traffic for every variant; the fixture tells how many messages that is.
        let simulation = ["simulate", "--chargers", "\(chargers)", "--duration", duration, "--seed", "11",
                          "--start", "2026-11-20T00:00:00Z"]
        _ = launch(wattline, simulation + ["--out", directory + "/sim.jsonl", "--fleet-out", directory + "/fleet.yaml"])
        let messages = ((try? String(contentsOfFile: directory + "/sim.jsonl", encoding: .utf8)) ?? "")
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        let hook = directory + "/slow-hook.sh"
        try? "#!/bin/sh\ncat > /dev/null\nsleep 1\n".write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)

        print()
        print("## Alert hooks: live ingest of a simulated fleet (\(chargers) chargers, \(duration), \(messages) messages, published by `wattline simulate --speed max`)")
        let widths = [-34, 10, 11, 10, 12, 10]
        print(row(["variant", "msg/s", "CPU µs/msg", "events out", "events wait", "ratio"], widths: widths))
        var baseline: Double?
        for (index, variant) in ["no hook", "hook: sleep 1 s per event", "no hook (again)"].enumerated() {
            let alerts = variant.hasPrefix("hook") ? """
                alerts:
                  hooks:
                    - name: slow
                      run: \(hook)
                      on: [anomaly.*, session.*]
                      timeout: 5s
                """ : ""
            guard let figure = live(wattline, port: port, directory: directory, name: "\(index)",
                                    messages: messages, simulation: simulation, alerts: alerts) else {
                print(row([variant, "incomplete", "", "", "", ""], widths: widths))
                continue
            }
            let rate = Double(figure.messages) / figure.seconds
            if baseline == nil { baseline = rate }
            print(row([variant, fmt(rate), fmt(figure.cpuSeconds * 1e6 / Double(figure.messages), 1),
                       fmt(figure.delivered), fmt(figure.waiting), fmt(rate / (baseline ?? rate), 2) + "x"], widths: widths))
        }
        print("target: with the slow hook, the rate stays within the noise of the runs without it (the two no-hook runs show the noise)")
    }

    /// One `wattline run` with `alerts` appended to the default pipeline, fed by the simulator through the broker.
    static func live(_ wattline: String, port: Int, directory: String, name: String, messages: Int, simulation: [String],
                     alerts: String) -> Figure? {
        var pipeline = defaultPipelineText()
        pipeline = pipeline.replacingOccurrences(of: "url: mqtt://127.0.0.1:1883", with: "url: mqtt://127.0.0.1:\(port)")
            .replacingOccurrences(of: "client_id: wattline", with: "client_id: wattline-bench-\(name)")
            // A clean session: a persistent one would stay subscribed after its run, and the broker would queue
            // every later run's messages for it (each run would be slower than the one before).
            .replacingOccurrences(of: "session: persistent", with: "session: clean")
            .replacingOccurrences(of: "session_expiry: 1d", with: "")
            .replacingOccurrences(of: "include: fleet/default-fleet.yaml", with: "include: \(directory)/fleet.yaml")
        pipeline += "\n" + alerts
        let file = directory + "/pipeline-\(name).yaml"
        try? pipeline.write(toFile: file, atomically: true, encoding: .utf8)
        let metricsPort = LiveIngestBenchmark.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wattline)
        process.arguments = ["run", "--pipeline", file, "--data", directory + "/data-\(name)", "--metrics",
                             "127.0.0.1:\(metricsPort)", "--log-level", "error"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try? process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let metric = { (name: String) in LiveIngestBenchmark.metric(name, port: metricsPort) ?? 0 }
        let ready = Date().addingTimeInterval(10)
        while metric("wattline_connected") != 1 && Date() < ready { Thread.sleep(forTimeInterval: 0.05) }
        guard process.isRunning, metric("wattline_connected") == 1 else {
            print("wattline run did not connect (try `wattline check \(file)`)")
            return nil
        }
        let start = Date()
        let publisher = Thread { _ = launch(wattline, simulation + ["--speed", "max", "--broker", "mqtt://127.0.0.1:\(port)"]) }
        publisher.start()
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline {
            // Done when every message is received, decoded and through the processors (whose commits write the
            // hook events into the outbox).
            if Int(metric("wattline_messages_received_total")) >= messages && metric("wattline_messages_pending") == 0
                && metric("wattline_stage_lag_lsn") == 0 { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        guard Date() < deadline else { return nil }
        let seconds = Date().timeIntervalSince(start)
        let cpu = LiveIngestBenchmark.threadCPU(pid: process.processIdentifier).reduce(0) { $0 + $1.seconds }
        // The processors write hook events into the outbox at their commits, a few seconds behind decoding: with a
        // hook, wait until they are all there (the count stops moving) to show how many the hook still owes.
        let events = { metric("wattline_alerts_delivered_total") + metric("wattline_alerts_outbox") }
        if !alerts.isEmpty {
            var last = -1.0, stableSince = Date()
            let settle = Date().addingTimeInterval(60)
            while Date() < settle {
                let now = events()
                if now != last { (last, stableSince) = (now, Date()) }
                if now > 0, Date().timeIntervalSince(stableSince) > 3 { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        return Figure(seconds: seconds, messages: messages, delivered: metric("wattline_alerts_delivered_total"),
                      waiting: metric("wattline_alerts_outbox"), cpuSeconds: cpu)
    }

    @discardableResult
    static func launch(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try? process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
