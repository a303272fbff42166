internal import Foundation
internal import Logging
internal import Synchronization

/// Logging for the executable: records go to a file (always), and also to stderr in headless
/// mode. While the monitor owns the screen nothing may reach stdout or stderr (STYLE.md §10).
enum LogSetup {
    /// Bootstraps swift-log once and returns the node's logger.
    static func bootstrap(file path: String, alsoStandardError: Bool, label: String) throws -> Logger {
        guard
            FileManager.default.createFile(atPath: path, contents: nil) || FileManager.default.fileExists(atPath: path),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw CommandFailure("cannot write the log file \(path)")
        }
        handle.seekToEndOfFile()
        let file = LogFile(handle: handle)
        LoggingSystem.bootstrap { label in
            var handlers: [any LogHandler] = [FileLogHandler(label: label, file: file)]
            if alsoStandardError {
                var stderr = StreamLogHandler.standardError(label: label)
                stderr.logLevel = .warning
                handlers.append(stderr)
            }
            return MultiplexLogHandler(handlers)
        }
        return Logger(label: label)
    }
}

/// An append-only log file shared by every logger.
final class LogFile: Sendable {
    private let handle: Mutex<FileHandle>

    init(handle: FileHandle) {
        self.handle = Mutex(handle)
    }

    func write(_ line: String) {
        self.handle.withLock { $0.write(Data(line.utf8)) }
    }
}

/// Writes `time level label: message key=value…` lines to a ``LogFile``.
struct FileLogHandler: LogHandler {
    let label: String
    let file: LogFile
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let details = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let time = Date().formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)
        )
        self.file.write("\(time) \(event.level) \(self.label): \(event.message)\(details)\n")
    }
}
