internal import Foundation
internal import FuzzTargets

// Two builds from this file (see `scripts/fuzz.sh`):
//
// - `swift build`: the replay harness, `wakusync-fuzz <target> <file-or-dir>...`, which runs inputs
//   through an entry point (a violated invariant traps, naming the file last printed), plus
//   `list` and `seed DIR [VECTORS]`.
// - `-sanitize=fuzzer -parse-as-library -DWAKUSYNC_FUZZ`: libFuzzer's callbacks and no `main`
//   (libFuzzer brings its own); `WAKUSYNC_FUZZ_TARGET` names the entry point, and
//   `WAKUSYNC_FUZZ_SEED_OUTPUT=DIR` writes the seed corpus instead of fuzzing.

#if WAKUSYNC_FUZZ

/// The entry point this process fuzzes, resolved once before the first input.
private let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["WAKUSYNC_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        FileHandle.standardError.write(
            Data("set WAKUSYNC_FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: " "))\n".utf8)
        )
        exit(2)
    }
    return target
}()

/// libFuzzer's start-up callback. `public` because libFuzzer's `main` calls it by its C name.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<Int32>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> Int32 {
    let environment = ProcessInfo.processInfo.environment
    if let output = environment["WAKUSYNC_FUZZ_SEED_OUTPUT"] {
        exit(writeSeeds(to: output, vectors: environment["WAKUSYNC_FUZZ_VECTORS"] ?? "Tests/Vectors"))
    }
    _ = selectedTarget
    return 0
}

/// libFuzzer's per-input callback. `public` for the same reason.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selectedTarget.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// libFuzzer's driver, for programs that bring their own `main` (declared in libFuzzer's
/// `FuzzerInterface.h`; pointer and integer arguments pass the same way in Swift's and C's
/// calling conventions).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The process entry point. SwiftPM links every Swift executable with `--defsym
/// main=<module>_main`, which would leave libFuzzer's own `main` unused and this symbol undefined;
/// so it is defined here and starts libFuzzer's driver, exactly as libFuzzer's `main` does.
@_cdecl("wakusync_fuzz_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}

#else

@main
enum FuzzCommand {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "list":
            for target in FuzzTarget.all {
                print(target.name.padding(toLength: 18, withPad: " ", startingAt: 0) + target.summary)
            }
        case "seed" where arguments.count == 2 || arguments.count == 3:
            exit(writeSeeds(to: arguments[1], vectors: arguments.count == 3 ? arguments[2] : "Tests/Vectors"))
        case let name? where arguments.count >= 2:
            guard let target = FuzzTarget.named(name) else { Self.usage("no fuzz target named '\(name)'") }
            let count = Self.replay(target, Array(arguments.dropFirst()))
            print("\(target.name): \(count) inputs, no invariant violated")
        default:
            Self.usage(nil)
        }
    }

    /// Runs every file named (directories: every file inside, sorted) through `target`.
    private static func replay(_ target: FuzzTarget, _ paths: [String]) -> Int {
        var count = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                Self.usage("no such file: \(path)")
            }
            let files =
                isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(path)/\($0)" }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                // Named before it runs, so a trap's output says which input broke an invariant.
                FileHandle.standardError.write(Data("\(file)\n".utf8))
                target.run([UInt8](data))
                count += 1
            }
        }
        return count
    }

    private static func usage(_ problem: String?) -> Never {
        if let problem { FileHandle.standardError.write(Data("wakusync-fuzz: \(problem)\n".utf8)) }
        FileHandle.standardError.write(
            Data(
                """
                usage: wakusync-fuzz list
                       wakusync-fuzz seed DIR [VECTORS]   write the seed corpus to DIR/<target>/
                       wakusync-fuzz TARGET FILE-OR-DIR...  run inputs through TARGET's entry point

                """.utf8
            )
        )
        exit(2)
    }
}

#endif

/// Writes the seed corpus; the exit status for the command.
private func writeSeeds(to output: String, vectors: String) -> Int32 {
    do {
        let seeds = try FuzzSeeds(vectors: URL(fileURLWithPath: vectors, isDirectory: true))
        let count = try seeds.write(to: URL(fileURLWithPath: output, isDirectory: true))
        print("wrote \(count) seed files to \(output)")
        return 0
    } catch {
        FileHandle.standardError.write(Data("wakusync-fuzz: cannot write seeds: \(error)\n".utf8))
        return 1
    }
}
