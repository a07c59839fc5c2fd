import Foundation
import Testing

/// On a terminal, `sluice run` redraws a live display in place; elsewhere it prints plain lines.
@Suite struct LiveDisplayTests {
    @Test func aTerminalGetsALinePerActiveSupplierRedrawnInPlace() throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 3, files: 6, size: 4_000)
        let binary = packageRoot.appendingPathComponent(".build/debug/sluice").path
        // Starts a supplier's files 150 ms apart, so the run lasts long enough to be drawn mid-way.
        let command = [binary, "run", referencePipeline, "--set", "source.root=\(dir.path("suppliers"))",
                       "--set", "load.database=\(dir.path("staging.sqlite"))", "--set", "schema.max_invalid_ratio=1",
                       "--set", "limits.start_spacing=150ms"].map { "'\($0)'" }.joined(separator: " ")
        // `script` runs the command under a pseudo-terminal and copies what it drew.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let screen = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(screen.suffix(2_000))")
        #expect(screen.contains("\u{1B}[J"), "the display is redrawn in place")
        for supplier in ["supplier-01", "supplier-02", "supplier-03"] {
            #expect(screen.split(whereSeparator: \.isNewline).contains { $0.contains("  \(supplier)") && $0.contains("/3 open") },
                    "a line for \(supplier) with its slots against its cap: \(screen.prefix(3_000))")
        }
        #expect(screen.contains("18/18 files"), "the last frame shows the run's end")
        #expect(screen.contains("rows into staging_orders"), "the summary follows the display")
    }

    @Test func elsewhereProgressIsPlainLines() throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 3)
        let run = try runBinary(["run", referencePipeline, "--set", "source.root=\(dir.path("suppliers"))",
                                 "--set", "load.database=\(dir.path("staging.sqlite"))", "--set", "schema.max_invalid_ratio=1",
                                 "--progress", "0.001"])
        #expect(run.status == 0)
        #expect(!run.stderr.contains("\u{1B}["), "no cursor movement into a pipe")
        #expect(run.stderr.contains("progress: "))
    }
}
