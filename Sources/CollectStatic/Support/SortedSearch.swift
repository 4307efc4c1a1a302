/// The first position in `elements`, sorted by `name` in UTF-8 order, whose name does not come
/// before `target` (`elements.count` when all do): a binary search, in place of an index of the tree.
func utf8LowerBound<Element>(_ elements: [Element], _ target: String, name: (Element) -> String) -> Int {
    var low = 0
    var high = elements.count
    while low < high {
        let middle = (low + high) / 2
        if utf8Less(name(elements[middle]), target) { low = middle + 1 } else { high = middle }
    }
    return low
}
