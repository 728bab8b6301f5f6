/// The candidate closest to a misspelt `word`, for "did you mean" hints in messages; nil when
/// none is close enough.
///
/// Closeness is the optimal-string-alignment distance (Levenshtein plus swaps of adjacent
/// letters, so `emial` is one edit from `email`), ignoring case. A candidate counts when it is
/// at most 1 edit away if the longer of the two names has up to 4 characters, 2 up to 8, and
/// 3 beyond (so `parent` finds `parent_id`). Among equally close candidates the first wins.
/// A candidate equal to `word` (same case) is no suggestion.
public func didYouMean(_ word: String, among candidates: [String]) -> String? {
    let target = Array(word.lowercased())
    var best: (candidate: String, distance: Int)?
    for candidate in candidates where candidate != word {
        let other = Array(candidate.lowercased())
        let longer = max(target.count, other.count)
        let limit = longer <= 4 ? 1 : longer <= 8 ? 2 : 3
        let distance = editDistance(target, other)
        if distance <= limit, distance < (best?.distance ?? Int.max) {
            best = (candidate, distance)
        }
    }
    return best?.candidate
}

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
/// of adjacent characters, each costing 1, no substring edited twice.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // Three rows of the dynamic-programming table: i-2, i-1 and i.
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d = min(d, previous2[j - 2] + 1)
            }
            current[j] = d
        }
        (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
}
