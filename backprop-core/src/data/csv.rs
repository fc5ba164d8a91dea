//! A reader for small tabular data sets in CSV files: numeric feature columns and a label
//! column, or numeric columns only.
//!
//! Fields are trimmed of surrounding spaces; blank lines are skipped; quoting follows RFC 4180
//! (the [`csv`](https://docs.rs/csv) crate reads the file). Every row must have as many fields
//! as the first. A problem is an [`Error::Csv`] naming the file and, where it has one, the line
//! and the column: lines and columns are counted from 1, as an editor shows them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use ndarray::Array2;

use super::{Dataset, io_error};
pub use crate::error::CsvProblem;
use crate::error::Error;
use crate::float::Float;

/// Which column of a CSV file holds the labels.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Column {
    /// The last column.
    #[default]
    Last,
    /// The column at this index, counted from 0.
    Index(usize),
    /// The column with this name in the header.
    Name(String),
}

/// How to read a CSV file: by default, with a header row and commas between fields.
///
/// Build it with [`CsvOptions::new`] and the setters, so that options added later do not break
/// your code: `CsvOptions::new().header(false).delimiter(b';')`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CsvOptions {
    /// Whether the first row names the columns.
    pub header: bool,
    /// The byte between fields.
    pub delimiter: u8,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { header: true, delimiter: b',' }
    }
}

impl CsvOptions {
    /// The default options: a header row, commas.
    pub fn new() -> Self {
        Self::default()
    }

    /// These options, with or without a header row.
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// These options, with `delimiter` between fields (`b'\t'`, `b';'`).
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }
}

/// A CSV file of numbers: its column names and its values, one row per data row.
#[derive(Clone, Debug, PartialEq)]
pub struct Table<F> {
    /// The names of the columns from the header; empty if the file was read without one.
    pub columns: Vec<String>,
    /// The values.
    pub values: Array2<F>,
}

/// Reads a classification data set from the CSV file at `path`: the column `label` holds the
/// class of each row, every other column is a numeric feature.
///
/// The classes are the distinct values of the label column, sorted: as numbers when every
/// label is an integer (so the labels `0, 1, 2` keep their values, and `1, 2, 3` become
/// `0, 1, 2` with class names `"1", "2", "3"`), otherwise as text. A sample's label is the
/// index of its value among the classes.
///
/// The file is read record by record into the values it holds, so memory stays near the size
/// of the values returned (4 or 8 bytes a feature and 8 a label), not that of the text. A
/// number beyond the range of `F` (`1e39` for `f32`) is an error naming its line and column.
///
/// ```
/// use backprop_core::data::csv::{self, Column, CsvOptions};
/// use backprop_core::data::iris;
///
/// // sepal_length,sepal_width,petal_length,petal_width,species
/// // 5.1,3.5,1.4,0.2,setosa
/// // ...
/// let data = csv::read::<f64>(iris::path(), &Column::Name("species".into()), &CsvOptions::new())?;
/// assert_eq!(data.classes, ["setosa", "versicolor", "virginica"]);
/// assert_eq!((data.len(), data.features()), (150, 4));
/// assert_eq!(data.x.row(0).to_vec(), [5.1, 3.5, 1.4, 0.2]);
/// # Ok::<(), backprop_core::Error>(())
/// ```
pub fn read<F: Float>(
    path: impl AsRef<Path>,
    label: &Column,
    options: &CsvOptions,
) -> Result<Dataset<F>, Error> {
    let path = path.as_ref();
    let fail = |problem| Error::Csv { path: path.to_path_buf(), problem };
    let mut values = Vec::new();
    // Each row's label as the index of its first appearance in `names`.
    let (mut seen, mut names, mut first_seen): (HashMap<String, usize>, Vec<String>, Vec<usize>) =
        (HashMap::new(), Vec::new(), Vec::new());
    let mut column = None;
    let (header, rows, fields) = records(path, options, |line, record, header| {
        let fields = record.len();
        let label = match column {
            Some(label) => label,
            None => *column.insert(label_column(label, fields, header).map_err(fail)?),
        };
        for (j, field) in record.iter().enumerate().filter(|&(j, _)| j != label) {
            values.push(number(field, line, j, header).map_err(fail)?);
        }
        let name = record.get(label).unwrap_or_default();
        let index = match seen.get(name) {
            Some(&index) => index,
            None => {
                seen.insert(name.to_owned(), names.len());
                names.push(name.to_owned());
                names.len() - 1
            }
        };
        first_seen.push(index);
        Ok(())
    })?;
    drop(seen);
    let x = Array2::from_shape_vec((rows, fields.saturating_sub(1)), values)?;
    let _ = header;
    let classes = classes(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let index: BTreeMap<&str, usize> = classes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let class_of_name: Vec<usize> =
        names.iter().map(|n| index.get(n.as_str()).copied().unwrap_or_default()).collect();
    let labels = first_seen.iter().map(|&i| class_of_name.get(i).copied().unwrap_or_default()).collect();
    Dataset::new(x, labels, classes)
}

/// The index of the label column of rows of `fields` fields.
fn label_column(label: &Column, fields: usize, header: Option<&[String]>) -> Result<usize, CsvProblem> {
    let index = match label {
        Column::Last => fields.saturating_sub(1),
        Column::Index(index) if *index < fields => *index,
        Column::Index(index) => return Err(CsvProblem::ColumnOutOfRange { index: *index, fields }),
        Column::Name(name) => match header {
            None => return Err(CsvProblem::NoHeader { name: name.clone() }),
            Some(columns) => columns
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| CsvProblem::NoSuchColumn { name: name.clone(), columns: columns.to_vec() })?,
        },
    };
    if fields < 2 {
        return Err(CsvProblem::NoFeatures);
    }
    Ok(index)
}

/// Reads the CSV file at `path`, every column of which holds numbers: regression data, say,
/// whose targets are some of the columns. Like [`read`], it reads record by record, and a
/// number beyond the range of `F` is an error.
pub fn read_table<F: Float>(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Table<F>, Error> {
    let path = path.as_ref();
    let mut values = Vec::new();
    let (header, rows, fields) = records(path, options, |line, record, header| {
        for (j, field) in record.iter().enumerate() {
            values.push(
                number(field, line, j, header)
                    .map_err(|problem| Error::Csv { path: path.to_path_buf(), problem })?,
            );
        }
        Ok(())
    })?;
    let values = Array2::from_shape_vec((rows, fields), values)?;
    Ok(Table { columns: header.unwrap_or_default(), values })
}

/// The distinct `labels`, sorted as numbers if they are all integers, else as text.
fn classes(labels: &[&str]) -> Vec<String> {
    let distinct: BTreeSet<&str> = labels.iter().copied().collect();
    let integers: Option<BTreeSet<(u64, &str)>> =
        distinct.iter().map(|&s| s.parse::<u64>().ok().map(|n| (n, s))).collect();
    match integers {
        Some(integers) => integers.into_iter().map(|(_, s)| s.to_string()).collect(),
        None => distinct.into_iter().map(str::to_string).collect(),
    }
}

/// The number in `field`, at `line` and column index `j`: finite, and within the range of `F`.
fn number<F: Float>(field: &str, line: u64, j: usize, header: Option<&[String]>) -> Result<F, CsvProblem> {
    let name = || header.and_then(|h| h.get(j)).cloned();
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() => {
            let converted = F::of(v);
            if converted.is_finite() {
                Ok(converted)
            } else {
                Err(CsvProblem::OutOfRange {
                    line,
                    column: j + 1,
                    name: name(),
                    value: field.to_string(),
                    float: F::NAME,
                })
            }
        }
        _ => Err(CsvProblem::NotANumber { line, column: j + 1, name: name(), value: field.to_string() }),
    }
}

/// Reads the CSV file at `path` record by record, reusing one record: the header (if `options`
/// say there is one) is kept, and each data row is handed to `row` with its line and the
/// header. Checks that there is at least one data row and that every row is as wide as the
/// first. Returns the header, the number of data rows and their width.
fn records(
    path: &Path,
    options: &CsvOptions,
    mut row: impl FnMut(u64, &csv::StringRecord, Option<&[String]>) -> Result<(), Error>,
) -> Result<(Option<Vec<String>>, usize, usize), Error> {
    let fail = |problem| Error::Csv { path: path.to_path_buf(), problem };
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(options.delimiter)
        .from_reader(BufReader::new(file));
    let mut header: Option<Vec<String>> = None;
    let (mut rows, mut width) = (0, None);
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| match e.kind() {
            csv::ErrorKind::Io(io) => io_error(path, io),
            _ => fail(CsvProblem::Malformed {
                line: e.position().map(csv::Position::line),
                message: e.to_string(),
            }),
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, csv::Position::line);
        let expected = *width.get_or_insert(record.len());
        if record.len() != expected {
            return Err(fail(CsvProblem::Ragged { line, expected, found: record.len() }));
        }
        if options.header && header.is_none() {
            header = Some(record.iter().map(str::to_string).collect());
        } else {
            row(line, &record, header.as_deref())?;
            rows += 1;
        }
    }
    if rows == 0 {
        return Err(fail(CsvProblem::Empty));
    }
    Ok((header, rows, width.unwrap_or(0)))
}
