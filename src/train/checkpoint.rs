//! The weights file: a trained [`Model`] as safetensors.
//!
//! One tensor per layer weight (`layers.{l}.weight`, out × in, PyTorch's `nn.Linear` layout)
//! and bias (`layers.{l}.bias`, out), all F32, so `safetensors.numpy.load_file` or PyTorch's
//! `load_state_dict` read it directly. Everything else needed to predict (layer sizes,
//! activation, standardisation, column names) is string metadata in the header. Floats in
//! the metadata are JSON numbers printed shortest-round-trip, so a loaded model predicts
//! bit-identical outputs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use thiserror::Error;

use super::model::Model;
use crate::data::Standardization;
use crate::engine::Tensor;
use crate::nn::{Activation, Mlp};

/// The metadata value of `format`; a file without it was not written by Nanograd.
pub const FORMAT_NAME: &str = "nanograd-mlp";
/// Bumped when the layout changes incompatibly; files of a newer version are refused.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Error)]
pub enum CheckpointError {
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("this is not a readable weights file (it may be truncated or not safetensors): {0}")]
    NotSafetensors(String),
    #[error("this safetensors file was not saved by Nanograd (no \"format\" metadata)")]
    NotNanograd,
    #[error(
        "this weights file is format version {found}; this Nanograd reads version {FORMAT_VERSION} (update Nanograd)"
    )]
    UnsupportedVersion { found: String },
    #[error("the weights file lacks the \"{0}\" entry it needs to make predictions")]
    MissingMetadata(&'static str),
    #[error("the weights file's \"{key}\" entry is invalid: {reason}")]
    BadMetadata { key: &'static str, reason: String },
    #[error("the weights file lacks tensor \"{0}\"")]
    MissingTensor(String),
    #[error("tensor \"{name}\" has shape {found:?}, but the network needs {expected:?}")]
    WrongShape {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("tensor \"{name}\" is stored as {found}; Nanograd weights are F32")]
    WrongDtype { name: String, found: String },
    #[error(
        "{path} is {size} bytes, more than any Nanograd weights file ({MAX_WEIGHTS_FILE_BYTES} \
         at most): it is not one"
    )]
    TooLarge { path: PathBuf, size: u64 },
    #[error(
        "tensor \"{name}\" holds a value that is not a finite number (the file is damaged or was not saved by Nanograd)"
    )]
    NonFiniteWeight { name: String },
}

/// The largest weights file read: the largest network the command line trains (20 M weights
/// between hidden layers, 4 bytes each) fits with room to spare.
pub const MAX_WEIGHTS_FILE_BYTES: u64 = 256 << 20;

/// The weights file's name for `Mlp` parameter `index` (layer `l`'s weight is `2l`, its bias
/// `2l + 1`): "layers.0.weight", "layers.0.bias", "layers.1.weight", …
pub fn parameter_name(index: usize) -> String {
    let kind = if index.is_multiple_of(2) {
        "weight"
    } else {
        "bias"
    };
    format!("layers.{}.{kind}", index / 2)
}

impl Model {
    /// The model as safetensors bytes.
    pub fn to_safetensors(&self) -> Result<Vec<u8>, CheckpointError> {
        let mlp = &self.mlp;
        let mut names_and_bytes = Vec::new();
        for layer in 0..mlp.n_layers() {
            let (weight, bias) = mlp.layer(layer);
            names_and_bytes.push((
                parameter_name(2 * layer),
                vec![weight.rows(), weight.cols()],
                to_le_bytes(weight),
            ));
            names_and_bytes.push((
                parameter_name(2 * layer + 1),
                vec![bias.cols()],
                to_le_bytes(bias),
            ));
        }
        let mut views = Vec::with_capacity(names_and_bytes.len());
        for (name, shape, bytes) in &names_and_bytes {
            let view = TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map_err(|e| CheckpointError::NotSafetensors(e.to_string()))?;
            views.push((name.clone(), view));
        }
        let metadata = HashMap::from([
            ("format".to_string(), FORMAT_NAME.to_string()),
            ("format_version".to_string(), FORMAT_VERSION.to_string()),
            ("n_inputs".to_string(), mlp.n_inputs().to_string()),
            (
                "hidden_sizes".to_string(),
                json(&mlp.hidden_sizes().to_vec()),
            ),
            (
                "activation".to_string(),
                mlp.activation().name().to_string(),
            ),
            ("x_names".to_string(), json(&self.x_names)),
            ("y_name".to_string(), self.y_name.clone()),
            ("x_mean".to_string(), json(&self.x_standardization.mean)),
            ("x_std".to_string(), json(&self.x_standardization.std)),
            ("y_mean".to_string(), json(&self.y_standardization.mean)),
            ("y_std".to_string(), json(&self.y_standardization.std)),
        ]);
        safetensors::serialize(views, Some(metadata))
            .map_err(|e| CheckpointError::NotSafetensors(e.to_string()))
    }

    /// Reads a model from safetensors bytes, checking every shape and entry.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Model, CheckpointError> {
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| CheckpointError::NotSafetensors(e.to_string()))?;
        let tensors = SafeTensors::deserialize(bytes)
            .map_err(|e| CheckpointError::NotSafetensors(e.to_string()))?;
        let empty = HashMap::new();
        let metadata = header.metadata().as_ref().unwrap_or(&empty);
        let get = |key: &'static str| {
            metadata
                .get(key)
                .ok_or(CheckpointError::MissingMetadata(key))
        };
        if metadata.get("format").map(String::as_str) != Some(FORMAT_NAME) {
            return Err(CheckpointError::NotNanograd);
        }
        let version = get("format_version")?;
        if version.parse::<u32>().ok() != Some(FORMAT_VERSION) {
            return Err(CheckpointError::UnsupportedVersion {
                found: version.clone(),
            });
        }
        let n_inputs: usize = parse_json(get("n_inputs")?, "n_inputs")?;
        let hidden_sizes: Vec<usize> = parse_json(get("hidden_sizes")?, "hidden_sizes")?;
        let activation_name = get("activation")?;
        let activation =
            Activation::from_name(activation_name).ok_or_else(|| CheckpointError::BadMetadata {
                key: "activation",
                reason: format!("unknown activation \"{activation_name}\""),
            })?;
        let x_names: Vec<String> = parse_json(get("x_names")?, "x_names")?;
        let y_name = get("y_name")?.clone();
        let x_standardization = Standardization {
            mean: parse_json(get("x_mean")?, "x_mean")?,
            std: parse_json(get("x_std")?, "x_std")?,
        };
        let y_standardization = Standardization {
            mean: parse_json(get("y_mean")?, "y_mean")?,
            std: parse_json(get("y_std")?, "y_std")?,
        };
        if n_inputs == 0 || hidden_sizes.contains(&0) {
            return Err(CheckpointError::BadMetadata {
                key: "hidden_sizes",
                reason: "a layer has no units".into(),
            });
        }
        let widths_match = |s: &Standardization, n: usize| s.mean.len() == n && s.std.len() == n;
        if x_names.len() != n_inputs || !widths_match(&x_standardization, n_inputs) {
            return Err(CheckpointError::BadMetadata {
                key: "x_names",
                reason: format!(
                    "names and standardisation must have {n_inputs} entries, one per input"
                ),
            });
        }
        if !widths_match(&y_standardization, 1) {
            return Err(CheckpointError::BadMetadata {
                key: "y_mean",
                reason: "the target has one mean and one std".into(),
            });
        }
        // Nanograd writes finite means and positive stds (a constant column gets 1): anything
        // else would make every prediction infinite or NaN.
        for (key, values) in [
            ("x_mean", &x_standardization.mean),
            ("y_mean", &y_standardization.mean),
        ] {
            if values.iter().any(|m| !m.is_finite()) {
                return Err(CheckpointError::BadMetadata {
                    key,
                    reason: "every mean must be a finite number".into(),
                });
            }
        }
        for (key, values) in [
            ("x_std", &x_standardization.std),
            ("y_std", &y_standardization.std),
        ] {
            if values.iter().any(|s| !(s.is_normal() && *s > 0.0)) {
                return Err(CheckpointError::BadMetadata {
                    key,
                    reason: "every standard deviation must be a positive, finite number".into(),
                });
            }
        }
        let mut sizes = vec![n_inputs];
        sizes.extend_from_slice(&hidden_sizes);
        sizes.push(1);
        let mut parameters = Vec::with_capacity(2 * (sizes.len() - 1));
        for (layer, pair) in sizes.windows(2).enumerate() {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            parameters.push(read_tensor(
                &tensors,
                &parameter_name(2 * layer),
                &[fan_out, fan_in],
            )?);
            parameters.push(read_tensor(
                &tensors,
                &parameter_name(2 * layer + 1),
                &[fan_out],
            )?);
        }
        let mlp = Mlp::from_parameters(n_inputs, &hidden_sizes, activation, parameters).ok_or(
            CheckpointError::BadMetadata {
                key: "hidden_sizes",
                reason: "layer sizes do not match the tensors".into(),
            },
        )?;
        Ok(Model {
            mlp,
            x_standardization,
            y_standardization,
            x_names,
            y_name,
        })
    }

    /// Writes the model to `path` whole or not at all (see [`crate::files::write_atomically`]):
    /// an interrupted save leaves the previous file as it was.
    pub fn save(&self, path: &Path) -> Result<(), CheckpointError> {
        let bytes = self.to_safetensors()?;
        crate::files::write_atomically(path, &bytes).map_err(|source| CheckpointError::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    pub fn load(path: &Path) -> Result<Model, CheckpointError> {
        use std::io::Read;
        let read_error = |source| CheckpointError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let size = file.metadata().map_err(read_error)?.len();
        if size > MAX_WEIGHTS_FILE_BYTES {
            return Err(CheckpointError::TooLarge {
                path: path.to_path_buf(),
                size,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        // Bounded again while reading: the file may grow after its size was asked.
        file.take(MAX_WEIGHTS_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
        if bytes.len() as u64 > MAX_WEIGHTS_FILE_BYTES {
            return Err(CheckpointError::TooLarge {
                path: path.to_path_buf(),
                size: bytes.len() as u64,
            });
        }
        Self::from_safetensors(&bytes)
    }
}

fn to_le_bytes(tensor: &Tensor) -> Vec<u8> {
    tensor.data().iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    key: &'static str,
) -> Result<T, CheckpointError> {
    serde_json::from_str(text).map_err(|e| CheckpointError::BadMetadata {
        key,
        reason: e.to_string(),
    })
}

fn read_tensor(
    tensors: &SafeTensors<'_>,
    name: &str,
    expected: &[usize],
) -> Result<Tensor, CheckpointError> {
    let view = tensors
        .tensor(name)
        .map_err(|_| CheckpointError::MissingTensor(name.to_string()))?;
    if view.dtype() != Dtype::F32 {
        return Err(CheckpointError::WrongDtype {
            name: name.to_string(),
            found: format!("{:?}", view.dtype()),
        });
    }
    if view.shape() != expected {
        return Err(CheckpointError::WrongShape {
            name: name.to_string(),
            expected: expected.to_vec(),
            found: view.shape().to_vec(),
        });
    }
    let values: Vec<f32> = view
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    // A NaN or infinite weight (a damaged file) would make every prediction NaN.
    if values.iter().any(|v| !v.is_finite()) {
        return Err(CheckpointError::NonFiniteWeight {
            name: name.to_string(),
        });
    }
    let (rows, cols) = if expected.len() == 2 {
        (expected[0], expected[1])
    } else {
        (1, expected[0])
    };
    Ok(Tensor::new(rows, cols, values))
}

/// Metadata values as JSON text; serde_json writes f32 shortest-round-trip, so they read
/// back bit-identical.
fn json<T: serde::Serialize>(value: &T) -> String {
    // Vectors of finite numbers and of strings always serialise; a non-finite standardisation
    // cannot exist (the data module refuses non-finite values).
    serde_json::to_string(value).unwrap_or_default()
}

/// Whether `path` is a weights file Nanograd wrote, judged from its header alone (a few
/// bytes, however large the file): what the app asks before replacing a file, so that a
/// mistyped path to a CSV file is not overwritten without a clear warning.
pub fn is_weights_file(path: &Path) -> bool {
    use std::io::Read;
    // The safetensors header: its length in 8 little-endian bytes, then JSON.
    const MAX_HEADER: u64 = 1 << 20;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut length = [0u8; 8];
    if file.read_exact(&mut length).is_err() {
        return false;
    }
    let length = u64::from_le_bytes(length);
    if length > MAX_HEADER {
        return false;
    }
    let mut header = Vec::new();
    if file.take(length).read_to_end(&mut header).is_err() {
        return false;
    }
    let Ok(header) = serde_json::from_slice::<serde_json::Value>(&header) else {
        return false;
    };
    header["__metadata__"]["format"] == FORMAT_NAME
}
