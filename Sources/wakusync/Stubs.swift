internal import ArgumentParser

struct BenchSync: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "sync") }
struct BenchIndex: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "index") }
struct BenchHash: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "hash") }
struct InspectHash: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "hash") }
struct InspectPayload: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "payload") }
struct InspectSession: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "session") }
