//! The one writer of every CSV file the server hands out (accounts, survey
//! answers, the audit log): UTF-8 with a byte-order mark, so Excel opens
//! Japanese text correctly, and every cell through the spreadsheet-formula
//! guard (`kizuna_shared::cells::neutralize_formula`), so a name typed as
//! `=HYPERLINK(…)` or `＝…` is shown as text, never run. Plain numbers
//! (`-5`, `12.5`: `cells::is_plain_number`) are written as they are, so a
//! spreadsheet reads them as numbers. The import undoes the guard exactly
//! (`cells::restore_formula`), so an export imports back unchanged.
//!
//! The `csv` crate does the quoting; this type only makes the BOM and the
//! guard impossible to forget.

use std::borrow::Cow;

use kizuna_shared::cells::{is_plain_number, neutralize_formula};

use crate::db::DbError;

/// A CSV file being written in memory.
pub struct CsvFile {
    writer: csv::Writer<Vec<u8>>,
}

/// What a failed write says (only a bug can make writing to memory fail).
fn failed(e: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(format!("writing CSV: {e}"))
}

/// A cell as written: a plain number as it is, anything else guarded.
fn guard(cell: &str) -> Cow<'_, str> {
    if is_plain_number(cell) {
        Cow::Borrowed(cell)
    } else {
        neutralize_formula(cell)
    }
}

impl CsvFile {
    /// A file with the byte-order mark and this header row.
    pub fn new<I, S>(header: I) -> Result<CsvFile, DbError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut file = CsvFile {
            writer: csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec()),
        };
        file.row(header)?;
        Ok(file)
    }

    /// Writes one row, every cell but plain numbers guarded.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), DbError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.writer
            .write_record(cells.into_iter().map(|c| guard(c.as_ref()).into_owned()))
            .map_err(failed)
    }

    /// The file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, DbError> {
        self.writer.into_inner().map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_start_with_a_bom_and_guard_every_cell() {
        let mut file = CsvFile::new(["name", "mrr"]).unwrap();
        file.row(["=HYPERLINK(\"x\")", "-5"]).unwrap();
        file.row(["＝1+1", "12.5"]).unwrap();
        file.row(["'=already", "@SUM(A1)"]).unwrap();
        let bytes = file.finish().unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "name,mrr\n\"'=HYPERLINK(\"\"x\"\")\",-5\n'＝1+1,12.5\n''=already,'@SUM(A1)\n"
        );
    }
}
