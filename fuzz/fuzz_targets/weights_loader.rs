//! The `.safetensors` weights loader on arbitrary bytes (`Model::from_safetensors`, which
//! `Model::load` uses after reading the file). A refusal must be a `CheckpointError`; a
//! model that loads must be usable: it predicts one value for one row, and its weights and
//! standardisation are finite, as every file Nanograd writes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nanograd::train::Model;

fuzz_target!(|bytes: &[u8]| {
    let model = match Model::from_safetensors(bytes) {
        Ok(model) => model,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let n_inputs = model.n_inputs();
    assert_eq!(model.x_names.len(), n_inputs);
    assert_eq!(model.x_standardization.n_columns(), n_inputs);
    assert_eq!(model.y_standardization.n_columns(), 1);
    let standardisation = [&model.x_standardization, &model.y_standardization];
    assert!(
        standardisation
            .iter()
            .all(|s| s.mean.iter().all(|m| m.is_finite())
                && s.std.iter().all(|s| s.is_normal() && *s > 0.0)),
        "a loaded model has a non-finite mean or a std that is not a positive number"
    );
    assert!(
        model
            .mlp
            .parameters()
            .iter()
            .all(|p| p.data().iter().all(|v| v.is_finite())),
        "a loaded model has non-finite weights"
    );
    // One row: each input at its training mean (in the user's units).
    let row = model.x_standardization.mean.clone();
    let prediction = model.predict(&row);
    assert_eq!(prediction.len(), 1);
    // The round trip through the writer must load again.
    let again = model.to_safetensors().expect("a loaded model serialises");
    let reloaded = Model::from_safetensors(&again).expect("a saved model loads");
    assert_eq!(reloaded, model);
});
