internal import ArgumentParser
internal import Foundation
internal import WakuCore
internal import WakuSync

/// `wakusync inspect payload`: decode a captured reconciliation payload, or encode one from JSON.
struct InspectPayload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payload",
        abstract: "Decode a reconciliation payload (hex, without its length prefix), or encode JSON with --encode.",
        discussion: """
            Bounds are shown as nwaku's decoder reconstructs them. A decode error exits with status 1 \
            and names the byte offset. With --encode, reads the JSON form on stdin and prints hex.
            """
    )

    @Argument(help: "The payload as hex.")
    var hex: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Read the JSON form on stdin and print the payload as hex.")
    var encode = false

    func validate() throws {
        if self.encode == (self.hex != nil) {
            throw ValidationError("give either a HEX payload or --encode (JSON on stdin)")
        }
    }

    func run() throws {
        if self.encode {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            do {
                let json = try JSONDecoder().decode(PayloadJSON.self, from: input)
                print(try json.payload().encoded().hexString)
            } catch let error as PayloadJSONError {
                throw CommandFailure("invalid payload JSON: \(error)")
            } catch {
                throw CommandFailure("invalid payload JSON: \(error)")
            }
            return
        }
        let bytes = try InspectHash.hex(self.hex ?? "", "payload")
        let payload: RangesData
        do {
            payload = try RangesData(decoding: bytes)
        } catch {
            throw CommandFailure("cannot decode payload: \(error)")
        }
        if self.json {
            print(try JSONOutput.string(PayloadJSON(payload)))
        } else {
            print(PayloadText.describe(payload, byteCount: bytes.count))
        }
    }
}

/// A failure to report as one line on stderr with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Human-readable rendering of payloads.
enum PayloadText {
    static func describe(_ payload: RangesData, byteCount: Int) -> String {
        var lines = ["\(byteCount) bytes, \(payload.ranges.count) ranges"]
        if payload.ranges.isEmpty {
            lines.append("no ranges: the receiver ends the session")
            return lines.joined(separator: "\n")
        }
        lines.append(
            "pubsub topics:  \(payload.pubsubTopics.isEmpty ? "(all)" : payload.pubsubTopics.joined(separator: ", "))"
        )
        lines.append(
            "content topics: \(payload.contentTopics.isEmpty ? "(all)" : payload.contentTopics.joined(separator: ", "))"
        )
        for (index, range) in payload.ranges.enumerated() {
            var line = "#\(index) [\(range.lower.timestamp), \(range.upper.timestamp)"
            if !range.upper.hash.isZero { line += " \(range.upper.hash.hex)" }
            line += "] \(range.kind.name)"
            switch range.kind {
            case .skip: break
            case .fingerprint(let fingerprint): line += " \(fingerprint.hex)"
            case .itemSet(let set):
                line += " \(set.items.count) items\(set.isReconciled ? ", reconciled" : "")"
                for item in set.items { line += "\n     \(item.timestamp) \(item.hash.hex)" }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
