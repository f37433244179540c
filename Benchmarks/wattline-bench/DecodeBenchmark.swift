import Foundation
import Telemetry

/// Decode throughput on one core: Wattline's decoder against a bare `JSONSerialization` parse of the same payloads,
/// measured in the same run (the machine is shared and noisy: compare the ratio, not the absolute figures).
struct DecodeBenchmark {
    struct Workload {
        let name: String
        let source: MessageSource
        let messages: [InboundMessage]
        var averageBytes: Double { Double(messages.reduce(0) { $0 + $1.payload.count }) / Double(messages.count) }
    }

    static let origin = Origin(site: "bench", charger: "CP-1")

    /// `count` OCPP 1.6 MeterValues of one connector, 10 s apart (8 sampled values: register, power, current and
    /// voltage per phase), each with its own message id and timestamp.
    static func meterValues(count: Int) -> [InboundMessage] {
        let base: Int64 = 1_795_262_400_000
        func time(_ i: Int) -> String { Timestamp.format(base + Int64(i) * 10_000) }
        return (0..<count).map { i -> InboundMessage in
            let e = 1_250_000 + Double(i) * 30.5
            let a = 15.9 + Double(i % 10) / 100
            let text = """
            [2,"\(100_000 + i)","MeterValues",{"connectorId":1,"transactionId":4711,"meterValue":[{"timestamp":"\(time(i))","sampledValue":[\
            {"value":"\(String(format: "%.3f", e / 1000))","measurand":"Energy.Active.Import.Register","unit":"kWh"},\
            {"value":"\(String(format: "%.1f", a * 3 * 230))","measurand":"Power.Active.Import","unit":"W"},\
            {"value":"\(String(format: "%.2f", a))","measurand":"Current.Import","phase":"L1","unit":"A"},\
            {"value":"\(String(format: "%.2f", a + 0.02))","measurand":"Current.Import","phase":"L2","unit":"A"},\
            {"value":"\(String(format: "%.2f", a - 0.01))","measurand":"Current.Import","phase":"L3","unit":"A"},\
            {"value":"\(String(format: "%.1f", 229.5 + Double(i % 7) / 10))","measurand":"Voltage","phase":"L1-N","unit":"V"},\
            {"value":"\(String(format: "%.1f", 230.5 - Double(i % 5) / 10))","measurand":"Voltage","phase":"L2-N","unit":"V"},\
            {"value":"\(String(format: "%.1f", 230.0 + Double(i % 3) / 10))","measurand":"Voltage","phase":"L3-N","unit":"V"}]}]}]
            """
            return InboundMessage(receivedAt: base + Int64(i) * 10_000, topic: "ocpp/CP-1/in", qos: 1, text: text)
        }
    }

    /// 1,000 distinct payloads per workload, so nothing is served from a cache of one message.
    static func workloads() -> [Workload] {
        let base: Int64 = 1_795_262_400_000
        func time(_ i: Int) -> String { Timestamp.format(base + Int64(i) * 10_000) }
        let meterValues = Self.meterValues(count: 1000)
        let transactionEvents = (0..<1000).map { i -> InboundMessage in
            let text = """
            [2,"\(200_000 + i)","TransactionEvent",{"eventType":"Updated","timestamp":"\(time(i))","triggerReason":"MeterValuePeriodic",\
            "seqNo":\(i + 1),"offline":false,"evse":{"id":1,"connectorId":1},"transactionInfo":{"transactionId":"8d5f0b52-6f8e-4a36-9c1e-0b7a3c2d1e4f",\
            "chargingState":"Charging"},"meterValue":[{"timestamp":"\(time(i))","sampledValue":[\
            {"value":\(String(format: "%.3f", 50210.25 + Double(i) * 2.467)),"measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"kWh"}},\
            {"value":\(String(format: "%.1f", 148.0 - Double(i % 40) / 10)),"context":"Sample.Periodic","measurand":"Power.Active.Import","unitOfMeasure":{"unit":"W","multiplier":3}},\
            {"value":\(23 + i % 70),"context":"Sample.Periodic","measurand":"SoC","location":"EV","unitOfMeasure":{"unit":"Percent"}},\
            {"value":\(String(format: "%.1f", 402.5 + Double(i % 9) / 10)),"context":"Sample.Periodic","measurand":"Voltage","unitOfMeasure":{"unit":"V"}}]}]}]
            """
            return InboundMessage(receivedAt: base + Int64(i) * 10_000, topic: "ocpp/CP-1/in", qos: 1, text: text)
        }
        let compact = (0..<1000).map { i -> InboundMessage in
            let text = """
            {"ts":"\(time(i))","connector":1,"energy_wh":"\(String(format: "%.1f", 5000 + Double(i) * 30.5))","power_w":7320,\
            "current_a":[10.6,10.6,10.5],"voltage_v":[230.2,230.0,229.9],"soc":\(40 + i % 60),"tx":"C-1"}
            """
            return InboundMessage(receivedAt: base + Int64(i) * 10_000, topic: "ev/bench/CP-1/1/meter", qos: 1, text: text)
        }
        return [
            Workload(name: "OCPP 1.6 MeterValues (8 sampled values)",
                     source: MessageSource(origin: origin, format: .ocpp16), messages: meterValues),
            Workload(name: "OCPP 2.0.1 TransactionEvent (4 sampled values)",
                     source: MessageSource(origin: origin, format: .ocpp201), messages: transactionEvents),
            Workload(name: "compact (9 readings)",
                     source: MessageSource(origin: origin, format: .compact), messages: compact),
        ]
    }

    struct Result {
        let messagesPerSecond: Double
        let readingsPerMessage: Double
    }

    /// Best of `rounds` runs of at least `seconds` each.
    static func measure(rounds: Int = 5, seconds: Double = 0.4, _ body: () -> Int) -> Double {
        var best = 0.0
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            var count = 0
            var elapsed = 0.0
            repeat {
                count += body()
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            } while elapsed < seconds
            best = max(best, Double(count) / elapsed)
        }
        return best
    }

    static func decode(_ workload: Workload) -> Result {
        let decoder = TelemetryDecoder()
        var output = DecodeOutput()
        var readings = 0
        var failures = 0
        for message in workload.messages {
            output.removeAll()
            do throws(DecodeError) {
                try decoder.decode(message, source: workload.source, into: &output)
            } catch {
                failures += 1
                print("  decode failed: \(error)")
            }
            readings += output.readings.count
        }
        precondition(failures == 0, "the benchmark payloads must decode")
        let rate = measure {
            for message in workload.messages {
                output.removeAll()
                try? decoder.decode(message, source: workload.source, into: &output)
            }
            return workload.messages.count
        }
        return Result(messagesPerSecond: rate, readingsPerMessage: Double(readings) / Double(workload.messages.count))
    }

    static func jsonSerialization(_ workload: Workload) -> Double {
        let data = workload.messages.map { Data($0.payload) }
        return measure {
            var objects = 0
            for payload in data {
                if (try? JSONSerialization.jsonObject(with: payload)) != nil { objects += 1 }
            }
            precondition(objects == data.count)
            return data.count
        }
    }
}
