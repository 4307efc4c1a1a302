// Parallel-build benchmark (release build): runs the real `collectstatic` binary on a corpus cold with
// `--jobs 1`, cold with every core, and again with nothing changed, and compares each wall time with
// the hardware floor measured in the same run: the CPU time of the raw compression calls over the
// same bytes (every distinct content the run compresses), divided by the number of cores.
//
// Usage: collectstatic-benchmark --corpus DIR [--collectstatic PATH] [--work DIR]
//   DIR/roots.txt lists the source roots (relative to DIR), as Benchmarks/make-corpus.sh writes it.
import CollectStatic
import Foundation
import StaticAssets

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var corpus = ""
    var binary = ".build/release/collectstatic"
    var work = FileManager.default.temporaryDirectory.appendingPathComponent("collectstatic-benchmark").path
    /// Cold runs with `--jobs 1` and on all cores, alternated this many times (medians are reported:
    /// on a shared machine one run can be 15% off).
    var rounds = 1

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--corpus": corpus = iterator.next() ?? ""
            case "--collectstatic": binary = iterator.next() ?? binary
            case "--work": work = iterator.next() ?? work
            case "--rounds": rounds = max(1, Int(iterator.next() ?? "") ?? 1)
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
        guard !corpus.isEmpty else {
            FileHandle.standardError.write(
                Data("usage: collectstatic-benchmark --corpus DIR [--collectstatic PATH]\n".utf8))
            exit(2)
        }
    }
}

/// Wall time and peak resident memory of one child process.
struct Measurement {
    var seconds: Double
    var peakRSSMegabytes: Double
    var output: String
}

/// Runs a command with an empty environment (as in a Docker build) and measures it with wait4.
func measure(_ executable: String, _ arguments: [String], in directory: String) -> Measurement {
    let log = directory + "/.benchmark-output"
    var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
    // The child starts in `directory` (so no collectstatic.json of the caller's is read).
    guard FileManager.default.changeCurrentDirectoryPath(directory) else {
        fatalError("cannot change into \(directory)")
    }
    var pid: pid_t = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard spawned == 0 else { fatalError("cannot run \(executable): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    argv.forEach { free($0) }
    envp.forEach { free($0) }
    posix_spawn_file_actions_destroy(&actions)
    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(atPath: log)
    guard status == 0 else { fatalError("\(executable) failed (status \(status)):\n\(output)") }
    return Measurement(seconds: seconds, peakRSSMegabytes: Double(usage.ru_maxrss) / 1024, output: output)
}

func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

let options = Options(CommandLine.arguments)
let corpus = URL(fileURLWithPath: options.corpus).standardizedFileURL.path
let roots = try String(contentsOfFile: corpus + "/roots.txt", encoding: .utf8)
    .split(separator: "\n").map { corpus + "/" + $0 }
let binary = URL(fileURLWithPath: options.binary).standardizedFileURL.path
let cores = ProcessInfo.processInfo.activeProcessorCount
// Every run writes a tree of its own, and the trees are deleted only at the end: on ext4 without a
// journal (this machine's disk) the inode allocator skips recently deleted inodes one at a time,
// so a run that started right after thousands of files were deleted would measure the
// benchmark's own clean-up (a cold `--no-compress` run: 0.5 s of system CPU on a quiet disk, 1.9 s
// right after deleting the previous tree).
try? FileManager.default.removeItem(atPath: options.work)
try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)

// The corpus as the collector sees it: first root wins, default ignore patterns.
let found = try Finder(roots: roots.map { SourceRoot(path: $0) }, ignorePatterns: Configuration.defaultIgnorePatterns)
    .find()
let corpusBytes = found.assets.reduce(0) { $0 + $1.size }
let corpusMB = Double(corpusBytes) / 1_000_000
print(
    "corpus: \(found.assets.count) files, \(String(format: "%.1f", corpusMB)) MB, \(roots.count) roots; \(cores) cores")

/// `extra` is a first source root that shadows corpus files (a release that changes them).
func collect(into name: String, jobs: Int?, extra: String? = nil) -> Measurement {
    var arguments = ["--noinput", "--static-root", options.work + "/" + name, "--missing", "warn", "--json"]
    arguments += ((extra.map { [$0] } ?? []) + roots).flatMap { ["--dir", $0] }
    if let jobs { arguments += ["--jobs", String(jobs)] }
    return measure(binary, arguments, in: options.work)
}

/// The run of median wall time.
func median(_ runs: [Measurement]) -> Measurement { runs.sorted { $0.seconds < $1.seconds }[runs.count / 2] }

var serialRuns: [Measurement] = []
var parallelRuns: [Measurement] = []
for round in 0..<options.rounds {
    // Cold: a new STATIC_ROOT and a new cache folder (`.<name>.collectstatic`) each time.
    serialRuns.append(collect(into: "jobs1-\(round)", jobs: 1))
    parallelRuns.append(collect(into: "all-\(round)", jobs: nil))
}
/// The tree of the last cold run on all cores, which the later runs update.
let tree = "all-\(options.rounds - 1)"
let serial = median(serialRuns)
let parallel = median(parallelRuns)
if options.rounds > 1 {
    print("cold --jobs 1 (s): " + serialRuns.map { String(format: "%.2f", $0.seconds) }.joined(separator: ", "))
    print("cold all cores (s): " + parallelRuns.map { String(format: "%.2f", $0.seconds) }.joined(separator: ", "))
    print(
        "all cores ÷ --jobs 1, per round: "
            + zip(serialRuns, parallelRuns).map {
                String(format: "%.2f", $0.seconds / $1.seconds)
            }.joined(separator: ", "))
}
print(String(format: "speed-up on %d cores (medians): %.2fx", cores, serial.seconds / parallel.seconds))
let rerun = collect(into: tree, jobs: nil)

// A release with one stylesheet changed (a first root shadowing it), keeping 2 previous releases.
let stylesheets = found.assets.filter { $0.logicalPath.hasSuffix(".css") }.sorted { $0.size < $1.size }
let stylesheet = stylesheets[stylesheets.count / 2]  // a stylesheet of median size
let overlay = options.work + "/overlay"
let changedPath = overlay + "/" + stylesheet.logicalPath
try FileManager.default.createDirectory(
    atPath: (changedPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
try (String(contentsOfFile: stylesheet.filePath, encoding: .utf8) + "\n.benchmark-release { color: red }\n")
    .write(toFile: changedPath, atomically: true, encoding: .utf8)
let oneChanged = collect(into: tree, jobs: nil, extra: overlay)
print("changed: \(stylesheet.logicalPath) (\(stylesheet.size) bytes)")

/// The stage timings of a run, from its `--json` report.
func stages(_ run: Measurement) -> [String: Double] {
    guard let line = run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let seconds = object["seconds"] as? [String: Double]
    else { return [:] }
    return seconds
}

// The floor: compress every distinct content the run compressed, on one thread, with the same policy.
let manifest = try Manifest(contentsOf: URL(fileURLWithPath: options.work + "/" + tree + "/staticfiles.json"))
let policy = CompressionPolicy()
var seen = Set<String>()
var floorCPU = 0.0
var floorBytes = 0
for name in manifest.files.keys.sorted() {
    let entry = manifest.files[name]!
    let key = entry.integrity + "|" + ContentKind.forPath(name).rawValue
    guard policy.shouldCompress(logicalPath: name, size: entry.size), seen.insert(key).inserted else { continue }
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: options.work + "/" + tree + "/" + name)))
    floorBytes += bytes.count
    let start = threadCPUSeconds()
    _ = try policy.variants(for: bytes, logicalPath: name)
    floorCPU += threadCPUSeconds() - start
}
let floor = floorCPU / Double(cores)
print(
    "floor: \(seen.count) distinct contents, \(String(format: "%.1f", Double(floorBytes) / 1_000_000)) MB compressed in "
        + "\(String(format: "%.2f", floorCPU)) s of CPU → \(String(format: "%.2f", floor)) s on \(cores) cores")
print("")
print("| run | wall (s) | MB/s | peak RSS (MB) | wall ÷ floor |")
print("|---|---|---|---|---|")
for (label, run) in [
    ("cold, --jobs 1", serial), ("cold, all cores", parallel), ("re-run, nothing changed", rerun),
    ("one stylesheet changed, 2 releases kept", oneChanged),
] {
    print(
        "| \(label) | \(String(format: "%.2f", run.seconds)) | \(String(format: "%.1f", corpusMB / run.seconds)) | "
            + "\(String(format: "%.0f", run.peakRSSMegabytes)) | \(String(format: "%.2f", run.seconds / floor)) |")
}
print("")
print("")
print("stages (s): find / fingerprint / plan / stage new tree / compress / publish (manifest + switch)")
for (label, run) in [("cold, all cores", parallel), ("re-run", rerun), ("one stylesheet changed", oneChanged)] {
    let seconds = stages(run)
    let order = ["find", "fingerprint", "plan", "stage", "compress", "publish"]
    print("  \(label): " + order.map { String(format: "%.3f", seconds[$0] ?? 0) }.joined(separator: " / "))
}
let kept = try Manifest(contentsOf: URL(fileURLWithPath: options.work + "/" + tree + "/staticfiles.json"))
print("releases kept after the change: \(kept.previousGenerations.count) previous")
try? FileManager.default.removeItem(atPath: options.work)
