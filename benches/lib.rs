//! What the benchmarks of this package share: reading back the estimates criterion just wrote,
//! to print ratios of medians measured in the same run (BENCHMARKS.md).

use std::path::PathBuf;

/// The folder criterion writes its estimates to: `criterion` in cargo's target folder, which is
/// `CARGO_TARGET_DIR` when set, else the folder three levels above this benchmark's executable
/// (`target/release/deps/<bench>-<hash>`), as criterion finds it through `cargo metadata`.
fn criterion_dir() -> Option<PathBuf> {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe().ok()?.ancestors().nth(3)?.to_path_buf(),
    };
    Some(target.join("criterion"))
}

/// The median, in nanoseconds, of the benchmark `id` (`group/function` or
/// `group/function/parameter`) as criterion just wrote it in `new/estimates.json`; `None` if it
/// has not been measured.
pub fn median_ns(id: &str) -> Option<f64> {
    let path = criterion_dir()?.join(id).join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}
