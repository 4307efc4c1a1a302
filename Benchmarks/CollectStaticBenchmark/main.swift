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

/// Wall time, CPU time and peak resident memory of one child process.
struct Measurement {
    var seconds: Double
    var cpuSeconds: Double
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
    let cpu = [usage.ru_utime, usage.ru_stime].reduce(0.0) { $0 + Double($1.tv_sec) + Double($1.tv_usec) / 1e6 }
    // Linux keeps the larger of the child's peak before and after exec in wait4's maxrss, and a
    // spawned child starts in this process's memory: once this process has measured the floor, that
    // figure is its peak. The run's own report has the peak of the collectstatic process alone.
    let reported = report(output)?["peakMegabytes"] as? [String: Double]
    let peak = reported?.values.max() ?? Double(usage.ru_maxrss) / 1024
    return Measurement(seconds: seconds, cpuSeconds: cpu, peakRSSMegabytes: peak, output: output)
}

/// The `--json` report a run printed last.
func report(_ output: String) -> [String: Any]? {
    guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else { return nil }
    return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
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
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func format(_ values: [Double]) -> String { values.map { String(format: "%.2f", $0) }.joined(separator: ", ") }

/// The floor over the tree of a cold run: every distinct content the run compressed, compressed
/// again on one thread with the same policy, timing the codec calls only. Returns their CPU
/// seconds, and the number and total size of the contents.
func measureFloor(_ tree: String) throws -> (cpu: Double, contents: Int, bytes: Int) {
    let manifest = try Manifest(contentsOf: URL(fileURLWithPath: options.work + "/" + tree + "/staticfiles.json"))
    let policy = CompressionPolicy()
    var seen = Set<String>()
    var cpu = 0.0
    var bytesCompressed = 0
    for name in manifest.files.keys.sorted() {
        let entry = manifest.files[name]!
        let key = entry.integrity + "|" + ContentKind.forPath(name).rawValue
        guard policy.shouldCompress(logicalPath: name, size: entry.size), seen.insert(key).inserted else { continue }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: options.work + "/" + tree + "/" + name)))
        bytesCompressed += bytes.count
        let start = threadCPUSeconds()
        _ = try policy.variants(for: bytes, logicalPath: name)
        cpu += threadCPUSeconds() - start
    }
    return (cpu, seen.count, bytesCompressed)
}

// Each round runs cold with `--jobs 1`, cold on all cores, and measures the floor over the second
// run's tree, one after the other: the machine is shared and its speed drifts by 10% and more over
// minutes, so each run is compared with the others of its round, and the medians of the per-round
// ratios are reported.
var serialRuns: [Measurement] = []
var parallelRuns: [Measurement] = []
var floorCPUs: [Double] = []
var floorContents = (count: 0, bytes: 0)
for round in 0..<options.rounds {
    // Cold: a new STATIC_ROOT and a new cache folder (`.<name>.collectstatic`) each time.
    serialRuns.append(collect(into: "jobs1-\(round)", jobs: 1))
    parallelRuns.append(collect(into: "all-\(round)", jobs: nil))
    let floor = try measureFloor("all-\(round)")
    floorCPUs.append(floor.cpu)
    floorContents = (floor.contents, floor.bytes)
}
/// The tree of the last cold run on all cores, which the later runs update.
let tree = "all-\(options.rounds - 1)"
let serial = median(serialRuns)
let parallel = median(parallelRuns)
let floors = floorCPUs.map { $0 / Double(cores) }
let floor = median(floors)
let speedUps = zip(serialRuns, parallelRuns).map { $0.seconds / $1.seconds }
let overFloor = zip(parallelRuns, floors).map { $0.seconds / $1 }
print(
    "floor: \(floorContents.count) distinct contents, \(String(format: "%.1f", Double(floorContents.bytes) / 1_000_000)) "
        + "MB compressed in \(format(floorCPUs)) s of CPU → \(format(floors)) s on \(cores) cores")
print("cold --jobs 1 (s): " + format(serialRuns.map(\.seconds)))
print("cold all cores (s): " + format(parallelRuns.map(\.seconds)))
print("all cores ÷ --jobs 1, per round: " + format(speedUps))
print("all cores ÷ floor, per round: " + format(overFloor))
print("CPU (s) of the runs, --jobs 1: " + format(serialRuns.map(\.cpuSeconds)))
print("CPU (s) of the runs, all cores: " + format(parallelRuns.map(\.cpuSeconds)))
print(
    "cores busy in the runs on all cores: "
        + parallelRuns.map { String(format: "%.0f%%", 100 * $0.cpuSeconds / ($0.seconds * Double(cores))) }
        .joined(separator: ", "))
print(
    String(
        format: "speed-up on %d cores: %.2fx (median of the rounds; ratio of the median runs %.2fx)", cores,
        median(speedUps), serial.seconds / parallel.seconds))
print(
    String(
        format: "cold on all cores ÷ floor: %.2f (median of the rounds; ratio of the medians %.2f)",
        median(overFloor), parallel.seconds / floor))
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
    report(run.output)?["seconds"] as? [String: Double] ?? [:]
}

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
print("releases kept after the change: \(kept.previousReleases.count) previous")
try? FileManager.default.removeItem(atPath: options.work)
