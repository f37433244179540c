import ArgumentParser
import Dispatch
import Foundation
import MQTT
import Pipeline
import Recording
import Synchronization
import Telemetry

/// `wattline record`: raw MQTT traffic with its delivery facts, into a fixture analysts can replay.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record MQTT messages (receive time, topic, QoS, retain, payload) into a fixture file.",
        discussion: """
            Subscribes with a clean session (a recording leaves no session behind on the broker) and writes one \
            fixture line per message (docs/fixture-format.md). A .zst file gets a zstd frame at least every second, \
            so a recording cut short still reads. Stops after --duration, after --count messages, or on Ctrl-C.
            """
    )

    @Option(help: "The broker (mqtt://host:port).")
    var broker: String

    @Option(name: .long, help: "A topic filter to record; repeat for several.")
    var topic: [String]

    @Option(help: "The fixture to write (.jsonl, or .jsonl.zst for zstd).")
    var out: String

    @Option(help: "Stop after this long (e.g. 30s, 10m, 1h).")
    var duration: String?

    @Option(help: "Stop after this many messages.")
    var count: Int?

    @Option(help: "The QoS to subscribe with (0, 1 or 2).")
    var qos: Int = 1

    @Option(help: "The MQTT client id.")
    var clientID: String = "wattline-record-\(getpid())"

    @Flag(help: "Replace the output file if it exists.")
    var overwrite = false

    func validate() throws {
        guard !topic.isEmpty else { throw ValidationError("name at least one --topic filter") }
        if let duration, DurationText.parse(duration) == nil { throw ValidationError("--duration: \(DurationText.expectation)") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        guard (0...2).contains(qos) else { throw ValidationError("--qos is 0, 1 or 2") }
    }

    /// What the network thread and the main thread share, behind the mutex.
    struct State: ~Copyable {
        var writer: FixtureWriter?
        var recorded = 0
        var failure: String?
    }

    func run() throws {
        let url: BrokerURL
        switch BrokerURL.parse(broker) {
        case .success(let parsed): url = parsed
        case .failure(let error):
            printError("--broker: \(error)")
            throw ExitCode(2)
        }
        let writer: FixtureWriter
        do { writer = try FixtureWriter(path: out, overwrite: overwrite) } catch {
            printError("wattline record: \(error)")
            throw ExitCode(1)
        }
        // Stop on SIGINT/SIGTERM, the duration, or the count: whichever comes first signals `done`.
        let done = DispatchSemaphore(value: 0)
        StopSignals.deliver(to: done)
        let state = Mutex(State(writer: writer))  // guards the writer and the count
        let limit = count ?? .max
        let mqttQoS = MQTTQoS(rawValue: Int32(qos)) ?? .atLeastOnce
        let options = MQTTOptions(host: url.host, port: url.port, clientID: clientID, session: .clean,
                                  subscriptions: topic.map { MQTTSubscription($0, qos: mqttQoS) })
        let client = try MQTTClient(options: options, onEvent: { event in
            if case .connected = event { printError("wattline record: recording \(topic.joined(separator: ", ")) from \(url)") }
            if case .subscriptionRefused(let filter, let error) = event { printError("wattline record: '\(filter)' refused: \(error)") }
        }, onMessage: { message in
            let inbound = InboundMessage(receivedAt: Int64(Date().timeIntervalSince1970 * 1000), topic: message.topic,
                                         qos: UInt8(message.qos.rawValue), retained: message.isRetained,
                                         payload: Array(message.payload))
            let reached = state.withLock { state -> Bool in
                guard let writer = state.writer, state.recorded < limit else { return false }
                do { try writer.write(inbound) } catch { state.failure = "\(error)" }
                state.recorded += 1
                return state.recorded == limit
            }
            if reached { done.signal() }
        })
        try client.connect()
        if let duration, let length = DurationText.parse(duration) {
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(DurationText.milliseconds(length)) / 1000) { done.signal() }
        }
        // A zstd frame at least every second: a recording cut short still reads.
        let flusher = Thread {
            while state.withLock({ $0.writer != nil }) {
                Thread.sleep(forTimeInterval: 1)
                state.withLock { state in try? state.writer?.flushFrame() }
            }
        }
        flusher.start()
        done.wait()
        client.close()
        let (recorded, failure, closeError) = state.withLock { state -> (Int, String?, String?) in
            var closeError: String?
            do { try state.writer?.close() } catch { closeError = "\(error)" }
            state.writer = nil
            return (state.recorded, state.failure, closeError)
        }
        if let problem = failure ?? closeError {
            printError("wattline record: \(problem)")
            throw ExitCode(1)
        }
        printError("wattline record: \(recorded) messages in \(out)")
    }
}
