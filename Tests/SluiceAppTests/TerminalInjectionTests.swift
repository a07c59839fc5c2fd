import Foundation
import SluiceCore
import SluiceObservability
import Synchronization
import Testing

/// Text a supplier controls (file names, header cells) reaches logs, messages and the summary
/// only escaped: it can neither forge a log line nor send a terminal an escape sequence.
@Suite struct TerminalInjectionTests {
    @Test func aFileNameOrHeaderWithControlCharactersCannotForgeALineOrReachTheTerminal() throws {
        let dir = try TemporaryDirectory()
        let forged = "2026-01-01T00:00:00Z info sluice: every file loaded"
        try writeSupplierFile(dir, "x\n\(forged).csv", "order_id\n1\n")
        try writeSupplierFile(dir, "bad-header.csv", "order_id,\u{1B}[2J\u{1B}]0;owned\u{07}\n1,2\n")
        let result = try runBinary(["run", referencePipeline, "-v", "--progress", "0",
                                    "--set", "source.root=\(dir.path("suppliers"))", "--set", "load.database=\(dir.path("db.sqlite"))"])
        #expect(result.status == 3, "\(result.stderr)")
        let output = result.stdout + result.stderr
        #expect(!output.unicodeScalars.contains { ControlCharacters.isControl($0) && $0 != "\n" }, "a control character got out")
        #expect(!output.split(separator: "\n").contains { $0.hasPrefix(forged) }, "a log line was forged")
        #expect(result.stderr.contains("x\\n\(forged).csv"), "the name is shown escaped")
        #expect(output.contains("\\u{1B}[2J"), "the header is shown escaped")
    }

    @Test func theConsoleEscapesEveryLineItWritesAndDraws() {
        let written = WrittenText()
        let console = Console { written.append($0) }
        console.write(line: "file=a\nb \u{1B}[31mred\u{9B}")
        console.draw(["one\rtwo"])
        #expect(written.text == "file=a\\nb \\u{1B}[31mred\\u{9B}\none\\rtwo\n")
    }

    @Test func escapingLeavesPlainTextAloneAndKeepsLineBreaksWhenAskedTo() {
        #expect(ControlCharacters.escaped("supplier-01/orders é.csv") == "supplier-01/orders é.csv")
        #expect(ControlCharacters.escaped("a\u{0}b\u{7F}") == "a\\u{0}b\\u{7F}")
        #expect(ControlCharacters.escapedLines("one\u{1B}\ntwo") == "one\\u{1B}\ntwo")
    }
}

/// What a console wrote, collected across threads.
final class WrittenText: Sendable {
    private let collected = Mutex("")
    func append(_ text: String) { collected.withLock { $0 += text } }
    var text: String { collected.withLock { $0 } }
}
