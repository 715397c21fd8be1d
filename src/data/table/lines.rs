//! Physical line numbers of the rows, and how many rows to reserve room for: both count line
//! ends, which may be `\n`, `\r\n` or a lone `\r`.

use crate::data::sniff;

/// Rows to reserve, from the average line length of the sniffed prefix, so that a 2 M-row file
/// does not double its vectors a dozen times (each doubling may briefly hold two copies).
/// 5 % headroom, because a vector that overflows by one row doubles; exact when the prefix is
/// the whole text. Lone `\r` line ends count, or a CR file would reserve one row per 64 KB.
pub(super) fn estimated_rows(text: &[u8], prefix: &[u8], lone_cr: bool) -> usize {
    let prefix_lines = sniff::count_line_ends(prefix, lone_cr);
    if prefix.len() == text.len() {
        return prefix_lines + 1;
    }
    (text.len() as f64 / prefix.len().max(1) as f64 * prefix_lines.max(1) as f64 * 1.05)
        .min(50_000_000.0) as usize
}

/// Physical line numbers from byte offsets. The csv reader's own `line()` counts the `\n` of a
/// CRLF terminator only after it has stamped the next record's position, so in CRLF files
/// every record after the first would be numbered one line too early; counting line ends
/// ourselves is exact for LF, CRLF and CR files, and for quoted newlines.
pub(super) struct LineCounter<'a> {
    text: &'a [u8],
    /// Whether lone `\r`s end lines too (the slower count).
    lone_cr: bool,
    counted_to: usize,
    newlines: usize,
}

impl<'a> LineCounter<'a> {
    pub(super) fn new(text: &'a [u8], lone_cr: bool) -> Self {
        Self {
            text,
            lone_cr,
            counted_to: 0,
            newlines: 0,
        }
    }

    /// The 1-based line on which `record` starts.
    pub(super) fn line_of(&mut self, record: &csv::ByteRecord) -> usize {
        let mut start = record
            .position()
            .map_or(self.counted_to, |p| p.byte() as usize)
            .clamp(self.counted_to, self.text.len());
        // The reported start may sit on the terminator that ended the previous record.
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        // `start` is not on a line end, so a `\r` that ends this slice is a lone one.
        self.newlines += sniff::count_line_ends(&self.text[self.counted_to..start], self.lone_cr);
        self.counted_to = start;
        self.newlines + 1
    }
}

/// The physical 1-based line of every data row, kept as the rows where it is not the previous
/// row's line + 1 (the first row, and rows after a blank line or a quoted line break): a clean
/// file of millions of rows keeps one entry instead of one number per row.
#[derive(Clone, Debug, Default)]
pub(super) struct RowLines {
    /// (row, line) where the run of consecutive lines restarts, rows ascending.
    jumps: Vec<(usize, usize)>,
    len: usize,
}

impl RowLines {
    pub(super) fn push(&mut self, line: usize) {
        if self.len == 0 || self.get(self.len - 1) + 1 != line {
            self.jumps.push((self.len, line));
        }
        self.len += 1;
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The line of `row`, which must be below [`Self::len`].
    pub(super) fn get(&self, row: usize) -> usize {
        debug_assert!(row < self.len, "row {row} of {}", self.len);
        let run = self.jumps.partition_point(|&(start, _)| start <= row);
        let (start, line) = self.jumps[run.saturating_sub(1)];
        line + (row - start)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.jumps
            .iter()
            .enumerate()
            .flat_map(|(run, &(start, line))| {
                let end = self.jumps.get(run + 1).map_or(self.len, |&(next, _)| next);
                (line..).take(end - start)
            })
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.jumps.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::RowLines;

    #[test]
    fn row_lines_keep_only_the_jumps_and_give_back_every_line() {
        let lines = [2, 3, 4, 6, 7, 10, 11, 12, 13];
        let mut rows = RowLines::default();
        for line in lines {
            rows.push(line);
        }
        assert_eq!(rows.len(), lines.len());
        assert_eq!(rows.jumps, [(0, 2), (3, 6), (5, 10)]);
        assert_eq!(rows.iter().collect::<Vec<_>>(), lines);
        for (row, line) in lines.iter().enumerate() {
            assert_eq!(rows.get(row), *line, "row {row}");
        }
        assert_eq!(RowLines::default().iter().count(), 0);
    }
}
