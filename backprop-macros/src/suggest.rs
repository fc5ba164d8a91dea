//! "Did you mean" suggestions for misspelled keywords and names.

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo:
/// at most a third of the candidate's length, and at least one edit allowed.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (levenshtein(&word.to_lowercase(), &c.to_lowercase()), *c))
        .filter(|&(d, c)| d > 0 && d <= (c.len() / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// The number of single-character insertions, deletions, substitutions and adjacent
/// transpositions that turn `a` into `b` (optimal string alignment distance).
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keywords_only() {
        assert_eq!(closest("inptu", &["input", "cost"]), Some("input"));
        assert_eq!(closest("cots", &["input", "cost"]), Some("cost"));
        assert_eq!(closest("hidden", &["input", "cost"]), None);
        assert_eq!(closest("input", &["input", "cost"]), None);
        assert_eq!(closest("Reul", &["Relu", "Tanh"]), Some("Relu"));
    }
}
