import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One GET over loopback: the status code and body, or nil when nothing answered.
func httpGet(_ url: String) -> (status: Int, body: String)? {
    let done = DispatchSemaphore(value: 0)
    let answer = Locked<(Int, String)?>(nil)
    var request = URLRequest(url: URL(string: url)!)
    request.timeoutInterval = 5
    URLSession.shared.dataTask(with: request) { data, response, _ in
        if let response = response as? HTTPURLResponse {
            answer.set((response.statusCode, String(decoding: data ?? Data(), as: UTF8.self)))
        }
        done.signal()
    }.resume()
    done.wait()
    return answer.value.map { (status: $0.0, body: $0.1) }
}

/// The port a binary printed it serves on (`serving ... on http://HOST:PORT`), once it has.
func servedPort(_ binary: StartedBinary) -> Int? {
    var port: Int?
    _ = eventually(seconds: 30) {
        guard let line = binary.errorsSoFar.split(separator: "\n").first(where: { $0.contains("serving /metrics") }),
              let colon = line.lastIndex(of: ":") else { return false }
        port = Int(line[line.index(after: colon)...])
        return port != nil
    }
    return port
}

/// A loopback port free right now (the kernel's choice for port 0).
func freePort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}
