extension MosquittoBroker {
    /// The mosquitto_pub executable.
    public static let publisherExecutable = "/usr/bin/mosquitto_pub"

    /// Publishes each line as one message with `mosquitto_pub -l`, in order, and waits until all are sent (at
    /// QoS 1, acknowledged). Runs `mosquitto_pub` once per 60,000 lines: a single `-l -q 1` run stops after
    /// 65,535 messages. Empty lines are not sent.
    public func publish(topic: String, lines: [String], qos: Int = 1, retain: Bool = false, mqtt5: Bool = false) throws {
        var start = 0
        while start < lines.count {
            let end = min(start + 60_000, lines.count)
            let file = try directory.write(lines[start..<end].joined(separator: "\n") + "\n", to: "lines-\(UInt32.random(in: 0 ... .max)).txt")
            try ChildProcess.run(
                Self.publisherExecutable, publisherArguments(topic: topic, qos: qos, retain: retain, mqtt5: mqtt5) + ["-l"],
                stdinPath: file, in: directory)
            start = end
        }
    }

    /// Publishes one message with exactly these payload bytes (any size, binary, or empty) via `mosquitto_pub -f`.
    public func publish(topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false, mqtt5: Bool = false) throws {
        var arguments = publisherArguments(topic: topic, qos: qos, retain: retain, mqtt5: mqtt5)
        if payload.isEmpty {
            arguments.append("-n")
        } else {
            arguments += ["-f", try directory.write(payload, to: "payload-\(UInt32.random(in: 0 ... .max)).bin")]
        }
        try ChildProcess.run(Self.publisherExecutable, arguments, in: directory)
    }

    private func publisherArguments(topic: String, qos: Int, retain: Bool, mqtt5: Bool) -> [String] {
        var arguments = ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-q", String(qos), "-V", mqtt5 ? "mqttv5" : "mqttv311"]
        if retain { arguments.append("-r") }
        return arguments
    }
}
