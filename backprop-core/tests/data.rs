//! Tests of the data module: the IDX and CSV readers on files the tests write themselves
//! (good ones, and truncated, malformed and mismatched ones, which must give typed errors and
//! never panic), standardisation against values computed independently (in Python), one-hot
//! rows, the seeded split, and the bundled Fashion-MNIST subset and iris data set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use backprop_core::Error;
use backprop_core::data::csv::{self, Column, CsvOptions, CsvProblem};
use backprop_core::data::idx::{self, IdxData, IdxProblem, IdxType};
use backprop_core::data::{
    Dataset, Standardizer, fashion_mnist, iris, one_hot, permutation, split, split_indices,
};
use ndarray::{Array2, array};

mod common;

use common::assert_close;

// ---------------------------------------------------------------------------------------------
// Files the tests write

/// A folder of its own in the system's temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("backprop-data-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// The path of `name` in the folder.
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `bytes` to the file `name` of the folder.
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `bytes`, gzipped.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// An IDX header: two zero bytes, the type code, the number of dimensions, the sizes.
fn header(code: u8, dims: &[u32]) -> Vec<u8> {
    let mut bytes = vec![0, 0, code, dims.len() as u8];
    for d in dims {
        bytes.extend(d.to_be_bytes());
    }
    bytes
}

/// An images file of `count` images of 2×3 pixels, pixel k of image i being (40 i + k) mod 256.
fn images_file(count: u32) -> Vec<u8> {
    let mut bytes = header(0x08, &[count, 2, 3]);
    bytes.extend((0..count * 6).map(|k| ((k / 6) * 40 + k % 6) as u8));
    bytes
}

/// A labels file.
fn labels_file(labels: &[u8]) -> Vec<u8> {
    let mut bytes = header(0x08, &[labels.len() as u32]);
    bytes.extend(labels);
    bytes
}

/// The problem of an [`Error::Idx`], checking that it names `path`.
#[track_caller]
fn idx_problem<T: std::fmt::Debug>(result: Result<T, Error>, path: &Path) -> IdxProblem {
    match result {
        Err(Error::Idx { path: p, problem }) => {
            assert_eq!(p, path);
            problem
        }
        other => panic!("expected an IDX error for {}, got {other:?}", path.display()),
    }
}

/// The problem of an [`Error::Csv`], checking that it names `path`.
#[track_caller]
fn csv_problem<T: std::fmt::Debug>(result: Result<T, Error>, path: &Path) -> CsvProblem {
    match result {
        Err(Error::Csv { path: p, problem }) => {
            assert_eq!(p, path);
            problem
        }
        other => panic!("expected a CSV error for {}, got {other:?}", path.display()),
    }
}

// ---------------------------------------------------------------------------------------------
// IDX

#[test]
fn idx_images_read_alike_plain_and_gzipped_scaled_to_the_unit_interval() {
    let dir = Scratch::new();
    for (name, bytes) in [("plain", images_file(3)), ("gz", gzip(&images_file(3)))] {
        let path = dir.write(name, &bytes);
        let x = idx::read_images::<f64>(&path).unwrap();
        assert_eq!(x.dim(), (3, 6), "{name}");
        assert_eq!(x[[0, 0]], 0.0);
        assert_eq!(x[[0, 5]], 5.0 / 255.0);
        assert_eq!(x[[2, 1]], 81.0 / 255.0);
        let x = idx::read_images::<f32>(&path).unwrap();
        assert_eq!(x[[2, 1]], 81.0f32 / 255.0, "p / 255 rounded once");
        let array = idx::read(&path).unwrap();
        assert_eq!(array.dims, [3, 2, 3]);
        assert_eq!(array.magic(), idx::IMAGES_MAGIC);
    }
}

#[test]
fn idx_reads_every_type_of_the_format_big_endian() {
    let dir = Scratch::new();
    let cases: Vec<(u8, Vec<u8>, IdxData)> = vec![
        (0x09, vec![0xFF, 0x7F, 0x80], IdxData::I8(vec![-1, 127, -128])),
        (
            0x0B,
            [-2i16, 300, 7].iter().flat_map(|v| v.to_be_bytes()).collect(),
            IdxData::I16(vec![-2, 300, 7]),
        ),
        (
            0x0C,
            [-70000i32, 1, 2].iter().flat_map(|v| v.to_be_bytes()).collect(),
            IdxData::I32(vec![-70000, 1, 2]),
        ),
        (
            0x0D,
            [1.5f32, -0.25, 3e9].iter().flat_map(|v| v.to_be_bytes()).collect(),
            IdxData::F32(vec![1.5, -0.25, 3e9]),
        ),
        (
            0x0E,
            [1e-300f64, -2.0, 0.1].iter().flat_map(|v| v.to_be_bytes()).collect(),
            IdxData::F64(vec![1e-300, -2.0, 0.1]),
        ),
    ];
    for (code, values, expected) in cases {
        let mut bytes = header(code, &[3, 1]);
        bytes.extend(values);
        let array = idx::read(dir.write("typed", &gzip(&bytes))).unwrap();
        assert_eq!(array.dims, [3, 1]);
        assert_eq!(array.data.dtype(), IdxType::from_code(code).unwrap());
        assert_eq!(array.data.to_f64(), expected.to_f64());
        assert_eq!(array.data, expected);
    }
}

#[test]
fn idx_labels_and_a_pair_make_a_data_set() {
    let dir = Scratch::new();
    let images = dir.write("images", &gzip(&images_file(4)));
    let labels = dir.write("labels", &labels_file(&[2, 0, 1, 2]));
    assert_eq!(idx::read_labels(&labels).unwrap(), [2, 0, 1, 2]);
    let classes = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let data = idx::read_dataset::<f32>(&images, &labels, classes).unwrap();
    assert_eq!((data.len(), data.features(), data.num_classes()), (4, 6, 3));
    assert_eq!(data.class_counts(), [1, 1, 2]);
}

#[test]
fn idx_image_and_label_counts_must_match() {
    let dir = Scratch::new();
    let images = dir.write("images", &images_file(4));
    let labels = dir.write("labels", &labels_file(&[0, 1, 0]));
    let error = idx::read_dataset::<f32>(&images, &labels, vec!["a".into(), "b".into()]).unwrap_err();
    assert_eq!(
        error,
        Error::ImageLabelCount {
            images_path: images.clone(),
            images: 4,
            labels_path: labels.clone(),
            labels: 3
        }
    );
    let message = error.to_string();
    assert!(message.contains(&*images.to_string_lossy()) && message.contains("4 images"), "{message}");
}

#[test]
fn idx_labels_beyond_the_classes_name_the_labels_file() {
    let dir = Scratch::new();
    let images = dir.write("images", &images_file(2));
    let labels = dir.write("labels", &labels_file(&[0, 5]));
    let problem =
        idx_problem(idx::read_dataset::<f32>(&images, &labels, vec!["a".into(), "b".into()]), &labels);
    assert_eq!(problem, IdxProblem::LabelOutOfRange { index: 1, label: 5, classes: 2 });
}

#[test]
fn idx_a_truncated_file_says_how_long_it_is_and_what_the_header_promises() {
    let dir = Scratch::new();
    let mut bytes = images_file(2);
    bytes.truncate(bytes.len() - 3); // 16 + 12 promised, 16 + 9 there
    let path = dir.write("truncated", &bytes);
    let problem = idx_problem(idx::read_images::<f32>(&path), &path);
    assert_eq!(
        problem,
        IdxProblem::Truncated { dtype: IdxType::U8, dims: vec![2, 2, 3], expected: 28, found: 25 }
    );
    let message = Error::Idx { path: path.clone(), problem }.to_string();
    assert!(message.starts_with(&*path.to_string_lossy()), "{message}");
    assert!(message.contains("ends after 25 bytes") && message.contains("promises 28"), "{message}");

    // The same content, gzipped: the counts are of the decompressed content.
    let path = dir.write("truncated.gz", &gzip(&bytes));
    let problem = idx_problem(idx::read_images::<f32>(&path), &path);
    assert!(matches!(problem, IdxProblem::Truncated { expected: 28, found: 25, .. }), "{problem:?}");
}

#[test]
fn idx_a_cut_gzip_stream_is_an_idx_error_not_a_panic() {
    let dir = Scratch::new();
    let compressed = gzip(&images_file(50));
    for cut in [3, 10, compressed.len() / 2, compressed.len() - 4] {
        let path = dir.write("cut.gz", &compressed[..cut]);
        let problem = idx_problem(idx::read_images::<f32>(&path), &path);
        assert!(
            matches!(
                problem,
                IdxProblem::Gzip { .. } | IdxProblem::Truncated { .. } | IdxProblem::ShortHeader { .. }
            ),
            "cut at {cut}: {problem:?}"
        );
    }
}

#[test]
fn idx_a_header_cut_short_is_a_short_header() {
    let dir = Scratch::new();
    let path = dir.write("empty", &[]);
    assert_eq!(idx_problem(idx::read(&path), &path), IdxProblem::ShortHeader { expected: 4, found: 0 });
    let path = dir.write("short", &images_file(1)[..9]);
    assert_eq!(idx_problem(idx::read(&path), &path), IdxProblem::ShortHeader { expected: 16, found: 9 });
}

#[test]
fn idx_wrong_magic_numbers_are_named() {
    let dir = Scratch::new();
    let path = dir.write("text", b"hello world");
    assert_eq!(idx_problem(idx::read(&path), &path), IdxProblem::NotIdx { magic: *b"hell" });

    let path = dir.write("unknown-type", &header(0x0A, &[1]));
    assert_eq!(idx_problem(idx::read(&path), &path), IdxProblem::UnknownType { code: 0x0A });

    let labels = dir.write("labels", &labels_file(&[1, 2]));
    let problem = idx_problem(idx::read_images::<f32>(&labels), &labels);
    assert_eq!(
        problem,
        IdxProblem::UnexpectedMagic { what: "images (u8, 3 dimensions)", expected: 0x803, found: 0x801 }
    );
    let message = Error::Idx { path: labels.clone(), problem }.to_string();
    assert!(message.contains("expected magic 0x00000803 for images"), "{message}");
    assert!(message.contains("found 0x00000801"), "{message}");

    let images = dir.write("images", &images_file(1));
    let problem = idx_problem(idx::read_labels(&images), &images);
    assert_eq!(
        problem,
        IdxProblem::UnexpectedMagic { what: "labels (u8, 1 dimension)", expected: 0x801, found: 0x803 }
    );
}

#[test]
fn idx_sizes_whose_product_overflows_are_too_large() {
    let dir = Scratch::new();
    let dims = [u32::MAX, u32::MAX, u32::MAX];
    let path = dir.write("overflow", &header(0x08, &dims));
    assert_eq!(idx_problem(idx::read(&path), &path), IdxProblem::TooLarge { dims: dims.to_vec() });
    let path = dir.write("overflow-f64", &header(0x0E, &[u32::MAX, u32::MAX]));
    assert!(matches!(idx_problem(idx::read(&path), &path), IdxProblem::TooLarge { .. }));
}

#[test]
fn idx_a_header_promising_gigabytes_in_a_small_file_is_truncated_without_allocating_them() {
    let dir = Scratch::new();
    // 4 GiB promised, 10 bytes there: the reader must not reserve the 4 GiB first.
    let mut bytes = header(0x08, &[65536, 256, 256]);
    bytes.extend([7; 10]);
    // Over the default limit of 1 GiB, refused from the header; without a limit, read up to
    // the end of the content and found short.
    let unlimited = idx::IdxOptions::new().max_bytes(u64::MAX);
    for (name, bytes) in [("huge", bytes.clone()), ("huge.gz", gzip(&bytes))] {
        let path = dir.write(name, &bytes);
        assert!(matches!(
            idx_problem(idx::read(&path), &path),
            IdxProblem::OverLimit { promised: 4294967312, .. }
        ));
        let problem = idx_problem(idx::read_with(&path, &unlimited), &path);
        assert_eq!(
            problem,
            IdxProblem::Truncated {
                dtype: IdxType::U8,
                dims: vec![65536, 256, 256],
                expected: 16 + (1 << 32),
                found: 26
            }
        );
    }
}

#[test]
fn idx_content_past_what_the_header_promises_is_an_error() {
    let dir = Scratch::new();
    let mut bytes = labels_file(&[1, 2, 3]);
    bytes.push(4);
    let path = dir.write("trailing", &bytes);
    let problem = idx_problem(idx::read_labels(&path), &path);
    assert_eq!(problem, IdxProblem::TrailingBytes { dtype: IdxType::U8, dims: vec![3], expected: 11 });
}

#[test]
fn idx_a_missing_file_is_an_io_error_naming_it() {
    let dir = Scratch::new();
    let path = dir.path("does-not-exist");
    let error = idx::read(&path).unwrap_err();
    let Error::Io { path: p, kind, .. } = &error else { panic!("{error:?}") };
    assert_eq!((p, *kind), (&path, std::io::ErrorKind::NotFound));
    assert!(error.to_string().starts_with(&*path.to_string_lossy()));
}

#[test]
fn idx_no_truncation_or_flipped_byte_of_a_valid_file_panics() {
    let dir = Scratch::new();
    let good = images_file(2);
    let gzipped = gzip(&good);
    for bytes in [&good, &gzipped] {
        for cut in 0..bytes.len() {
            let _ = idx::read_images::<f32>(dir.write("cut", &bytes[..cut]));
        }
        for i in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut corrupt = bytes.clone();
                corrupt[i] ^= flip;
                let _ = idx::read_images::<f32>(dir.write("flipped", &corrupt));
                let _ = idx::read_labels(dir.write("flipped", &corrupt));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CSV

#[test]
fn csv_with_a_header_and_string_labels() {
    let dir = Scratch::new();
    let path =
        dir.write("flowers.csv", b"width, colour ,height\n1.5,red,2\n\n0.5, blue ,3\n\"2.5\",red,-1e2\n");
    let data = csv::read::<f64>(&path, &Column::Name("colour".into()), &CsvOptions::new()).unwrap();
    assert_eq!(data.classes, ["blue", "red"]);
    assert_eq!(data.labels, [1, 0, 1]);
    assert_eq!(data.x, array![[1.5, 2.0], [0.5, 3.0], [2.5, -100.0]]);
}

#[test]
fn csv_without_a_header_with_integer_labels_sorted_as_numbers() {
    let dir = Scratch::new();
    let path = dir.write("numbers.csv", b"10,1.0\n2,2.0\n1,3.0\n10,4.0\n");
    let options = CsvOptions::new().header(false);
    let data = csv::read::<f32>(&path, &Column::Index(0), &options).unwrap();
    assert_eq!(data.classes, ["1", "2", "10"]);
    assert_eq!(data.labels, [2, 1, 0, 2]);
    assert_eq!(data.x, array![[1.0], [2.0], [3.0], [4.0]]);

    let path = dir.write("zero-based.csv", b"0.5;0\n1.5;2\n2.5;1\n");
    let data = csv::read::<f32>(&path, &Column::Last, &options.delimiter(b';')).unwrap();
    assert_eq!((data.classes, data.labels), (vec!["0".to_string(), "1".into(), "2".into()], vec![0, 2, 1]));
}

#[test]
fn csv_a_bad_number_names_the_line_column_and_field() {
    let dir = Scratch::new();
    let path = dir.write("bad.csv", b"a,b,label\n1,2,x\n3,oops,y\n");
    let problem = csv_problem(csv::read::<f64>(&path, &Column::Last, &CsvOptions::new()), &path);
    assert_eq!(
        problem,
        CsvProblem::NotANumber { line: 3, column: 2, name: Some("b".into()), value: "oops".into() }
    );
    let message = Error::Csv { path: path.clone(), problem }.to_string();
    assert!(message.ends_with("bad.csv: line 3, column 2 (b): `oops` is not a finite number"), "{message}");

    for field in ["NaN", "inf", ""] {
        let path = dir.write("nan.csv", format!("1,x\n{field},y\n").as_bytes());
        let options = CsvOptions::new().header(false);
        let problem = csv_problem(csv::read::<f64>(&path, &Column::Last, &options), &path);
        assert_eq!(problem, CsvProblem::NotANumber { line: 2, column: 1, name: None, value: field.into() });
    }
}

#[test]
fn csv_a_ragged_row_is_named() {
    let dir = Scratch::new();
    let path = dir.write("ragged.csv", b"a,b,label\n1,2,x\n3,y\n");
    let problem = csv_problem(csv::read::<f64>(&path, &Column::Last, &CsvOptions::new()), &path);
    assert_eq!(problem, CsvProblem::Ragged { line: 3, expected: 3, found: 2 });
}

#[test]
fn csv_empty_files_and_a_header_alone_hold_no_rows() {
    let dir = Scratch::new();
    for bytes in [&b""[..], b"\n\n", b"a,b,label\n"] {
        let path = dir.write("empty.csv", bytes);
        assert_eq!(
            csv_problem(csv::read::<f64>(&path, &Column::Last, &CsvOptions::new()), &path),
            CsvProblem::Empty
        );
        assert_eq!(csv_problem(csv::read_table::<f64>(&path, &CsvOptions::new()), &path), CsvProblem::Empty);
    }
}

#[test]
fn csv_a_label_column_that_is_not_there_is_an_error() {
    let dir = Scratch::new();
    let path = dir.write("columns.csv", b"a,b\n1,x\n");
    let problem =
        csv_problem(csv::read::<f64>(&path, &Column::Name("class".into()), &CsvOptions::new()), &path);
    assert_eq!(
        problem,
        CsvProblem::NoSuchColumn { name: "class".into(), columns: vec!["a".into(), "b".into()] }
    );
    let options = CsvOptions::new().header(false);
    let problem = csv_problem(csv::read::<f64>(&path, &Column::Name("b".into()), &options), &path);
    assert_eq!(problem, CsvProblem::NoHeader { name: "b".into() });
    let problem = csv_problem(csv::read::<f64>(&path, &Column::Index(2), &options), &path);
    assert_eq!(problem, CsvProblem::ColumnOutOfRange { index: 2, fields: 2 });

    let path = dir.write("labels-only.csv", b"label\nx\ny\n");
    let problem = csv_problem(csv::read::<f64>(&path, &Column::Last, &CsvOptions::new()), &path);
    assert_eq!(problem, CsvProblem::NoFeatures);
}

#[test]
fn csv_invalid_utf8_is_malformed_not_a_panic() {
    let dir = Scratch::new();
    let path = dir.write("latin1.csv", b"a,label\n1,caf\xe9\n");
    let problem = csv_problem(csv::read::<f64>(&path, &Column::Last, &CsvOptions::new()), &path);
    assert!(matches!(problem, CsvProblem::Malformed { line: Some(2), .. }), "{problem:?}");
}

#[test]
fn csv_a_table_of_numbers_keeps_its_column_names() {
    let dir = Scratch::new();
    let path = dir.write("table.csv", b"x1,x2,y\n1,2,3\n4,5,6.5\n");
    let table = csv::read_table::<f64>(&path, &CsvOptions::new()).unwrap();
    assert_eq!(table.columns, ["x1", "x2", "y"]);
    assert_eq!(table.values, array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]]);
    let table =
        csv::read_table::<f64>(dir.write("no-header.csv", b"1,2\n"), &CsvOptions::new().header(false))
            .unwrap();
    assert!(table.columns.is_empty());
    assert_eq!(table.values, array![[1.0, 2.0]]);
}

#[test]
fn csv_a_missing_file_is_an_io_error_naming_it() {
    let dir = Scratch::new();
    let path = dir.path("missing.csv");
    let error = csv::read::<f64>(&path, &Column::Last, &CsvOptions::new()).unwrap_err();
    assert!(
        matches!(&error, Error::Io { path: p, kind: std::io::ErrorKind::NotFound, .. } if *p == path),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Standardisation, one-hot rows, the split

#[test]
fn standardizer_matches_values_computed_independently() {
    // Reference values from Python: μ and the population σ of each column, and z = (x − μ)/σ.
    // Column 0 has μ = 7/3 and σ = √14/3, so z = (−4, −1, 5)/√14; column 2 is constant.
    let x = array![[1.0, 10.0, 5.0], [2.0, 20.0, 5.0], [4.0, 60.0, 5.0]];
    let standardizer = Standardizer::fit(x.view()).unwrap();
    let want_mean = [2.3333333333333335, 30.0, 5.0];
    let want_std = [1.247219128924647, 21.602468994692867, 0.0];
    for j in 0..3 {
        assert_close("mean", standardizer.mean()[j], want_mean[j], 1e-15);
        assert_eq!(standardizer.std()[j] == 0.0, want_std[j] == 0.0);
        if want_std[j] > 0.0 {
            assert_close("std", standardizer.std()[j], want_std[j], 1e-15);
        }
    }
    let z = standardizer.transform(x.view()).unwrap();
    let want = [
        [-1.0690449676496978, -0.9258200997725515, 0.0],
        [-0.2672612419124245, -0.46291004988627577, 0.0],
        [1.3363062095621219, 1.3887301496588271, 0.0],
    ];
    for i in 0..3 {
        for j in 0..2 {
            assert_close("z", z[[i, j]], want[i][j], 1e-14);
        }
        assert_eq!(z[[i, 2]], 0.0, "a constant column becomes 0, not NaN");
    }
    let back = standardizer.inverse_transform(z.view()).unwrap();
    for (b, x) in back.iter().zip(&x) {
        assert_close("inverse", *b, *x, 1e-14);
    }

    let mut test = array![[3.0, 30.0, 7.0]];
    standardizer.transform_in_place(&mut test).unwrap();
    assert_close("z of unseen data", test[[0, 0]], 0.6666666666666666 / 1.247219128924647, 1e-14);
    assert_eq!(test[[0, 2]], 2.0, "a constant column is only centred");
}

#[test]
fn standardizer_errors() {
    assert_eq!(Standardizer::<f32>::fit(Array2::zeros((0, 3)).view()), Err(Error::EmptyBatch));
    let error = Standardizer::fit(array![[1.0f32, f32::NAN]].view()).unwrap_err();
    assert!(matches!(error, Error::NonFinite { sample: 0, column: 1, .. }), "{error:?}");
    let standardizer = Standardizer::fit(array![[1.0f32, 2.0], [3.0, 5.0]].view()).unwrap();
    let error = standardizer.transform(array![[1.0f32]].view()).unwrap_err();
    assert!(matches!(error, Error::ColumnCount { expected: 2, found: 1, .. }), "{error:?}");
}

#[test]
fn one_hot_rows_and_labels_out_of_range() {
    assert_eq!(
        one_hot::<f64>(&[1, 0, 2, 1], 3).unwrap(),
        array![[0., 1., 0.], [1., 0., 0.], [0., 0., 1.], [0., 1., 0.]]
    );
    assert_eq!(one_hot::<f32>(&[], 4).unwrap().dim(), (0, 4));
    assert_eq!(one_hot::<f32>(&[0, 3], 3), Err(Error::LabelOutOfRange { sample: 1, label: 3, classes: 3 }));
}

/// A data set of `n` samples whose single feature is the sample's index.
fn numbered(n: usize) -> Dataset<f64> {
    let x = Array2::from_shape_fn((n, 1), |(i, _)| i as f64);
    Dataset::new(x, (0..n).map(|i| i % 3).collect(), vec!["a".into(), "b".into(), "c".into()]).unwrap()
}

#[test]
fn split_is_disjoint_complete_and_reproducible() {
    let data = numbered(100);
    let (train, validation) = split(&data, 0.25, 7).unwrap();
    assert_eq!((train.len(), validation.len()), (75, 25));
    let mut seen: Vec<usize> = train.x.iter().chain(validation.x.iter()).map(|&v| v as usize).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    for part in [&train, &validation] {
        for (row, &label) in part.x.rows().into_iter().zip(&part.labels) {
            assert_eq!(row[0] as usize % 3, label, "labels travel with their samples");
        }
    }
    assert_eq!(data.split(0.25, 7).unwrap(), (train.clone(), validation.clone()));
    assert_ne!(split(&data, 0.25, 8).unwrap().1, validation);

    assert_eq!(split_indices(10, 0.0, 1).unwrap().1.len(), 0);
    assert_eq!(split_indices(10, 1.0, 1).unwrap().0.len(), 0);
    assert_eq!(split_indices(10, 0.34, 1).unwrap().1.len(), 3);
    for bad in [-0.1, 1.5, f64::NAN] {
        assert!(matches!(split(&data, bad, 1), Err(Error::InvalidOption { .. })), "{bad}");
    }
}

#[test]
fn permutation_is_pinned_for_a_seed() {
    // Computed independently in Python: rand_core's seed_from_u64 (PCG32 expanding 42 into a
    // 32-byte key), the ChaCha block function with 8 rounds (counter from 0, stream 0), u64s
    // made of two little-endian words low first, Lemire's multiply-and-reject for a draw in
    // 0..=i (the high word of u64 × (i + 1), rejected while the low word is below 2^64 mod
    // (i + 1)), and the Fisher–Yates shuffle from the last index down. A change here changes
    // every split and every trainer's order. (The modulo-rejection draw used before gave
    // [1, 5, 9, 6, 3, 2, 0, 8, 4, 7] from the same stream.)
    assert_eq!(permutation(10, 42), [9, 7, 2, 5, 0, 1, 4, 3, 8, 6]);
}

#[test]
fn permutations_of_three_are_equally_likely() {
    let mut counts = std::collections::HashMap::new();
    for seed in 0..6000 {
        *counts.entry(permutation(3, seed)).or_insert(0) += 1;
    }
    assert_eq!(counts.len(), 6);
    for (p, &count) in &counts {
        // 1000 expected, standard deviation √(6000 · 1/6 · 5/6) ≈ 29: ±150 is more than 5σ.
        assert!((850..=1150).contains(&count), "{p:?} drawn {count} times");
    }
}

#[test]
fn dataset_checks_and_select() {
    assert_eq!(
        Dataset::new(Array2::<f32>::zeros((2, 1)), vec![0], vec!["a".into()]),
        Err(Error::TargetCount { expected: 2, found: 1 })
    );
    assert_eq!(
        Dataset::new(Array2::<f32>::zeros((1, 1)), vec![1], vec!["a".into()]),
        Err(Error::LabelOutOfRange { sample: 0, label: 1, classes: 1 })
    );
    let data = numbered(5);
    let picked = data.select(&[4, 0, 4]).unwrap();
    assert_eq!(picked.x, array![[4.0], [0.0], [4.0]]);
    assert_eq!(picked.labels, [1, 0, 1]);
    assert_eq!(data.select(&[5]), Err(Error::IndexOutOfRange { what: "a data set", index: 5, len: 5 }));
}

// ---------------------------------------------------------------------------------------------
// The bundled data sets

#[test]
fn the_bundled_fashion_mnist_subset() {
    let (train, test) = fashion_mnist::load_dir::<f32>(fashion_mnist::bundled_dir()).unwrap();
    assert_eq!(train.x.dim(), (5000, 784));
    assert_eq!(test.x.dim(), (1000, 784));
    assert_eq!(train.classes, fashion_mnist::CLASSES);
    assert_eq!(train.class_counts(), [500; 10]);
    assert_eq!(test.class_counts(), [100; 10]);
    // Reference values read from the files with Python's gzip module.
    assert_eq!(train.labels[..12], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9]);
    assert_eq!(test.labels[..12], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5]);
    let bytes = |x: &Array2<f32>, i: usize| -> Vec<u32> {
        x.row(i).iter().map(|&p| (p * 255.0).round() as u32).collect()
    };
    assert_eq!(bytes(&train.x, 0)[400..405], [0, 0, 0, 0, 237]);
    assert_eq!(bytes(&train.x, 0).iter().sum::<u32>(), 76247);
    assert_eq!(bytes(&train.x, 4999).iter().sum::<u32>(), 52817);
    assert_eq!(bytes(&test.x, 0).iter().sum::<u32>(), 33456);
    assert_close(
        "sum of all test pixels",
        test.x.iter().map(|&p| f64::from(p)).sum(),
        223427.37647058823,
        1e-6,
    );
    assert!(train.x.iter().all(|&p| (0.0..=1.0).contains(&p)));
}

#[test]
fn the_bundled_iris_data_set() {
    let data = iris::load::<f64>().unwrap();
    assert_eq!((data.len(), data.features()), (150, 4));
    assert_eq!(data.classes, iris::CLASSES);
    assert_eq!(data.class_counts(), [50, 50, 50]);
    assert_eq!(data.x.row(0).to_vec(), [5.1, 3.5, 1.4, 0.2]);
    assert_eq!(data.x.row(149).to_vec(), [5.9, 3.0, 5.1, 1.8]);
    assert_eq!((data.labels[0], data.labels[149]), (0, 2));
    // Fisher's values for samples 35 and 38, where the UCI copy differs.
    assert_eq!(data.x.row(34).to_vec(), [4.9, 3.1, 1.5, 0.2]);
    assert_eq!(data.x.row(37).to_vec(), [4.9, 3.6, 1.4, 0.1]);
    // μ and σ of each column, from Python.
    let standardizer = Standardizer::fit(data.x.view()).unwrap();
    let want_mean = [5.843333333333335, 3.057333333333334, 3.7580000000000027, 1.199333333333334];
    let want_std = [0.8253012917851409, 0.43441096773549437, 1.7594040657753032, 0.7596926279021594];
    for j in 0..4 {
        assert_close("iris mean", standardizer.mean()[j], want_mean[j], 1e-14);
        assert_close("iris std", standardizer.std()[j], want_std[j], 1e-14);
    }
}
