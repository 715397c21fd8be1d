//! What a loaded [`Table`] gives out: its columns, its rows' values, and the dataset of the
//! columns a user picks.

use super::*;

impl Table {
    /// The name given to datasets built from this table (the file stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every column, in file order.
    pub fn columns(&self) -> &[ColumnInfo] {
        &self.columns
    }

    /// What was detected about the file.
    pub fn detected(&self) -> &Detection {
        &self.detection
    }

    /// Things the user should know that did not stop the load.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Number of data rows (ragged rows included, blank rows not).
    pub fn n_rows(&self) -> usize {
        self.row_lines.len()
    }

    /// Physical 1-based line of each data row.
    pub fn row_lines(&self) -> impl Iterator<Item = usize> + '_ {
        self.row_lines.iter()
    }

    /// The values of a numeric column, one per data row (NaN where missing, text or ragged);
    /// `None` otherwise. Borrowed when no row is ragged.
    pub fn numeric_values(&self, column: usize) -> Option<Cow<'_, [f32]>> {
        let values = self
            .columns
            .get(column)
            .filter(|c| c.is_numeric())
            .and_then(|_| self.values.get(column))?;
        if self.ragged_rows.is_empty() {
            return Some(Cow::Borrowed(values));
        }
        let mut complete = values.iter();
        let mut ragged = self.ragged_rows.iter().peekable();
        let all_rows = (0..self.n_rows())
            .map(|row| {
                if ragged.next_if_eq(&&row).is_some() {
                    f32::NAN
                } else {
                    complete.next().copied().unwrap_or(f32::NAN)
                }
            })
            .collect();
        Some(Cow::Owned(all_rows))
    }

    /// Indices of the numeric columns.
    pub fn numeric_columns(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&i| self.columns[i].is_numeric())
            .collect()
    }

    /// Finds a column by header name (exact, else ignoring case and surrounding spaces when
    /// that is unique) or, failing that, by 0-based index.
    pub fn resolve_column(&self, spec: &str) -> Result<usize, DataError> {
        if let Some(i) = self.columns.iter().position(|c| c.name == spec) {
            return Ok(i);
        }
        let wanted = spec.trim();
        let mut loose = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name.trim().eq_ignore_ascii_case(wanted));
        if let (Some((i, _)), None) = (loose.next(), loose.next()) {
            return Ok(i);
        }
        if let Ok(i) = wanted.parse::<usize>()
            && i < self.columns.len()
        {
            return Ok(i);
        }
        let mut names: Vec<String> = self
            .columns
            .iter()
            .take(20)
            .map(|c| format!("`{}`", c.name))
            .collect();
        if self.columns.len() > 20 {
            names.push("…".to_owned());
        }
        Err(DataError::UnknownColumn {
            spec: spec.to_owned(),
            available: names.join(", "),
        })
    }

    fn resolve_ref(&self, column: &ColumnRef) -> Result<usize, DataError> {
        match column {
            ColumnRef::Index(i) if *i < self.columns.len() => Ok(*i),
            ColumnRef::Index(i) => self.resolve_column(&i.to_string()),
            ColumnRef::Name(spec) => self.resolve_column(spec),
        }
    }

    /// Builds a dataset from numeric input columns `x` and target `y`, skipping (and
    /// reporting) rows that are ragged or hold a missing, text or non-finite value in any
    /// chosen column. Refuses text columns, repeated columns, fewer than 2 usable rows and
    /// constant columns.
    pub fn select(
        &self,
        x: &[ColumnRef],
        y: &ColumnRef,
    ) -> Result<(Dataset, RowReport), DataError> {
        if x.is_empty() {
            return Err(DataError::NoInputs);
        }
        let x_idx = x
            .iter()
            .map(|c| self.resolve_ref(c))
            .collect::<Result<Vec<_>, _>>()?;
        let y_idx = self.resolve_ref(y)?;
        let chosen: Vec<usize> = x_idx.iter().copied().chain([y_idx]).collect();
        for (k, &c) in chosen.iter().enumerate() {
            if chosen[..k].contains(&c) {
                return Err(DataError::RepeatedColumn {
                    name: self.columns[c].name.clone(),
                });
            }
            if let Some(reason) = self.columns[c].unusable_reason() {
                return Err(DataError::NotNumeric {
                    name: self.columns[c].name.clone(),
                    role: if k + 1 == chosen.len() {
                        "the target (y)"
                    } else {
                        "an input (x)"
                    },
                    reason,
                });
            }
        }

        let n_rows = self.n_rows();
        let mut report = RowReport::default();
        let mut xs = Vec::with_capacity(n_rows * x_idx.len());
        let mut ys = Vec::with_capacity(n_rows);
        let mut ragged = self.ragged_rows.iter().peekable();
        let mut row_x = Vec::with_capacity(x_idx.len());
        // Index of the row among the complete (not ragged) rows, which alone have values.
        let mut complete = 0;
        'rows: for (row, line) in self.row_lines.iter().enumerate() {
            if ragged.next_if_eq(&&row).is_some() {
                report.skip(line, SkipReason::Ragged);
                continue;
            }
            let at = complete;
            complete += 1;
            row_x.clear();
            for &c in &chosen {
                let value = self.values[c][at];
                if !value.is_finite() {
                    let reason = if value.is_nan() {
                        if self.text_rows[c].binary_search(&row).is_ok() {
                            SkipReason::NotANumber
                        } else {
                            SkipReason::Missing
                        }
                    } else {
                        SkipReason::NonFinite
                    };
                    report.skip(line, reason);
                    continue 'rows;
                }
                row_x.push(value);
            }
            // The last chosen column is the target.
            if let Some((&target, inputs)) = row_x.split_last() {
                xs.extend_from_slice(inputs);
                ys.push(target);
            }
        }
        report.used = ys.len();
        if ys.len() < 2 {
            return Err(DataError::TooFewRows {
                usable: ys.len(),
                skipped: report.skipped,
            });
        }
        let x_names = x_idx
            .iter()
            .map(|&c| self.columns[c].name.clone())
            .collect();
        let dataset = Dataset::new(
            self.name.clone(),
            x_names,
            self.columns[y_idx].name.clone(),
            xs,
            ys,
        )?;
        Ok((dataset, report))
    }
}
