import ArgumentParser
import Dispatch
import Foundation
import Ingest
import MQTT
import Pipeline

extension ReplayCommand {
    /// The message to start from: after what an unfinished replay of the same fixtures already fed (the data
    /// directory's `ReplayCheckpoint`), else the first. An unfinished replay of other fixtures is refused; a
    /// finished one is only mentioned (the new fixtures are fed after it). Fixtures with no message feed nothing and
    /// conflict with nothing.
    func resumePoint(_ fixtures: ReplayFixtures, dataDirectory data: String, logDirectory: String) throws -> Int {
        guard !fixtures.messages.isEmpty, let previous = try ReplayCheckpoint.load(from: data) else { return 0 }
        if restart {
            printError("wattline replay: --restart: dropping the checkpoint (\(previous.fed) of \(previous.messages) messages fed)")
            return 0
        }
        if previous.complete {
            if previous.digest != fixtures.digest {
                printError("wattline replay: note: \(data) holds a finished replay of other fixtures "
                    + "(\(previous.fixtures.joined(separator: " "))); these are fed after it")
            }
            return 0
        }
        guard previous.digest == fixtures.digest else {
            throw ReplayCheckpointError.otherFixtures(path: ReplayCheckpoint.path(in: data), theirs: previous.fixtures,
                                                      theirDigest: previous.digest, ours: fixtures.digest,
                                                      fed: previous.fed, of: previous.messages)
        }
        let index = try previous.resumeIndex(messages: fixtures.messages, logDirectory: logDirectory)
        printError("wattline replay: resuming an interrupted replay after message \(index) of \(fixtures.messages.count)")
        return index
    }

    /// `--publish-outputs`: what the processors publish live (site load, session progress) goes to the pipeline's broker.
    func connectOutputs(_ definition: PipelineDefinition, to core: IngestCore) throws -> BrokerPublisher {
        let options = LiveIngest.publisherOptions(definition.broker, clientID: definition.broker.clientID + "-replay-\(getpid())")
        let publisher = try BrokerPublisher(options: options)
        // As live: each output carries its own QoS and retain flag (load: retained QoS 0; sessions: QoS 1).
        core.setOutputPublisher { message in
            publisher.publish(topic: message.topic, payload: message.payload, qos: UInt8(message.qos), retain: message.retain)
        }
        return publisher
    }

    /// `--publish URL`: republishes the fixtures instead of processing them.
    func republish(_ fixtures: ReplayFixtures, to broker: String, stop: DispatchSemaphore) throws {
        let url: BrokerURL
        switch BrokerURL.parse(broker) {
        case .success(let parsed): url = parsed
        case .failure(let error):
            printError("--publish: \(error)")
            throw ExitCode(2)
        }
        do {
            let summary = try ReplayRepublish(fixtures: fixtures, url: url, speed: speed ?? .factor(1), stop: stop).run()
            printError("wattline replay: " + summary)
        } catch {
            printError("wattline replay: \(error)")
            throw ExitCode(1)
        }
    }
}
