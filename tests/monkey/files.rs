//! The files the monkey opens, written into a temporary folder: copies of the data sets, broken
//! and odd CSV files, weights good and bad, and places to save to.

use std::path::{Path, PathBuf};

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::common::temp_dir;

/// A file dropped onto the window, as eframe hands it over.
#[derive(Debug)]
pub(crate) struct DroppedPath(pub(crate) PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|err| err.to_string())
    }
}

/// The files the monkey opens: good data, bad data, weights, and places to save to.
pub(crate) struct Files {
    pub(crate) dir: PathBuf,
    pub(crate) data: Vec<PathBuf>,
    pub(crate) weights: Vec<PathBuf>,
    pub(crate) save_targets: Vec<PathBuf>,
}

impl Files {
    pub(crate) fn new(rng: &mut ChaCha8Rng) -> Self {
        let dir = temp_dir("monkey");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        // Copies: the monkey may save weights over any file it can open, as a person may.
        let mut data = Vec::new();
        for folder in ["assets/data", "tests/data"] {
            let copies = dir.join(folder);
            std::fs::create_dir_all(&copies).expect("a folder for the copies");
            let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
                .expect("the data folder")
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext != "md"))
                .filter_map(|path| {
                    let copy = copies.join(path.file_name()?);
                    std::fs::copy(&path, &copy).ok().map(|_| copy)
                })
                .collect();
            files.sort();
            data.extend(files);
        }
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).expect("write a test file");
            path
        };
        let mut noise = vec![0u8; 4096];
        rng.fill(&mut noise[..]);
        data.push(write("noise.csv", &noise));
        data.push(write("empty.csv", b""));
        data.push(write("header_only.csv", b"x,y\n"));
        data.push(write(
            "huge_numbers.csv",
            b"x,y\n1e300,1e308\n-1e308,1e300\n3.5e38,-3.5e38\n1e38,1e38\n-1e38,2e38\n0,1e-320\n",
        ));
        data.push(write(
            "tiny_numbers.csv",
            b"x,y\n1e-45,1e-44\n2e-45,3e-44\n3e-45,1e-40\n4e-45,0\n",
        ));
        data.push(write("one_column.csv", b"x\n1\n2\n3\n"));
        data.push(write("same_x.csv", b"x,y\n1,1\n1,2\n1,3\n1,4\n"));
        let mut many_rows = String::from("a,b,c\n");
        for row in 0..20_000u32 {
            let x = f64::from(row) * 0.001;
            many_rows.push_str(&format!("{x},{},{}\n", x.sin(), row % 7));
        }
        data.push(write("many_rows.csv", many_rows.as_bytes()));
        let mut wide = (0..200)
            .map(|c| format!("c{c}"))
            .collect::<Vec<_>>()
            .join(",");
        wide.push('\n');
        for row in 0..30 {
            let values: Vec<String> = (0..200).map(|c| (row * c % 17).to_string()).collect();
            wide.push_str(&values.join(","));
            wide.push('\n');
        }
        data.push(write("wide.csv", wide.as_bytes()));
        data.push(dir.join("missing.csv"));
        data.push(dir.clone());
        data.push(dir.join("no folder").join("data.csv"));

        let weights_one = dir.join("seattle.safetensors");
        trained_model_on_the_default_data()
            .save(&weights_one)
            .expect("save weights");
        let weights_two = dir.join("cars.safetensors");
        trained_model_on_two_inputs()
            .save(&weights_two)
            .expect("save weights");
        let bytes = std::fs::read(&weights_one).expect("read weights");
        let truncated = write("truncated.safetensors", &bytes[..bytes.len() / 2]);
        let mut flipped = bytes.clone();
        for index in (0..flipped.len()).step_by(97) {
            flipped[index] ^= 0x5a;
        }
        let flipped = write("flipped.safetensors", &flipped);
        // Weights offered as data and data offered as weights.
        data.push(weights_one.clone());
        let weights = vec![
            weights_one,
            weights_two,
            truncated,
            flipped,
            dir.join("assets/data/anscombe_quartet.csv"),
            dir.join("missing.safetensors"),
            dir.clone(),
        ];
        // A folder as the name to save to (the weights then go beside it, with the extension).
        let folder = dir.join("a folder");
        std::fs::create_dir_all(&folder).expect("a folder");
        let save_targets = vec![
            dir.join("saved.safetensors"),
            dir.join("saved"),
            dir.join("noise.csv"),
            dir.join("no folder").join("saved.safetensors"),
            folder,
            dir.join("ünïcödé wéights.safetensors"),
        ];
        Self {
            dir,
            data,
            weights,
            save_targets,
        }
    }
}

pub(crate) fn trained_model_on_the_default_data() -> nanograd::train::Model {
    let (data, _) = nanograd::data::default_dataset().expect("the default data");
    train_a_little(&data)
}

pub(crate) fn trained_model_on_two_inputs() -> nanograd::train::Model {
    use nanograd::data::ColumnRef;
    let table = nanograd::data::load_sample("cars_mpg").expect("a sample");
    let x = [
        ColumnRef::from("Horsepower"),
        ColumnRef::from("Weight_in_lbs"),
    ];
    let (data, _) = table
        .select(&x, &ColumnRef::from("Miles_per_Gallon"))
        .expect("columns");
    train_a_little(&data)
}

pub(crate) fn train_a_little(data: &nanograd::data::Dataset) -> nanograd::train::Model {
    let config = nanograd::train::TrainConfig {
        hidden_sizes: vec![8],
        ..nanograd::train::TrainConfig::default()
    };
    let mut trainer = nanograd::train::Trainer::new(data, &config).expect("a trainer");
    trainer.run_epoch().expect("an epoch");
    trainer.model()
}
