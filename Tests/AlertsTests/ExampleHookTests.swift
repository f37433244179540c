import Foundation
import MosquittoTestSupport
import Testing
@testable import Alerts

/// The example hooks in Pipelines/hooks, run as Wattline runs them, against a real HTTP server on loopback.
@Suite struct ExampleHookTests {
    static let hooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Pipelines/hooks").path

    static let event = AlertEvent(id: "a1:resolved", type: "anomaly.resolved", kind: "fault", severity: .critical,
                                  site: "DEPOT", charger: "CP-7", evse: 1, at: 1_764_000_000_000, message: "fault cleared")

    static func environment(_ event: AlertEvent = event) -> [String: String] {
        HookEnvironment.variables(for: [event], batched: false)
    }

    /// A one-request HTTP server (python3) on 127.0.0.1 that writes the request line, headers and body to `out`.
    final class OneShotServer {
        let process: ChildProcess
        let port: Int
        init(out: String, dir: TemporaryDirectory) throws {
            let script = try dir.write(Array("""
                import http.server, sys
                class H(http.server.BaseHTTPRequestHandler):
                    def do_POST(self):
                        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                        with open(sys.argv[1], 'w') as f:
                            f.write(self.command + ' ' + self.path + '\\n')
                            f.write('Idempotency-Key: ' + str(self.headers.get('Idempotency-Key')) + '\\n')
                            f.write(body.decode())
                        self.send_response(204); self.end_headers()
                    def log_message(self, *a): pass
                s = http.server.HTTPServer(('127.0.0.1', 0), H)
                print(s.server_address[1], flush=True)
                s.handle_request()
                """.utf8), to: "server.py")
            // Its output goes to a file the test polls for the port line (no pipe: see `ChildProcess.capture`).
            let portFile = dir.path + "/server-port.txt"
            process = try ChildProcess("/usr/bin/python3", [script, out], outputPath: portFile)
            var line = ""
            let deadline = Date().addingTimeInterval(10)
            while !line.contains("\n"), Date() < deadline, !process.hasExited {
                Thread.sleep(forTimeInterval: 0.02)
                line = (try? dir.read(portFile)) ?? ""
            }
            port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        deinit {
            process.send(SIGTERM)
            process.wait()
        }
    }

    @Test func logToFileAppendsTheEvent() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-example-hook")
        defer { dir.remove() }
        let input = Self.event.jsonText()
        for _ in 0..<2 {
            let outcome = HookProcess.run([Self.hooks + "/log-to-file.sh", dir.path + "/alerts.jsonl"], input: Array(input.utf8),
                                          environment: Self.environment(), timeoutMs: 5_000)
            #expect(outcome.delivered, "\(outcome.summary) \(String(decoding: outcome.stderr, as: UTF8.self))")
        }
        #expect(dir.lines("alerts.jsonl") == [input, input])
    }

    @Test func webhookPostsTheEventWithItsIdAsIdempotencyKey() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-example-hook")
        defer { dir.remove() }
        let server = try OneShotServer(out: dir.path + "/request.txt", dir: dir)
        let outcome = HookProcess.run([Self.hooks + "/webhook.sh", "http://127.0.0.1:\(server.port)/alerts"],
                                      input: Array(Self.event.jsonText().utf8), environment: Self.environment(), timeoutMs: 10_000)
        #expect(outcome.delivered, "\(outcome.summary) \(String(decoding: outcome.stderr, as: UTF8.self))")
        server.process.wait()
        #expect(dir.lines("request.txt") == ["POST /alerts", "Idempotency-Key: a1:resolved", Self.event.jsonText()])
    }

    @Test func webhookFailsWhenNobodyListens() throws {
        let outcome = HookProcess.run([Self.hooks + "/webhook.sh", "http://127.0.0.1:9/alerts"],
                                      input: Array(Self.event.jsonText().utf8), environment: Self.environment(), timeoutMs: 10_000)
        #expect(!outcome.delivered)
    }

    @Test func restartChargerAsksTheBackEndAndRefusesStrangeIds() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-example-hook")
        defer { dir.remove() }
        let server = try OneShotServer(out: dir.path + "/request.txt", dir: dir)
        let outcome = HookProcess.run([Self.hooks + "/restart-charger.sh", "http://127.0.0.1:\(server.port)/api/chargers"],
                                      input: Array(Self.event.jsonText().utf8), environment: Self.environment(), timeoutMs: 10_000)
        #expect(outcome.delivered, "\(outcome.summary) \(String(decoding: outcome.stderr, as: UTF8.self))")
        server.process.wait()
        #expect(dir.lines("request.txt") == ["POST /api/chargers/CP-7/reset", "Idempotency-Key: a1:resolved", "{\"type\":\"Soft\"}"])

        var strange = Self.event
        strange.charger = "CP-7/../../admin"
        let refused = HookProcess.run([Self.hooks + "/restart-charger.sh", "http://127.0.0.1:9/api/chargers"],
                                      input: [], environment: Self.environment(strange), timeoutMs: 5_000)
        #expect(refused.ending == .exited(2))
    }

    @Test func sendmailSaysSoWhenThereIsNone() throws {
        guard !FileManager.default.isExecutableFile(atPath: "/usr/sbin/sendmail") else { return }
        var environment = Self.environment()
        environment["PATH"] = "/usr/bin:/bin"
        let outcome = HookProcess.run([Self.hooks + "/sendmail.sh", "ops@example.net"], input: Array("{}".utf8),
                                      environment: environment, timeoutMs: 5_000)
        #expect(outcome.ending == .exited(1))
        #expect(String(decoding: outcome.stderr, as: UTF8.self).contains("no sendmail"))
    }
}
