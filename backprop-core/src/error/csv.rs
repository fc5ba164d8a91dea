//! What can be wrong with a CSV file, beside the error type that carries it; the reader is
//! [`crate::data::csv`].

/// What is wrong with a CSV file; [`Error::Csv`](super::Error::Csv) names the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CsvProblem {
    /// The file holds no data rows (it is empty, blank, or a header alone).
    #[error("the file holds no data rows")]
    Empty,

    /// The CSV reader could not read a row (invalid UTF-8, for instance).
    #[error("{}{message}", .line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Malformed {
        /// The line, where known.
        line: Option<u64>,
        /// The CSV reader's error, printed.
        message: String,
    },

    /// A row has a different number of fields than the first row.
    #[error("line {line} has {found} fields, but the first row has {expected}")]
    Ragged {
        /// The line of the row.
        line: u64,
        /// The number of fields of the first row.
        expected: usize,
        /// The number of fields of this row.
        found: usize,
    },

    /// A field of a numeric column is not a finite number.
    #[error(
        "line {line}, column {column}{}: `{value}` is not a finite number",
        .name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
    )]
    NotANumber {
        /// The line of the field.
        line: u64,
        /// The column of the field, counted from 1.
        column: usize,
        /// The column's name in the header, if the file has one.
        name: Option<String>,
        /// The field.
        value: String,
    },

    /// A field is a finite number, but beyond the range of the float type it is read as (for
    /// `f32`, beyond ±3.4·10³⁸): it would become an infinity.
    #[error(
        "line {line}, column {column}{}: `{value}` is beyond the range of {float}, whose largest magnitude is about {}",
        .name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default(),
        if *.float == "f32" { "3.4e38" } else { "1.8e308" }
    )]
    OutOfRange {
        /// The line of the field.
        line: u64,
        /// The column of the field, counted from 1.
        column: usize,
        /// The column's name in the header, if the file has one.
        name: Option<String>,
        /// The field.
        value: String,
        /// The float type, `"f32"` or `"f64"`.
        float: &'static str,
    },

    /// The label column is named, but no column of the header has that name.
    #[error("no column is named `{name}`; the header names {columns:?}")]
    NoSuchColumn {
        /// The name asked for.
        name: String,
        /// The names in the header.
        columns: Vec<String>,
    },

    /// The label column is named, but the file is read without a header.
    #[error(
        "the label column is named `{name}`, but the file is read without a header: read it with `CsvOptions::header(true)` or give the column's index"
    )]
    NoHeader {
        /// The name asked for.
        name: String,
    },

    /// The label column's index is not below the number of fields of a row.
    #[error("the label column is index {index} (counted from 0), but the rows have {fields} fields")]
    ColumnOutOfRange {
        /// The index asked for, counted from 0.
        index: usize,
        /// The number of fields of a row.
        fields: usize,
    },

    /// The rows have no field besides the label.
    #[error("the rows have no field besides the label: a data set needs at least one feature column")]
    NoFeatures,
}
