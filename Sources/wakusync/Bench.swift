internal import ArgumentParser

/// `wakusync bench`: the performance scenarios (PERFORMANCE.md), as a table or JSON.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the performance scenarios and print their figures.",
        subcommands: [
            BenchSync.self,
            BenchIndex.self,
            BenchHash.self,
            BenchArchive.self,
            BenchNode.self,
            BenchRelay.self,
            BenchAudit.self,
            BenchTransport.self,
            BenchUI.self,
        ]
    )
}
