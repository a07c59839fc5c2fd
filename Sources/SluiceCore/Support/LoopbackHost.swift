import Foundation

/// Whether a host stays on this machine: `localhost`, 127.0.0.0/8 or `::1` (brackets allowed).
public func isLoopbackHost(_ host: String) -> Bool {
    let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    if host == "localhost" || host == "localhost." { return true }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    if octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) { return octets[0] == "127" }
    var address = in6_addr()
    guard inet_pton(AF_INET6, host, &address) == 1 else { return false }
    return withUnsafeBytes(of: &address) { Array($0) } == Array(repeating: 0, count: 15) + [1]
}
