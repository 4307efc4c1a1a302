/// The first position in `elements`, sorted by `name` in UTF-8 order, whose name does not come
/// before `target` (`elements.count` when all do): a binary search, in place of an index of the tree.
func utf8LowerBound<Element>(_ elements: [Element], _ target: String, name: (Element) -> String) -> Int {
    lowerBound(elements.count) { utf8Less(name(elements[$0]), target) }
}

/// The first position in `0..<count` for which `isBefore` is false, where the positions for which it
/// is true all come first (`count` when it is true for all).
func lowerBound(_ count: Int, isBefore: (Int) -> Bool) -> Int {
    var low = 0
    var high = count
    while low < high {
        let middle = (low + high) / 2
        if isBefore(middle) { low = middle + 1 } else { high = middle }
    }
    return low
}
