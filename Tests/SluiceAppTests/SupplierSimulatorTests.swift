import Foundation
import Testing

/// `sluice-supplier-sim` serves its root and nothing else, however a path is encoded.
@Suite struct SupplierSimulatorTests {
    @Test func aSupplierOrNameThatLeavesTheRootIsNotServed() throws {
        let dir = try TemporaryDirectory()
        try writeSupplierFile(dir, "x.csv", "id\n1\n")
        let secret = dir.url.appendingPathComponent("secret")
        try FileManager.default.createDirectory(at: secret, withIntermediateDirectories: true)
        try "id\n42\n".write(to: secret.appendingPathComponent("x.csv"), atomically: true, encoding: .utf8)
        let simulator = try SupplierSimulator(root: dir.path("suppliers"), in: dir, ["--rate", "0"])
        let base = "http://127.0.0.1:\(simulator.port)"
        #expect(httpGet("\(base)/acme/files/x.csv")?.status == 200, "the root itself is served")
        for path in ["/%2F..%2Fsecret/files", "/%2F..%2Fsecret/files/x.csv", "/..%2Fsecret/files/x.csv", "/%2E%2E/files",
                     "/acme%00/files", "/acme/files/x.csv%00.txt", "/acme/files/..%2F..%2Fsecret%2Fx.csv", "/acme/files/.%2Fx.csv",
                     "/acme/files/..%5C..%5Csecret%5Cx.csv"] {
            let answer = httpGet(base + path)
            #expect(answer?.status == 404, "\(path): \(String(describing: answer))")
            #expect(answer?.body.contains("42") != true)
        }
    }
}
