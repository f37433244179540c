import Foundation
import Pipeline
import Processing
import Telemetry

/// The processors together (power levels, sessions, anomalies) on one core across 10,000 active connectors: every
/// connector charging, a MeterValues-shaped message of 8 readings every 10 s each (register, power total and per
/// phase, voltage per phase). Measured through `ProcessorStage` (queueing and event-time ordering included) and
/// through `ProcessorChain` alone; memory per connector from the process's resident size before and after.
enum ProcessorBenchmark {
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// CPU time of the calling thread (s): "on one core" is the time the thread ran, so other work on the shared
    /// machine taking the core away does not count against the processors (its cache traffic still does).
    static func threadSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func readings(connector: Int, at t: Int64, step: Int) -> [Reading] {
        let series = { (measurand: Measurand, phase: Phase?) in
            Series(site: "site-\(connector % 20)", charger: "CP-\(connector)", evse: 1, connector: 1, measurand: measurand, phase: phase)
        }
        let power = 7_000 + Double(connector % 100) * 10
        return [
            Reading(series: series(.energyActiveImportRegister, nil), timestamp: t, value: 10_000 + Double(step) * power / 360, decimals: 0),
            Reading(series: series(.powerActiveImport, nil), timestamp: t, value: power, decimals: 0),
            Reading(series: series(.powerActiveImport, .l1), timestamp: t, value: power / 3, decimals: 0),
            Reading(series: series(.powerActiveImport, .l2), timestamp: t, value: power / 3, decimals: 0),
            Reading(series: series(.powerActiveImport, .l3), timestamp: t, value: power / 3, decimals: 0),
            Reading(series: series(.voltage, .l1n), timestamp: t, value: 230.1, decimals: 1),
            Reading(series: series(.voltage, .l2n), timestamp: t, value: 229.8, decimals: 1),
            Reading(series: series(.voltage, .l3n), timestamp: t, value: 230.4, decimals: 1),
        ]
    }

    static func run(connectors: Int = 10_000, steps: Int = 30, chain runChain: Bool = true, stage runStage: Bool = true) {
        print()
        print("## Processors (power levels + sessions + anomalies), one core, \(connectors) active connectors, 8 readings per message")
        guard let pipeline = try? PipelineDefinition.load(yaml: """
            broker:
              url: mqtt://127.0.0.1:1883
            topics:
              - template: ev/{site}/{charger}/{connector}/{stream}
                format: compact
            """, fileName: "bench.yaml", environment: [:]) else { return }
        let start: Int64 = 1_795_248_000_000
        // Messages prepared up front: only the processors are timed.
        let messages: [[[Reading]]] = (0..<steps).map { step in
            (0..<connectors).map { readings(connector: $0, at: start + Int64(step) * 10_000 + Int64($0 % 10_000), step: step) }
        }
        let total = steps * connectors * 8
        let widths = [-58, 14, 16]
        print(row(["path", "readings/s", "bytes/connector"], widths: widths))

        // The chain alone, three times over fresh chains (the machine is shared: the best pass is reported). The
        // first step creates every connector's state; it is timed apart from the steady steps after it.
        var best = 0.0, firstStep = 0.0, perConnector = 0
        for pass in 0..<(runChain ? 3 : 0) {
            let before = residentBytes()
            guard var chain = try? ProcessorChain(pipeline: pipeline) else { return }
            var elapsed = 0.0
            for (step, batch) in messages.enumerated() {
                let began = threadSeconds()
                for message in batch {
                    // Read in place: a `for reading in message` copy of each reading is the benchmark's cost, not the
                    // processors' (the stage below reads its queue in place too).
                    message.withUnsafeBufferPointer { readings in
                        for k in readings.indices { chain.apply(readings[k], receivedAt: readings[k].timestamp + 200) }
                    }
                }
                chain.advance(to: start + Int64(step) * 10_000 + 10_200)
                let seconds = threadSeconds() - began
                if step == 0 {
                    firstStep = max(firstStep, Double(connectors * 8) / seconds)
                } else {
                    elapsed += seconds
                }
            }
            if pass == 0 { perConnector = (residentBytes() - before) / connectors }
            best = max(best, Double(total - connectors * 8) / elapsed)
            _ = chain.sessions.drainClosed()
        }
        if runChain {
            print(row(["ProcessorChain.apply (steady, best of 3)", fmt(best), "\(perConnector)"], widths: widths))
            print(row(["ProcessorChain.apply (first step: state created)", fmt(firstStep), ""], widths: widths))
            // One long session: a single connector's transaction, 20,000 messages 10 s apart (2 days 7 hours). A
            // session's curve and billing trace grow with it; a reading must cost the same at its end as at its
            // start (until 2026-12-07 every reading naming its transaction copied both whole: quadratic).
            let long = (0..<20_000).map { step in
                readings(connector: 0, at: start + Int64(step) * 10_000, step: step).map { reading in
                    var reading = reading
                    reading.transactionId = "4711"
                    return reading
                }
            }
            if var chain = try? ProcessorChain(pipeline: pipeline) {
                var halves = [0.0, 0.0]
                for (step, message) in long.enumerated() {
                    let began = threadSeconds()
                    message.withUnsafeBufferPointer { readings in
                        for k in readings.indices { chain.apply(readings[k], receivedAt: readings[k].timestamp + 200) }
                    }
                    halves[step < long.count / 2 ? 0 : 1] += threadSeconds() - began
                }
                let perHalf = Double(long.count / 2 * 8)
                print(row(["one session of 20,000 messages, first half", fmt(perHalf / halves[0]), ""],
                          widths: widths))
                print(row(["one session of 20,000 messages, second half", fmt(perHalf / halves[1]), ""],
                          widths: widths))
            }
        }

        // The stage: queue, watermark, event-time ordering, as the worker drives it (results not committed): released
        // readings handed over in arrays (prepared up front, as the reordering window makes them), applied every 512
        // messages. Best of three fresh stages, like the chain; the first step (every connector's state created) is
        // timed apart from the steady ones.
        var lsn: UInt64 = 0
        let released: [[[ReleasedReading]]] = messages.map { batch in
            stride(from: 0, to: batch.count, by: 512).map { first in
                batch[first..<min(first + 512, batch.count)].flatMap { message in
                    lsn += 1
                    return message.map { ReleasedReading(reading: $0, lsn: lsn) }
                }
            }
        }
        // A record's receive time, 200 ms after its readings' event time (the worker looks it up the same way).
        let receiveTime = { (lsn: UInt64) -> Int64 in
            let record = Int64(lsn - 1), n = Int64(connectors)
            return start + record / n * 10_000 + record % n % 10_000 + 200
        }
        var stageBest = 0.0, stageFirstStep = 0.0
        for pass in 0..<(runStage ? 3 : 0) {
            let path = NSTemporaryDirectory() + "wattline-processor-bench-\(getpid())-\(pass).db"
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            guard let stage = try? ProcessorStage(databasePath: path, pipeline: pipeline) else { return }
            var elapsed = 0.0
            for (step, arrays) in released.enumerated() {
                let began = threadSeconds()
                for array in arrays {
                    stage.accept(released: array, receiveTime: receiveTime)
                    stage.apply(through: array[array.count - 1].lsn)
                }
                let seconds = threadSeconds() - began
                if step == 0 {
                    stageFirstStep = max(stageFirstStep, Double(connectors * 8) / seconds)
                } else {
                    elapsed += seconds
                }
            }
            stageBest = max(stageBest, Double(total - connectors * 8) / elapsed)
            stage.close()
        }
        if runStage {
            print(row(["ProcessorStage (queue + order + apply, steady, best of 3)", fmt(stageBest), ""], widths: widths))
            print(row(["ProcessorStage (first step: state created)", fmt(stageFirstStep), ""], widths: widths))
        }
        print("target: ≥ 3,000,000 readings/s on one core across 10,000 active connectors; memory per connector reported")
    }
}
