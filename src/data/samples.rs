//! The five real sample sets compiled into the binary (from `assets/data/`, sources and
//! licences in `assets/data/README.md`), each with the columns its lesson uses. The app opens
//! with [`DEFAULT_SAMPLE`]. Loading goes through the same CSV loader as user files.

use std::sync::atomic::AtomicBool;

use super::{ColumnRef, DataError, Dataset, LoadOptions, RowReport, Table, load_csv_bytes};

/// One built-in data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Name used to ask for it (the file stem).
    pub name: &'static str,
    /// One line for a menu.
    pub description: &'static str,
    /// The input column(s) of its demo.
    pub default_x: &'static [&'static str],
    /// The target column of its demo.
    pub default_y: &'static str,
    /// The CSV file, as shipped in `assets/data/`.
    pub bytes: &'static [u8],
}

/// The sample the app opens with: a seasonal hump where a straight line explains 2 % of the
/// variance and a small MLP about 77 %, the clearest "why a neural network" picture.
pub const DEFAULT_SAMPLE: &str = "seattle_weather_2012_2015";
/// Input column of the default sample.
pub const DEFAULT_X: &str = "day_of_year";
/// Target column of the default sample.
pub const DEFAULT_Y: &str = "temp_max";

const SAMPLES: [Sample; 5] = [
    Sample {
        name: "seattle_weather_2012_2015",
        description: "Seattle daily weather 2012–2015: day of year → max temperature (°C)",
        default_x: &["day_of_year"],
        default_y: "temp_max",
        bytes: include_bytes!("../../assets/data/seattle_weather_2012_2015.csv"),
    },
    Sample {
        name: "engel_food",
        description: "Engel 1857: household income → food expenditure (Belgian francs)",
        default_x: &["income"],
        default_y: "foodexp",
        bytes: include_bytes!("../../assets/data/engel_food.csv"),
    },
    Sample {
        name: "cars_mpg",
        description: "Cars 1970–1982: horsepower → miles per gallon",
        default_x: &["Horsepower"],
        default_y: "Miles_per_Gallon",
        bytes: include_bytes!("../../assets/data/cars_mpg.csv"),
    },
    Sample {
        name: "co2_mauna_loa_weekly",
        description: "Mauna Loa weekly CO2 1958–2001: year → CO2 (ppmv)",
        default_x: &["decimal_year"],
        default_y: "co2",
        bytes: include_bytes!("../../assets/data/co2_mauna_loa_weekly.csv"),
    },
    Sample {
        name: "anscombe_quartet",
        description: "Anscombe's quartet: four pairs with the same straight-line fit",
        default_x: &["x2"],
        default_y: "y2",
        bytes: include_bytes!("../../assets/data/anscombe_quartet.csv"),
    },
];

const NAMES: [&str; 5] = [
    SAMPLES[0].name,
    SAMPLES[1].name,
    SAMPLES[2].name,
    SAMPLES[3].name,
    SAMPLES[4].name,
];

/// Names of the built-in samples, default first.
pub fn sample_names() -> &'static [&'static str] {
    &NAMES
}

/// All built-in samples, default first.
pub fn samples() -> &'static [Sample] {
    &SAMPLES
}

/// The sample called `name`.
pub fn sample(name: &str) -> Result<&'static Sample, DataError> {
    SAMPLES
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| DataError::UnknownSample {
            name: name.to_owned(),
            available: NAMES.join(", "),
        })
}

/// Parses the sample called `name` into a table.
pub fn load_sample(name: &str) -> Result<Table, DataError> {
    let sample = sample(name)?;
    load_csv_bytes(
        sample.bytes,
        sample.name,
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
}

/// The dataset the app opens with: [`DEFAULT_SAMPLE`], [`DEFAULT_X`] → [`DEFAULT_Y`].
pub fn default_dataset() -> Result<(Dataset, RowReport), DataError> {
    load_sample(DEFAULT_SAMPLE)?.select(&[ColumnRef::from(DEFAULT_X)], &ColumnRef::from(DEFAULT_Y))
}
