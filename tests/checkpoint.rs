//! The safetensors weights file: identical predictions after a round trip, a layout Python
//! can read, and a clear error (never a panic) for every kind of broken file.

use std::collections::HashMap;

use nanograd::data::{ColumnRef, load_sample};
use nanograd::train::{CheckpointError, FORMAT_NAME, Model, TrainConfig, Trainer};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

fn trained_model() -> Model {
    let table = load_sample("cars_mpg").expect("sample loads");
    let x = [
        ColumnRef::from("Horsepower"),
        ColumnRef::from("Weight_in_lbs"),
    ];
    let (data, _) = table
        .select(&x, &ColumnRef::from("Miles_per_Gallon"))
        .expect("columns exist");
    let config = TrainConfig {
        hidden_sizes: vec![8, 4],
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&data, &config).expect("valid config");
    for _ in 0..20 {
        trainer.run_epoch().expect("finite");
    }
    trainer.model()
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn save_then_load_predicts_bit_identical_outputs() {
    let model = trained_model();
    let dir = tempdir();
    let path = dir.join("cars.safetensors");
    model.save(&path).expect("saves");
    let loaded = Model::load(&path).expect("loads");
    assert_eq!(loaded, model);
    let x: Vec<f32> = (0..50)
        .flat_map(|i| [40.0 + 4.0 * i as f32, 1600.0 + 70.0 * i as f32])
        .collect();
    assert_eq!(bits(&loaded.predict(&x)), bits(&model.predict(&x)));
    // The temporary file of the atomic save is gone.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("cars.safetensors")]);
}

#[test]
fn file_layout_is_plain_safetensors_with_torch_shapes() {
    let model = trained_model();
    let bytes = model.to_safetensors().expect("serialises");
    let file = SafeTensors::deserialize(&bytes).expect("valid safetensors");
    let mut names = file.names();
    names.sort();
    assert_eq!(
        names,
        [
            "layers.0.bias",
            "layers.0.weight",
            "layers.1.bias",
            "layers.1.weight",
            "layers.2.bias",
            "layers.2.weight"
        ]
    );
    // nn.Linear layout: weight (out, in), bias (out,)
    assert_eq!(
        file.tensor("layers.0.weight").expect("present").shape(),
        [8, 2]
    );
    assert_eq!(
        file.tensor("layers.1.weight").expect("present").shape(),
        [4, 8]
    );
    assert_eq!(file.tensor("layers.2.bias").expect("present").shape(), [1]);
    let (_, header) = SafeTensors::read_metadata(&bytes).expect("header");
    let metadata = header.metadata().clone().expect("metadata");
    assert_eq!(metadata["format"], FORMAT_NAME);
    assert_eq!(metadata["hidden_sizes"], "[8,4]");
    assert_eq!(metadata["activation"], "tanh");
    assert_eq!(metadata["x_names"], r#"["Horsepower","Weight_in_lbs"]"#);
    assert_eq!(metadata["y_name"], "Miles_per_Gallon");
}

/// Rebuilds the model's file with `edit` applied to its tensors and metadata.
fn rewritten(
    model: &Model,
    edit: impl FnOnce(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>, &mut HashMap<String, String>),
) -> Vec<u8> {
    let bytes = model.to_safetensors().expect("serialises");
    let file = SafeTensors::deserialize(&bytes).expect("valid");
    let mut tensors: Vec<_> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            (
                name,
                view.dtype(),
                view.shape().to_vec(),
                view.data().to_vec(),
            )
        })
        .collect();
    let (_, header) = SafeTensors::read_metadata(&bytes).expect("header");
    let mut metadata = header.metadata().clone().expect("metadata");
    edit(&mut tensors, &mut metadata);
    let views: Vec<_> = tensors
        .iter()
        .map(|(name, dtype, shape, data)| {
            (
                name.clone(),
                TensorView::new(*dtype, shape.clone(), data).expect("view"),
            )
        })
        .collect();
    safetensors::serialize(views, Some(metadata)).expect("serialises")
}

#[test]
fn truncated_file_is_refused() {
    let bytes = trained_model().to_safetensors().expect("serialises");
    for cut in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        let error = Model::from_safetensors(&bytes[..cut]).expect_err("truncated");
        assert!(
            matches!(error, CheckpointError::NotSafetensors(_)),
            "cut at {cut}: {error}"
        );
    }
}

#[test]
fn wrong_shape_is_refused_with_the_tensor_named() {
    let bytes = rewritten(&trained_model(), |tensors, _| {
        let weight = tensors
            .iter_mut()
            .find(|t| t.0 == "layers.1.weight")
            .expect("present");
        weight.2 = vec![8, 4]; // transposed: same bytes, wrong layout
    });
    let error = Model::from_safetensors(&bytes).expect_err("wrong shape");
    assert!(
        matches!(&error, CheckpointError::WrongShape { name, expected, found }
            if name == "layers.1.weight" && expected == &[4, 8] && found == &[8, 4]),
        "{error}"
    );
}

#[test]
fn wrong_dtype_is_refused() {
    let bytes = rewritten(&trained_model(), |tensors, _| {
        let bias = tensors
            .iter_mut()
            .find(|t| t.0 == "layers.0.bias")
            .expect("present");
        bias.1 = Dtype::I32;
    });
    let error = Model::from_safetensors(&bytes).expect_err("wrong dtype");
    assert!(
        matches!(&error, CheckpointError::WrongDtype { name, .. } if name == "layers.0.bias"),
        "{error}"
    );
    assert!(error.to_string().contains("F32"));
}

#[test]
fn missing_metadata_is_refused_by_name() {
    for key in [
        "hidden_sizes",
        "activation",
        "x_mean",
        "y_std",
        "x_names",
        "format_version",
    ] {
        let bytes = rewritten(&trained_model(), |_, metadata| {
            metadata.remove(key);
        });
        let error = Model::from_safetensors(&bytes).expect_err("missing metadata");
        assert!(
            matches!(error, CheckpointError::MissingMetadata(k) if k == key),
            "{key}: {error}"
        );
    }
    let foreign = rewritten(&trained_model(), |_, metadata| metadata.clear());
    assert!(matches!(
        Model::from_safetensors(&foreign),
        Err(CheckpointError::NotNanograd)
    ));
}

#[test]
fn inconsistent_metadata_and_tensors_are_refused() {
    let cases: [(&str, &str); 4] = [
        ("hidden_sizes", "[8]"),
        ("hidden_sizes", "not json"),
        ("activation", "softmax"),
        ("x_mean", "[1.0]"),
    ];
    for (key, value) in cases {
        let bytes = rewritten(&trained_model(), |_, metadata| {
            metadata.insert(key.to_string(), value.to_string());
        });
        assert!(
            Model::from_safetensors(&bytes).is_err(),
            "{key} = {value} accepted"
        );
    }
    let missing_tensor = rewritten(&trained_model(), |tensors, _| {
        tensors.retain(|t| t.0 != "layers.2.weight")
    });
    assert!(
        matches!(Model::from_safetensors(&missing_tensor), Err(CheckpointError::MissingTensor(n)) if n == "layers.2.weight")
    );
    let newer = rewritten(&trained_model(), |_, metadata| {
        metadata.insert("format_version".into(), "99".into());
    });
    assert!(matches!(
        Model::from_safetensors(&newer),
        Err(CheckpointError::UnsupportedVersion { .. })
    ));
}

#[test]
fn a_file_far_larger_than_any_weights_file_is_refused_before_it_is_read() {
    let dir = tempdir();
    let huge = dir.join("huge.safetensors");
    let file = std::fs::File::create(&huge).expect("create");
    // Sparse: no disk space is used.
    file.set_len(nanograd::train::MAX_WEIGHTS_FILE_BYTES + 1)
        .expect("set length");
    let error = Model::load(&huge).expect_err("refused");
    assert!(matches!(error, CheckpointError::TooLarge { .. }), "{error}");
    assert!(error.to_string().contains("it is not one"), "{error}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unreadable_and_unwritable_paths_give_errors() {
    let dir = tempdir();
    let missing = dir.join("nothing-here.safetensors");
    assert!(matches!(
        Model::load(&missing),
        Err(CheckpointError::Read { .. })
    ));
    let in_missing_folder = dir.join("no-such-folder").join("model.safetensors");
    let error = trained_model()
        .save(&in_missing_folder)
        .expect_err("folder does not exist");
    assert!(matches!(error, CheckpointError::Write { .. }), "{error}");
    let garbage = dir.join("garbage.safetensors");
    std::fs::write(&garbage, b"\xff\xff\xff\xff\xff\xff\xff\x7fhello").expect("write");
    assert!(matches!(
        Model::load(&garbage),
        Err(CheckpointError::NotSafetensors(_))
    ));
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "nanograd-checkpoint-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn a_save_killed_midway_leaves_a_whole_file_and_nothing_to_trip_over() {
    // A real process writing a 16 MB weights file over a previous one, killed as soon as its
    // temporary file appears and then a few milliseconds later each time: in the middle of
    // writing, flushing or renaming.
    let folder = std::env::temp_dir().join(format!("nanograd-killed-save-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("scratch folder");
    let path = folder.join("weights.safetensors");
    let temporary = nanograd::files::temporary_path(&path);
    trained_model().save(&path).expect("the previous file");
    let engel = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/data/engel_food.csv");
    let mut outcomes = Vec::new();
    for extra_ms in [0, 0, 1, 2, 4, 8] {
        let before = std::fs::read(&path).expect("a file is there");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nanograd"))
            .args(["train", engel, "--x", "income", "--y", "foodexp"])
            .args([
                "--hidden",
                "2048,2048",
                "--epochs",
                "1",
                "--l2",
                "0",
                "--save",
            ])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nanograd starts");
        let started = std::time::Instant::now();
        while !temporary.exists()
            && child.try_wait().expect("polled").is_none()
            && started.elapsed() < std::time::Duration::from_secs(120)
        {
            std::thread::sleep(std::time::Duration::from_micros(100));
        }
        std::thread::sleep(std::time::Duration::from_millis(extra_ms));
        let _ = child.kill();
        let finished = child.wait().expect("waited").success();
        let after = std::fs::read(&path).expect("the file is still there");
        // Either untouched, or the new file whole: it loads.
        let replaced = after != before;
        if replaced {
            Model::load(&path).unwrap_or_else(|err| panic!("{extra_ms} ms: {err}"));
        }
        outcomes.push((extra_ms, finished, replaced, temporary.exists()));
    }
    // The next save works, whatever the kills left, and leaves only the weights file.
    trained_model().save(&path).expect("saves after the kills");
    Model::load(&path).expect("loads");
    let names: Vec<String> = std::fs::read_dir(&folder)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    // (extra ms, finished, replaced, temporary file left) for each kill, if this fails.
    assert_eq!(names, vec!["weights.safetensors"], "{outcomes:?}");
    let _ = std::fs::remove_dir_all(folder);
}

/// Found by the `weights_loader` cargo-fuzz target (fuzz/): a flipped byte in a weight made it
/// NaN or infinite and the file loaded, so every prediction was NaN. Damaged weights are now
/// refused by tensor name.
#[test]
fn non_finite_weights_are_refused_by_tensor_name() {
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let bytes = rewritten(&trained_model(), |tensors, _| {
            let weight = tensors
                .iter_mut()
                .find(|t| t.0 == "layers.1.weight")
                .expect("present");
            weight.3[4..8].copy_from_slice(&bad.to_le_bytes());
        });
        let error = Model::from_safetensors(&bytes).expect_err("non-finite weight");
        assert!(
            matches!(&error, CheckpointError::NonFiniteWeight { name } if name == "layers.1.weight"),
            "{bad}: {error}"
        );
        assert!(error.to_string().contains("not a finite number"), "{error}");
    }
}

/// A standardisation Nanograd never writes (a std of 0 or below, or a number too large for
/// f32) would make every prediction infinite or NaN; it is refused by entry name.
#[test]
fn impossible_standardisation_is_refused_by_entry_name() {
    let cases: [(&str, &str); 6] = [
        ("x_std", "[0.0,1.0]"),
        ("x_std", "[-2.0,1.0]"),
        ("y_std", "[1e-45]"),
        ("y_std", "[1e39]"),
        ("x_mean", "[1e39,1.0]"),
        ("y_mean", "[-1e300]"),
    ];
    for (key, value) in cases {
        let bytes = rewritten(&trained_model(), |_, metadata| {
            metadata.insert(key.to_string(), value.to_string());
        });
        let error = Model::from_safetensors(&bytes).expect_err("impossible standardisation");
        assert!(
            matches!(&error, CheckpointError::BadMetadata { key: k, .. } if *k == key),
            "{key} = {value}: {error}"
        );
    }
}
