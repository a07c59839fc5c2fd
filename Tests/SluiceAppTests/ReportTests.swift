import Foundation
import SluiceApp
import SluiceCore
import Testing

/// `sluice report`: the HTML page in a real headless browser, the JSON against the store, and
/// the text of latencies per stage.
@Suite struct ReportTests {
    let dir: TemporaryDirectory
    let database: String

    init() throws {
        dir = try TemporaryDirectory()
        database = dir.path("staging.sqlite")
    }

    /// A run over 4 suppliers with 5 files each, some rows invalid; the arguments that name it.
    func loadScenario() throws -> [String] {
        _ = try generateScenario(into: dir.url, suppliers: 4, files: 5, size: 8_000, invalid: 0.03)
        let arguments = [referencePipeline, "--set", "source.root=\(dir.path("suppliers"))", "--set", "load.database=\(database)",
                         "--set", "schema.max_invalid_ratio=1"]
        let run = try runBinary(["run", "--progress", "0"] + arguments)
        #expect(run.status == 0, "\(run.stderr)")
        return arguments
    }

    @Test func theHTMLReportDrawsALanePerSupplierAndABarPerFileInARealBrowser() throws {
        let arguments = try loadScenario()
        let page = dir.path("report.html")
        let report = try runBinary(["report"] + arguments + ["--html", page])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "the page fetches nothing")

        let browser = try runChromium(["--dump-dom", "file://\(page)"], profile: dir.path("chromium"))
        #expect(browser.status == 0, "\(browser.stderr.suffix(2_000))")
        let dom = browser.stdout
        let files = try scalar(database, "SELECT COUNT(*) FROM sluice_files WHERE run_id = (SELECT MAX(id) FROM sluice_runs)")
        #expect(files == 20)
        #expect(dom.components(separatedBy: "<g class=\"lane\"").count - 1 == 4, "one lane per supplier")
        #expect(dom.components(separatedBy: "<rect class=\"bar ").count - 1 == files, "one bar per file of the run")
        #expect(dom.contains("id=\"latency\"") && dom.contains("p99"))
        #expect(dom.contains("Top quarantine reasons"))

        let screenshot = dir.path("report.png")
        let shot = try runChromium(["--screenshot=\(screenshot)", "--window-size=1300,1200", "file://\(page)"], profile: dir.path("chromium"))
        #expect(shot.status == 0, "\(shot.stderr.suffix(2_000))")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "a PNG with something drawn")
    }

    @Test func theJSONReportAgreesWithTheStore() throws {
        let arguments = try loadScenario()
        let answer = try runBinary(["report"] + arguments + ["--json"])
        #expect(answer.status == 0, "\(answer.stderr)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(RunReport.self, from: Data(answer.stdout.utf8))
        #expect(report.files.count == 20)
        #expect(report.rows(of: nil).loaded == (try scalar(database, "SELECT COUNT(*) FROM staging_orders")))
        #expect(report.rows(of: nil).reconciles)
        let quarantined = try scalar(database, "SELECT COUNT(*) FROM sluice_quarantine")
        #expect(quarantined > 0)
        #expect(report.quarantineReasons.reduce(0) { $0 + $1.count } <= quarantined)
        #expect(report.quarantineReasons.allSatisfy { !$0.examples.isEmpty && $0.examples.count <= 3 })
        #expect(report.stages.map(\.stage) == StageLatency.stages, "every stage has percentiles")
        for stage in report.stages {
            #expect(stage.count > 0)
            #expect(stage.p50 <= stage.p95 && stage.p95 <= stage.p99 && stage.p99 <= stage.max, "\(stage)")
        }
        #expect(report.stages.first { $0.stage == "file" }?.count == 20, "one duration per file")
    }

    @Test func anEarlierRunCanBeChosenAndAMissingOneIsAnError() throws {
        let arguments = try loadScenario()
        let again = try runBinary(["run", "--progress", "0"] + arguments)
        #expect(again.status == 0)
        let text = try runBinary(["report"] + arguments)
        #expect(text.stdout.contains("run 2: 0 files"), "\(text.stdout)")
        let first = try runBinary(["report"] + arguments + ["--run", "1"])
        #expect(first.status == 0)
        #expect(first.stdout.contains("run 1: 20 files"), "\(first.stdout)")
        for stage in ["slot_wait", "parse_validate", "queue_wait", "commit"] { #expect(first.stdout.contains(stage)) }
        let missing = try runBinary(["report"] + arguments + ["--run", "99"])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("no run 99"))
    }
}

@Suite struct ReportEscapingTests {
    @Test func hostileNamesAndRowsStayText() {
        // A quote followed by a combining mark is one Character but still ends an attribute.
        let supplier = "x\"\u{301} onmouseover=alert(1) y=\""
        let file = ReportedFile(supplier: supplier, file: "<script>alert(1)</script>.csv", state: "quarantined",
                                startedAt: 10, finishedAt: 11, slotWait: 0, attempts: 1, rows: RowCounts(read: 1, quarantined: 1))
        var entry = QuarantineEntry(supplier: supplier, file: file.file, kind: "row", line: 2, byteOffset: 40, rowNumber: 1,
                                    reason: "column a: '<img src=x onerror=alert(1)>' is not an integer", raw: Array("<b>&amp;'\"".utf8))
        entry.raw = Array("<img src=x onerror=alert(1)>".utf8)
        let report = RunReport(pipeline: "p<i>", run: RunRecord(id: 1, startedAt: 10, finishedAt: 12, exitCode: 3, summary: nil),
                               caps: [supplier: 3], globalCap: 8, files: [file], stages: [],
                               quarantineReasons: [QuarantineReason(reason: QuarantineReason.kind(of: entry.reason), count: 1,
                                                                    examples: [QuarantineExample(entry)])])
        let html = HTMLReport(report).render()
        #expect(!html.contains("<script>") && !html.contains("<img") && !html.contains("<i>"))
        let scalars = Array(html.unicodeScalars)
        let rawQuoteBeforeMark = zip(scalars, scalars.dropFirst()).contains { $0 == "\"" && $1 == "\u{301}" }
        #expect(!rawQuoteBeforeMark, "the supplier's quote ends no attribute")
        #expect(html.contains("&quot;\u{301} onmouseover=alert(1) y=&quot;"))
    }
}

/// Debian's chromium, headless (as root it needs --no-sandbox), its profile in `profile`.
func runChromium(_ arguments: [String], profile: String) throws -> (status: Int32, stdout: String, stderr: String) {
    try runBinary(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile)"] + arguments,
                  executable: "/usr/bin/chromium")
}
