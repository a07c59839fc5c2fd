import Foundation
import SluiceCore
import Synchronization

/// Standard error, shared by log lines, messages and the live display. A line written while
/// the display is drawn takes the display's place, and the display is drawn again below it at
/// its next tick, so nothing written meanwhile is drawn over.
public final class Console: Sendable {
    /// The process's standard error.
    public static let standardError = Console { FileHandle.standardError.write(Data($0.utf8)) }

    private let output: @Sendable (String) -> Void
    /// Lines of the display on screen now, below everything else.
    private let drawn = Mutex(0)

    public init(output: @escaping @Sendable (String) -> Void) { self.output = output }

    /// Writes one line (a newline is added) above the display, which goes until its next draw.
    /// Control characters in it (from a file name, say) are escaped: one line stays one line,
    /// and nothing but the display moves the cursor.
    public func write(line: String) {
        let line = ControlCharacters.escaped(line)
        drawn.withLock { drawn in
            output(Self.erase(drawn) + line + "\n")
            drawn = 0
        }
    }

    /// Replaces the display with `lines`.
    public func draw(_ lines: [String]) {
        drawn.withLock { drawn in
            output(Self.erase(drawn) + lines.map { ControlCharacters.escaped($0) + "\n" }.joined())
            drawn = lines.count
        }
    }

    /// Up to the display's first line, then clear to the end of the screen.
    private static func erase(_ lines: Int) -> String { lines > 0 ? "\u{1B}[\(lines)F\u{1B}[J" : "" }
}
