import Foundation
import Logging
import SluiceCore

/// Going on when the server goes away, for `load.reconnect_for`: connect again, and run the
/// call again unless its commit landed. (The leases this worker held survive in the store's
/// tables; a commit under one that expired meanwhile is refused, never loaded twice.)
extension PostgresWarehouse {
    /// - Parameter landed: after a reconnect, the call's result if it committed before the
    ///   connection went (nil: run it again).
    func withReconnect<T>(landed: (() throws -> T?)?, _ body: () throws -> T) throws -> T {
        while true {
            do {
                return try body()
            } catch let error as StoreError where error.code == .connectionLost && settings.reconnectFor != nil {
                try reconnect(after: error, within: settings.reconnectFor!)
                if let landed, let result = try landed() { return result }
            }
        }
    }

    private func reconnect(after error: StoreError, within limit: Duration) throws {
        logger.warning("lost the connection to the store; reconnecting", metadata: [
            "store": "\(location)", "reconnect_for.seconds": "\(limit.inSeconds)", "error": "\(error.message)"])
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var last = error
        while clock.now < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            do {
                connection = try Self.connect(settings, leaseTTL: leaseTTL)
                logger.info("reconnected to the store", metadata: ["store": "\(location)"])
                return
            } catch let failure as StoreError where failure.code == .connectionLost || failure.code == .cannotOpen {
                last = failure
            }
        }
        throw StoreError("\(last.message) (gave up reconnecting after \(Int(limit.inSeconds)) s, load.reconnect_for)",
                         code: .connectionLost)
    }
}
