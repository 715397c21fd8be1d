//! `nanograd generate`: the CSV of a typed formula on stdout, to save or pipe into `train`.

use std::io::{BufWriter, ErrorKind, Write};

use anyhow::{Context, anyhow};

use crate::data::{FormulaSpec, generate_formula};

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// y as a function of x, such as "sin(3*x) + 0.2*noise": `^` is power, `noise` a standard
    /// normal draw per point, ln the natural logarithm; pi and e are known.
    #[arg(allow_hyphen_values = true)]
    pub formula: String,
    /// The first and last x, both included, as A,B.
    #[arg(long, value_name = "A,B", allow_hyphen_values = true, value_parser = parse_range)]
    pub range: (f64, f64),
    /// Number of points, evenly spaced from A to B.
    #[arg(long = "n", value_name = "N")]
    pub n_points: usize,
    /// Seeds `noise`: the same seed gives the same draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

fn parse_range(text: &str) -> Result<(f64, f64), String> {
    let invalid = || format!("expected two numbers as A,B (such as -3,3), got \"{text}\"");
    let (from, to) = text.split_once(',').ok_or_else(invalid)?;
    let number = |part: &str| part.trim().parse::<f64>().map_err(|_| invalid());
    Ok((number(from)?, number(to)?))
}

/// Writes the header `x,y` and one line per point, each number in the shortest form that
/// reads back to the same `f64`.
pub fn generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let spec = FormulaSpec {
        formula: args.formula.clone(),
        x_range: args.range,
        n_points: args.n_points,
        seed: args.seed,
    };
    let (xs, ys) =
        generate_formula(&spec).map_err(|error| anyhow!(error.with_caret(&args.formula)))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = (|| {
        writeln!(out, "x,y")?;
        for (x, y) in xs.iter().zip(&ys) {
            writeln!(out, "{x},{y}")?;
        }
        out.flush()
    })();
    match written {
        // `nanograd generate … | head` closes the pipe early: that is the reader's choice.
        Err(error) if error.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other.context("could not write the CSV to the standard output"),
    }
}
