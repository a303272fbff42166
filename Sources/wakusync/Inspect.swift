internal import ArgumentParser

/// `wakusync inspect`: offline troubleshooting tools.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Troubleshoot offline: hashes, captured payloads, replayed sessions.",
        subcommands: [
            InspectHash.self,
            InspectPayload.self,
            InspectSession.self,
        ]
    )
}
