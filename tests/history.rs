//! The run history: a finished run's record, its weights kept in a file that a restart reads
//! back bit for bit, the bound, and the CSV export that never overwrites a file.

use nanograd::app::history::{MAX_ENTRIES, RunHistory};
use nanograd::app::snapshot::FinishedRun;
use nanograd::data::{ColumnRef, Dataset, load_sample};
use nanograd::train::history::{LossHistory, LossPoint};
use nanograd::train::{TrainConfig, Trainer};

fn engel() -> Dataset {
    let table = load_sample("engel_food").expect("sample");
    table
        .select(&[ColumnRef::from("income")], &ColumnRef::from("foodexp"))
        .expect("columns")
        .0
}

fn finished(epochs: usize) -> FinishedRun {
    let data = engel();
    let config = TrainConfig {
        val_fraction: 0.2,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&data, &config).expect("valid");
    let mut history = LossHistory::new(64);
    for _ in 0..epochs {
        trainer.run_epoch().expect("finite");
        let metrics = trainer.metrics();
        history.push(LossPoint {
            epoch: trainer.epoch() as f64,
            train_loss: metrics.train_loss as f32,
            validation_loss: metrics.validation_loss.map(|loss| loss as f32),
        });
    }
    FinishedRun {
        data_name: data.name.clone(),
        x_names: data.x_names.clone(),
        y_name: data.y_name.clone(),
        config,
        label: String::new(),
        model: trainer.model(),
        epochs,
        steps: trainer.steps(),
        seconds: 0.5,
        history,
        metrics: trainer.metrics(),
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nanograd-history-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_restart_restores_bit_identical_weights_from_the_history_folder() {
    let folder = temp_dir("restart");
    let run = finished(5);
    let x = [500.0f32, 1000.0, 2500.0];
    let expected = run.model.predict(&x);
    let mut history = RunHistory::new(Vec::new(), Some(folder.clone()));
    history.add(run);
    let entry = &history.entries()[0];
    assert_eq!(entry.epochs, 5);
    assert!(entry.best_train_loss <= entry.train_loss);
    assert!(entry.best_validation_loss.is_some() && entry.best_validation_epoch.is_some());
    assert_eq!(entry.curve.len(), 5);
    let file = entry.weights_file.clone().expect("weights saved");
    assert!(file.is_file());

    // As eframe stores it, and read back by a new session.
    let stored = serde_json::to_string(history.entries()).expect("entries serialise");
    let entries = serde_json::from_str(&stored).expect("entries read back");
    let restarted = RunHistory::new(entries, Some(folder.clone()));
    assert!(
        restarted.entries()[0].model.is_none(),
        "weights come from the file"
    );
    let model = restarted.model(0).expect("the weights file reads");
    let predicted = model.predict(&x);
    for (a, b) in predicted.iter().zip(&expected) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn the_history_is_bounded_and_deleting_removes_the_weights() {
    let folder = temp_dir("bound");
    let mut history = RunHistory::new(Vec::new(), Some(folder.clone()));
    let run = finished(1);
    for _ in 0..MAX_ENTRIES + 3 {
        history.add(run.clone());
    }
    assert_eq!(history.entries().len(), MAX_ENTRIES);
    assert_eq!(
        history.entries()[0].id,
        (MAX_ENTRIES + 2) as u64,
        "newest first"
    );
    let files = std::fs::read_dir(&folder).expect("folder").count();
    assert_eq!(
        files, MAX_ENTRIES,
        "the oldest runs' weights went with them"
    );
    let newest = history.entries()[0].clone();
    history.delete(newest.id);
    assert_eq!(history.entries().len(), MAX_ENTRIES - 1);
    assert!(!newest.weights_file.expect("a file").exists());
    history.clear();
    assert_eq!(std::fs::read_dir(&folder).expect("folder").count(), 0);
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn the_csv_export_parses_back_and_never_overwrites() {
    let folder = temp_dir("csv");
    std::fs::create_dir_all(&folder).expect("folder");
    let mut history = RunHistory::new(Vec::new(), None);
    history.add(finished(3));
    history.add(finished(4));
    let path = folder.join("history.csv");
    history.export(&path).expect("written");
    let mut reader = csv::Reader::from_path(&path).expect("readable");
    let headers = reader.headers().expect("a header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), 2);
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    assert_eq!(&rows[0][column("epochs")], "4", "newest first");
    assert_eq!(&rows[1][column("epochs")], "3");
    assert_eq!(&rows[0][column("optimizer")], "adam");
    let loss: f64 = rows[0][column("train_loss")].parse().expect("a number");
    assert_eq!(loss, history.entries()[0].train_loss);
    let before = std::fs::read(&path).expect("file");
    let error = history.export(&path).expect_err("the file exists");
    assert!(error.to_string().contains("already exists"), "{error}");
    assert_eq!(std::fs::read(&path).expect("file"), before, "untouched");
    let _ = std::fs::remove_dir_all(folder);
}
