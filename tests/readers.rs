//! The readers' memory follows the data, not what a file claims: a gzipped IDX file that
//! decompresses to more than the limit (1 GiB by default, settable) is refused from its header,
//! before anything is decompressed; the CSV reader holds about the size of the values it
//! returns, not 24 times the file; a number beyond `f32` is an error naming its line and column,
//! not an infinity; and `one_hot` of impossible sizes is an error, not a panic. Peak memory is
//! counted with `allocation_counter` (this thread's allocations).

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use allocation_counter::measure;
use backprop::Error;
use backprop::data::csv::{self, Column, CsvOptions};
use backprop::data::idx::{self, DEFAULT_MAX_BYTES, IdxOptions, IdxProblem};
use backprop::data::one_hot;

/// A file of its own in the system's temporary folder, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("backprop-readers-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A gzipped IDX images file whose content is `mebibytes` MiB of zero pixels after its header,
/// about 4.5 KB per MiB: gzip members, one per MiB, one after the other (a valid gzip file).
fn zero_images(mebibytes: u32) -> Vec<u8> {
    let mut header = vec![0, 0, 0x08, 3];
    for d in [mebibytes, 1024, 1024] {
        header.extend(d.to_be_bytes());
    }
    let zeros = vec![0u8; 1 << 20];
    let member = gzip(&zeros);
    let mut first = header;
    first.extend(&zeros);
    let mut file = gzip(&first);
    for _ in 1..mebibytes {
        file.extend(&member);
    }
    file
}

#[test]
fn idx_a_gzip_bomb_over_the_limit_is_refused_before_it_is_decompressed() {
    // 1025 MiB of content in a file of about 5 MB: over the default limit of 1 GiB.
    let bomb = TempFile::new("bomb.gz", &zero_images(1025));
    assert!(std::fs::metadata(bomb.path()).unwrap().len() < 8 << 20);
    let mut result = None;
    let counted = measure(|| result = Some(idx::read(bomb.path()).map(drop)));
    let error = result.unwrap().unwrap_err();
    assert!(
        matches!(&error, Error::Idx { problem: IdxProblem::OverLimit { promised, limit: DEFAULT_MAX_BYTES, .. }, .. }
            if *promised == 16 + (1025 << 20)),
        "{error:?}"
    );
    assert!(counted.bytes_max < 1 << 20, "{counted:?}");
}

#[test]
fn idx_the_limit_is_the_users_to_set() {
    let file = TempFile::new("four.gz", &zero_images(4)); // 4 MiB of content
    let options = IdxOptions::new().max_bytes(2 << 20);
    let error = idx::read_with(file.path(), &options).unwrap_err();
    assert!(
        matches!(error, Error::Idx { problem: IdxProblem::OverLimit { limit: 2097152, .. }, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("IdxOptions::max_bytes"), "{error}");
    let options = IdxOptions::new().max_bytes(5 << 20);
    assert_eq!(idx::read_images_with::<f32>(file.path(), &options).unwrap().dim(), (4, 1 << 20));
    assert!(idx::read_labels_with(file.path(), &options).is_err(), "images are not labels");
}

#[test]
fn idx_content_past_the_promise_is_not_decompressed() {
    // A header promising 1 MiB, followed by 64 MiB more of zeros: refused after reading what
    // it promised and one byte more, never holding the 64 MiB.
    let mut file = zero_images(1);
    let member = gzip(&vec![0u8; 1 << 20]);
    for _ in 0..64 {
        file.extend(&member);
    }
    let file = TempFile::new("trailing.gz", &file);
    let mut result = None;
    let counted = measure(|| result = Some(idx::read(file.path()).map(drop)));
    let error = result.unwrap().unwrap_err();
    assert!(matches!(error, Error::Idx { problem: IdxProblem::TrailingBytes { .. }, .. }), "{error:?}");
    assert!(counted.bytes_max < 4 << 20, "{counted:?}");
}

#[test]
fn csv_values_beyond_f32_are_an_error_naming_line_and_column() {
    let file = TempFile::new("huge.csv", b"a,b,label\n1,2,x\n3,1e39,y\n");
    let table = TempFile::new("huge-table.csv", b"a,b\n1,2\n3,1e39\n");
    let options = CsvOptions::new();
    for error in [
        csv::read::<f32>(file.path(), &Column::Last, &options).map(drop).unwrap_err(),
        csv::read_table::<f32>(table.path(), &options).map(drop).unwrap_err(),
    ] {
        let message = error.to_string();
        assert!(message.contains("line 3, column 2") && message.contains("1e39"), "{message}");
        assert!(message.contains("f32"), "{message}");
    }
    let data = csv::read::<f64>(file.path(), &Column::Last, &options).unwrap();
    assert_eq!(data.x[[1, 1]], 1e39, "in f64 it is a number like any other");
    let file = TempFile::new("tiny.csv", b"a,label\n1e-50,x\n");
    assert_eq!(
        csv::read::<f32>(file.path(), &Column::Last, &options).unwrap().x[[0, 0]],
        0.0,
        "underflow rounds to 0"
    );
}

#[test]
fn csv_reading_holds_about_the_values_it_returns() {
    // 100 000 rows of four numbers and a label: about 4 MB of text, 2.4 MB of values and labels.
    let mut text = String::from("a,b,c,d,label\n");
    for i in 0..100_000u32 {
        let v = f64::from(i) * 0.001_953_125;
        text += &format!("{:.6},{:.6},{:.6},{:.6},{}\n", v, -v, v * 0.5, 1.0 - v, i % 3);
    }
    let file = TempFile::new("big.csv", text.as_bytes());
    for (what, read) in [
        (
            "read",
            Box::new(|| csv::read::<f32>(file.path(), &Column::Last, &CsvOptions::new()).map(drop))
                as Box<dyn Fn() -> Result<(), Error>>,
        ),
        ("read_table", Box::new(|| csv::read_table::<f32>(file.path(), &CsvOptions::new()).map(drop))),
    ] {
        let counted = measure(|| read().unwrap());
        assert!(
            counted.bytes_max < 2 * text.len() as u64,
            "{what}: a peak of {} bytes for a file of {}",
            counted.bytes_max,
            text.len()
        );
    }
}

#[test]
fn one_hot_of_impossible_sizes_is_an_error_not_a_panic() {
    assert!(one_hot::<f32>(&[0], usize::MAX).is_err());
    assert!(one_hot::<f64>(&[0, 1], usize::MAX / 2 + 1).is_err());
    // 2⁶⁰ values: no overflow of the count, but more memory than any machine has.
    assert!(one_hot::<f32>(&vec![0; 1 << 20], 1 << 40).is_err());
    assert_eq!(one_hot::<f32>(&[1], 2).unwrap().row(0).to_vec(), [0.0, 1.0]);
}
