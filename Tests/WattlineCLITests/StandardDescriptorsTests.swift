import Foundation
import MosquittoTestSupport
import Testing

/// `wattline` started with standard input, output and error closed (`0<&- >&- 2>&-`, as some supervisors do).
@Suite struct StandardDescriptorsTests {
    /// The fixture it writes would otherwise take descriptor 1 or 2 and receive the summary meant for standard
    /// error (and Foundation's write to a closed standard error traps): it must run as it does with them open.
    @Test func closedStandardDescriptorsChangeNothingItWrites() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-stdfd")
        defer { directory.remove() }
        let wattline = try WattlineProcess.executable.path
        func simulate(_ name: String) -> [String] {
            ["simulate", "--chargers", "2", "--sites", "1", "--duration", "2h", "--seed", "4", "--start", "2026-11-20T06:00:00Z",
             "--out", directory.path + "/\(name).jsonl", "--fleet-out", directory.path + "/\(name).yaml"]
        }
        let closed = try ChildProcess("/bin/sh", ["-c", #"exec "$0" "$@" 0<&- >&- 2>&-"#, wattline] + simulate("closed"))
        #expect(closed.wait() == 0)
        let open = try WattlineProcess.run(simulate("open"))
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.stderr.contains("messages written"))
        for suffix in [".jsonl", ".yaml", ".sessions.csv"] {
            let expected = try directory.read("open" + suffix)
            #expect(!expected.isEmpty)
            #expect(try directory.read("closed" + suffix) == expected.replacingOccurrences(of: "open.", with: "closed."), "\(suffix)")
        }
    }
}
