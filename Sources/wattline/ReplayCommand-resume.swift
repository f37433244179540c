import ArgumentParser
import Dispatch
import Foundation
import Ingest
import MQTT
import Pipeline

extension ReplayCommand {
    /// Skips what an unfinished replay of the same fixtures already fed (the data directory's `ReplayCheckpoint`;
    /// `fixtures` has then taken it: `messagesTaken` and `ticksTaken` say how much) and returns the newest tick
    /// the log holds after the checkpoint (synthesized ticks up to it are not written again) and the checkpoint
    /// of a finished earlier replay (its fixtures may be others: `finishedEarlierNote` tells once the digest of
    /// these is known). An unfinished replay of other fixtures, or one whose checkpoint has another format, is
    /// refused. Fixtures with nothing to feed conflict with nothing.
    func resumePoint(_ fixtures: ReplayFixtures, dataDirectory data: String, logDirectory: String) throws
        -> (newestTick: Int64?, finishedEarlier: ReplayCheckpoint?) {
        guard try fixtures.peek() != nil, let previous = try ReplayCheckpoint.load(from: data) else { return (nil, nil) }
        let path = ReplayCheckpoint.path(in: data)
        if restart {
            printError("wattline replay: --restart: dropping the checkpoint (\(previous.fedText) fed)")
            return (nil, nil)
        }
        if previous.complete { return (nil, previous) }
        guard previous.canCheck(recordsTicks: fixtures.recordsTicks) else {
            throw ReplayCheckpointError.otherVersion(path: path, version: previous.version, theirs: previous.fixtures,
                                                     fed: previous.fedText)
        }
        // The entries fed before: the same content, or other fixtures.
        let skipped = try fixtures.skip(previous.fed)
        guard skipped == previous.fed, fixtures.digest.hex == previous.digest else {
            let ours = skipped < previous.fed
                ? "these hold only " + (fixtures.ticksTaken > 0
                    ? "\(fixtures.messagesTaken) messages and \(fixtures.ticksTaken) ticks" : "\(skipped) messages")
                : "the first \(skipped) of these have content \(fixtures.digest.hex)"
            throw ReplayCheckpointError.otherFixtures(path: path, theirs: previous.fixtures, theirDigest: previous.digest,
                                                      fed: previous.fedText, ours: ours)
        }
        let newestTick = try previous.resumeIndex(fixtures: fixtures, logDirectory: logDirectory).newestTick
        printError("wattline replay: resuming an interrupted replay after message \(fixtures.messagesTaken)"
                   + (fixtures.ticksTaken > 0 ? " (and \(fixtures.ticksTaken) recorded ticks)" : ""))
        return (newestTick, nil)
    }

    /// The note for a data directory that held a finished replay of other fixtures, which these were fed after;
    /// nil when it held these (or its format cannot tell).
    static func finishedEarlierNote(_ earlier: ReplayCheckpoint?, digest: ReplayDigest, dataDirectory data: String) -> String? {
        guard let earlier, earlier.version ?? 1 >= 2, earlier.digest != digest.hex else { return nil }
        return "note: \(data) held a finished replay of other fixtures (\(earlier.fixtures.joined(separator: " "))); "
            + "these were fed after it"
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
            let (lines, failure) = try ReplayRepublish(fixtures: fixtures, url: url, speed: speed ?? .factor(1), stop: stop).run()
            for line in lines { printError("wattline replay: " + line) }
            if failure != nil { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("wattline replay: \(error)")
            throw ExitCode(1)
        }
    }
}
