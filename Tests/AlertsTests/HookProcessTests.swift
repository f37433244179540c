import Foundation
import MosquittoTestSupport
import Testing
@testable import Alerts

/// One run of a real executable: input, environment, exit status, timeout with the whole process group, bounded
/// output.
@Suite struct HookProcessTests {
    @Test func theEventArrivesOnStdinWithItsEnvironment() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-hook")
        defer { dir.remove() }
        let hook = try dir.script("hook.sh", "cat > \"$1\"; env | grep '^WATTLINE_' | sort > \"$2\"; echo done")
        let outcome = HookProcess.run([hook, dir.path + "/in.json", dir.path + "/env.txt"], input: Array("{\"a\":1}\n".utf8),
                                      environment: ["WATTLINE_CHARGER": "CP-1", "PATH": "/usr/bin:/bin"], timeoutMs: 5_000)
        #expect(outcome.ending == .exited(0))
        #expect(outcome.delivered)
        #expect(dir.text("in.json") == "{\"a\":1}\n")
        #expect(dir.lines("env.txt") == ["WATTLINE_CHARGER=CP-1"])
        #expect(String(decoding: outcome.stdout, as: UTF8.self) == "done\n")
    }

    @Test func aNonZeroExitIsNotDelivered() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-hook")
        defer { dir.remove() }
        let hook = try dir.script("fail.sh", "echo 'no route to pager' >&2; exit 3")
        let outcome = HookProcess.run([hook], input: [], environment: [:], timeoutMs: 5_000)
        #expect(outcome.ending == .exited(3))
        #expect(!outcome.delivered)
        #expect(String(decoding: outcome.stderr, as: UTF8.self) == "no route to pager\n")
        #expect(outcome.summary == "exit status 3")
    }

    @Test func aHookThatNeverEndsIsKilledWithEverythingItStarted() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-hook")
        defer { dir.remove() }
        // It ignores SIGTERM (and so does its child), so only the group's SIGKILL ends them.
        let hook = try dir.script("hang.sh", "trap '' TERM\nsleep 1000 &\necho $! > \"$1\"\nwhile true; do sleep 1; done")
        let outcome = HookProcess.run([hook, dir.path + "/child.pid"], input: Array("{}".utf8), environment: [:], timeoutMs: 300)
        #expect(outcome.ending == .timedOut)
        #expect(outcome.durationMs >= 300 && outcome.durationMs < 5_000)
        let child = try #require(Int32(dir.text("child.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        var gone = false
        for _ in 0..<100 where !gone {
            gone = processIsGone(child)
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the hook's child \(child) outlived the timeout")
    }

    @Test func outputIsKeptUpToTheLimitAndTheRestCounted() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-hook")
        defer { dir.remove() }
        let hook = try dir.script("loud.sh", "head -c 100000 /dev/zero | tr '\\0' x")
        let outcome = HookProcess.run([hook], input: [], environment: ["PATH": "/usr/bin:/bin"], timeoutMs: 5_000)
        #expect(outcome.delivered)
        #expect(outcome.stdout.count == HookProcess.outputLimit)
        #expect(outcome.truncated == 100_000 - HookProcess.outputLimit)
    }

    @Test func aHookThatDoesNotReadItsInputIsNoProblem() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-hook")
        defer { dir.remove() }
        let hook = try dir.script("deaf.sh", "exit 0")
        let outcome = HookProcess.run([hook], input: [UInt8](repeating: 0x61, count: 1 << 20), environment: [:], timeoutMs: 5_000)
        #expect(outcome.delivered)
    }

    @Test func aMissingExecutableIsReportedNotCrashed() {
        let outcome = HookProcess.run(["/nonexistent/hook"], input: [], environment: [:], timeoutMs: 1_000)
        guard case .notStarted(let reason) = outcome.ending else {
            Issue.record("expected notStarted, got \(outcome.ending)")
            return
        }
        #expect(reason.contains("/nonexistent/hook"))
    }
}
