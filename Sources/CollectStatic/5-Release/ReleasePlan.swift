import Foundation
import StaticAssets

/// Everything the next tree holds, decided before anything is written: this run's originals and
/// hashed copies, the hashed files of the previous releases still kept, and (without `--clear`)
/// files in STATIC_ROOT that collectstatic did not write. Also what leaves the tree.
struct ReleasePlan: Sendable {
    /// One file of the next tree. Its name, size and digest are not copied here: they are read from
    /// where the bytes come from (the fingerprinted asset, which makes a hashed name when asked), so
    /// a file costs a reference and a role.
    struct File: Sendable {
        var content: ContentSource
        var role: Role

        var name: String { fileName.text }

        /// The name as its parts, to sort and search by without making it.
        var fileName: FileName {
            switch content {
            case .asset(let asset, let hashedCopy):
                hashedCopy
                    ? FileName(logicalPath: asset.asset.logicalPath, hash: asset.nameHash)
                    : FileName(asset.asset.logicalPath)
            case .source(let asset), .symlink(let asset, _): FileName(asset.logicalPath)
            case .file(let name, _, _, _): FileName(name)
            }
        }

        var size: Int {
            switch content {
            case .asset(let asset, let hashedCopy): hashedCopy ? asset.hashedSize : asset.asset.size
            case .source(let asset), .symlink(let asset, _): asset.size
            case .file(_, _, let size, _): size
            }
        }

        /// The SHA-384 of the bytes (nil with `--no-post-process`, where nothing is hashed).
        var digest: Integrity? { content.integrity }
        /// `sha384-<base64>`, or empty where nothing is hashed.
        var integrity: String { digest?.description ?? "" }
    }

    enum Role: Sendable, Equatable {
        /// The copy under the logical name.
        case original
        /// This release's hashed copy.
        case hashed
        /// A hashed file of an earlier release, kept for pages it rendered.
        case kept
    }

    /// Every file the new manifest lists, sorted by name.
    var files: [File]
    /// Names in STATIC_ROOT that collectstatic did not write, carried over as they are.
    var carried: [String]
    /// Names in STATIC_ROOT (files the old manifest listed, their variants, or with `--clear` any
    /// file) that the new tree does not have.
    var removed: [String]
    var paths: ReleasePaths
    /// The release; for this run's, its `paths` are not copied here (they are `paths`).
    var release: ReleaseRecord
    var previous: [ReleaseRecord]

    /// The published state this plan was made against.
    var current: PublishedState
}

extension ReleasePlan {
    /// The file of the plan with this name (binary search: `files` is sorted by name).
    func file(named name: String) -> File? { index(named: name).map { files[$0] } }

    /// The index in `files` of the file with this name.
    func index(named name: String) -> Int? { Self.position(of: name, in: files) }

    /// The index of the file named `name` in `files` (sorted by name).
    static func position(of name: String, in files: [File]) -> Int? {
        let target = FileName(name)
        let low = lowerBound(files.count) { FileName.order(files[$0].fileName, target) < 0 }
        return low < files.count && FileName.order(files[low].fileName, target) == 0 ? low : nil
    }
}
