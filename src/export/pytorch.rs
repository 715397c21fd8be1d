//! The text of a standalone PyTorch script for a trained [`Model`]: the same network as an
//! `nn.Sequential`, which loads its weights and standardisation from the `.safetensors` file
//! when it runs (see `pytorch_template.py`, filled in here).

use crate::nn::Activation;
use crate::train::{FORMAT_NAME, FORMAT_VERSION, Model};

/// The script, with `{{name}}` where this module fills in the model's details. It is a Python
/// file of its own so that it reads (and is edited) as Python.
const TEMPLATE: &str = include_str!("pytorch_template.py");

/// How the user named the files, for the instructions in the script's docstring.
#[derive(Clone, Copy, Debug)]
pub struct ScriptNames<'a> {
    /// The weights file, as given to `nanograd export`.
    pub weights: &'a str,
    /// The script, as given to `--pytorch`.
    pub script: &'a str,
}

/// The PyTorch module that computes exactly what the engine's `activation` computes (up to
/// the engine's tanh approximation, within 5e-7). Exhaustive on purpose: an activation added
/// to the engine does not compile until it has its PyTorch counterpart here.
pub fn torch_module(activation: Activation) -> &'static str {
    match activation {
        Activation::Tanh => "nn.Tanh()",
        Activation::Relu => "nn.ReLU()",
        // 1 / (1 + e^-x); the engine's (1 + tanh(x / 2)) / 2 is the same function.
        Activation::Sigmoid => "nn.Sigmoid()",
        // Kept as a module so that every hidden layer reads Linear then activation, and the
        // lesson (a stack of linear layers is one linear map) stays visible.
        Activation::Identity => "nn.Identity()",
    }
}

/// The script for `model`, loading the weights file named in `names` when it is run.
pub fn pytorch_script(model: &Model, names: ScriptNames<'_>) -> String {
    fill(TEMPLATE, &fields(model, names))
}

/// What goes in each of the template's placeholders: Python literals in the code, plain
/// text in the docstring.
fn fields(model: &Model, names: ScriptNames<'_>) -> [(&'static str, String); 18] {
    let mlp = &model.mlp;
    let activation = mlp.activation();
    let sizes = mlp.layer_sizes();
    let example = example_rows(model);
    let module_name = module_name(names.script);
    let mut layers = Vec::new();
    for (index, pair) in sizes.windows(2).enumerate() {
        layers.push(format!(
            "        nn.Linear({}, {}),  # layers.{index} in the weights file",
            pair[0], pair[1]
        ));
        if index + 2 < sizes.len() {
            layers.push(format!("        {},", torch_module(activation)));
        }
    }
    let docstring = |text: &str| escape_docstring(text);
    [
        ("y_name_text", docstring(&model.y_name)),
        ("x_names_text", docstring(&and_list(&model.x_names))),
        ("version", env!("CARGO_PKG_VERSION").to_owned()),
        (
            "export_command",
            docstring(&format!(
                "nanograd export {} --pytorch {}",
                shell_word(names.weights),
                shell_word(names.script)
            )),
        ),
        ("architecture", docstring(&architecture(model))),
        ("x_order_text", docstring(&model.x_names.join(","))),
        ("run_command", docstring(&run_command(model, names))),
        ("module_name", module_name.clone()),
        ("weights_literal", docstring(&python_string(names.weights))),
        ("example_list", docstring(&example.python_list)),
        ("n_inputs", mlp.n_inputs().to_string()),
        (
            "hidden_sizes",
            join(mlp.hidden_sizes().iter().map(usize::to_string)),
        ),
        ("activation", python_string(activation.name())),
        (
            "x_names",
            join(model.x_names.iter().map(|n| python_string(n))),
        ),
        ("y_name", python_string(&model.y_name)),
        ("format_name", python_string(FORMAT_NAME)),
        ("format_version", python_string(&FORMAT_VERSION.to_string())),
        ("layers", layers.join("\n")),
    ]
}

/// The command that runs the script on two example rows, as the user named the files:
/// "python model.py cars.safetensors 104,2980 143,3830".
pub fn run_command(model: &Model, names: ScriptNames<'_>) -> String {
    format!(
        "python {} {} {}",
        shell_word(names.script),
        shell_word(names.weights),
        example_rows(model).command_line
    )
}

/// The network as text: "2 inputs (Horsepower, Weight_in_lbs) -> 16 tanh -> 1 output (…)".
pub fn architecture(model: &Model) -> String {
    let mlp = &model.mlp;
    let mut parts = vec![format!(
        "{} input{} ({})",
        mlp.n_inputs(),
        if mlp.n_inputs() == 1 { "" } else { "s" },
        model.x_names.join(", ")
    )];
    parts.extend(
        mlp.hidden_sizes()
            .iter()
            .map(|units| format!("{units} {}", mlp.activation().name())),
    );
    parts.push(format!("1 output ({})", model.y_name));
    parts.join(" -> ")
}

/// Two example rows for the docstring, near the training data: each input's mean, then its
/// mean plus one standard deviation, to three significant digits.
struct Example {
    /// "104,2980 143,3830", as the script's command line takes them.
    command_line: String,
    /// "[104, 2980], [143, 3830]", or "104, 143" for one input.
    python_list: String,
}

fn example_rows(model: &Model) -> Example {
    let stats = &model.x_standardization;
    let rows: Vec<Vec<String>> = [0.0, 1.0]
        .iter()
        .map(|&spread| {
            stats
                .mean
                .iter()
                .zip(&stats.std)
                .map(|(&mean, &std)| three_digits(f64::from(mean) + spread * f64::from(std)))
                .collect()
        })
        .collect();
    let command_line = rows
        .iter()
        .map(|row| row.join(","))
        .collect::<Vec<_>>()
        .join(" ");
    let python_list = if model.n_inputs() == 1 {
        join(rows.iter().map(|row| row.join(", ")))
    } else {
        join(rows.iter().map(|row| format!("[{}]", row.join(", "))))
    };
    Example {
        command_line,
        python_list,
    }
}

/// `value` to three significant digits, through the decimal exponent form so that no binary
/// scaling adds digits back (2977.58 gives "2980", not "2979.9999999999995").
fn three_digits(value: f64) -> String {
    let rounded: f64 = format!("{value:.2e}").parse().unwrap_or(value);
    format!("{rounded}")
}

/// The name `import` takes for the script: its file stem when Python accepts that as a
/// module name, else "model" (the docstring still says how to import it).
fn module_name(script: &str) -> String {
    let stem = std::path::Path::new(script)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_identifier = stem
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if is_identifier {
        stem
    } else {
        "model".to_owned()
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// `text` as a double-quoted Python string literal.
pub fn python_string(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// `text` safe inside a double-quoted Python string: backslashes and quotes escaped, and
/// control characters (a column name can hold a newline or a NUL) written as escape
/// sequences, so no name can end the string early.
fn escape(text: &str) -> String {
    escape_with(text, |_| true)
}

/// `text` safe inside the docstring, written as plainly as can be: a quote is escaped only
/// after another one, so that three never stand in a row to close the docstring.
fn escape_docstring(text: &str) -> String {
    let mut previous = None;
    escape_with(text, |c| {
        let after_quote = previous == Some('"');
        previous = Some(c);
        after_quote
    })
}

/// `text` with backslashes and control characters escaped, and each quote for which
/// `escape_quote` says so.
fn escape_with(text: &str, mut escape_quote: impl FnMut(char) -> bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        let escape_this_quote = escape_quote(c);
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' if escape_this_quote => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            // Control characters are U+0000-U+001F and U+007F-U+009F: two hex digits each.
            c if c.is_control() => escaped.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => escaped.push(c),
        }
    }
    escaped
}

/// `word` as one shell word: as it is when it needs no quoting, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./,:=+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The template with every `{{name}}` replaced by its field, in one pass: a field's text is
/// never searched again, so a column named "{{layers}}" stays a name. A placeholder without a
/// field is left as it is (the tests render every kind of network and look for one).
fn fill(template: &str, fields: &[(&str, String)]) -> String {
    let mut text = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let field = after.find("}}").and_then(|end| {
            let name = &after[..end];
            fields
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (value, end))
        });
        match field {
            Some((value, end)) => {
                text.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                text.push_str("{{");
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Standardization;
    use crate::nn::Mlp;

    fn model(hidden: &[usize], activation: Activation, x_names: &[&str], y_name: &str) -> Model {
        let n_inputs = x_names.len();
        Model {
            mlp: Mlp::new(n_inputs, hidden, activation, 7),
            x_standardization: Standardization {
                mean: (0..n_inputs).map(|i| 104.469 + 2000.0 * i as f32).collect(),
                std: vec![38.5; n_inputs],
            },
            y_standardization: Standardization {
                mean: vec![23.4],
                std: vec![7.8],
            },
            x_names: x_names.iter().map(|&n| n.to_owned()).collect(),
            y_name: y_name.to_owned(),
        }
    }

    const NAMES: ScriptNames<'static> = ScriptNames {
        weights: "cars.safetensors",
        script: "model.py",
    };

    #[test]
    fn every_placeholder_is_filled_for_every_activation_and_depth() {
        for activation in Activation::ALL {
            for hidden in [&[][..], &[3], &[4, 2, 5]] {
                let script = pytorch_script(&model(hidden, activation, &["a", "b"], "y"), NAMES);
                assert!(!script.contains("{{"), "{activation} {hidden:?}:\n{script}");
                assert!(!script.contains("}}"), "{activation} {hidden:?}:\n{script}");
                let modules = script.matches(torch_module(activation)).count();
                assert_eq!(modules, hidden.len(), "{activation} {hidden:?}");
                assert_eq!(
                    script.matches("nn.Linear(").count(),
                    hidden.len() + 1,
                    "{activation} {hidden:?}"
                );
            }
        }
    }

    #[test]
    fn every_field_has_its_place_in_the_template() {
        let model = model(&[3], Activation::Tanh, &["a"], "y");
        for (name, _) in fields(&model, NAMES) {
            assert!(TEMPLATE.contains(&format!("{{{{{name}}}}}")), "{name}");
        }
    }

    #[test]
    fn the_layers_follow_the_network_and_name_their_tensors() {
        let script = pytorch_script(
            &model(&[16, 8], Activation::Relu, &["Horsepower"], "mpg"),
            NAMES,
        );
        let expected = "    return nn.Sequential(\n\
                        \x20       nn.Linear(1, 16),  # layers.0 in the weights file\n\
                        \x20       nn.ReLU(),\n\
                        \x20       nn.Linear(16, 8),  # layers.1 in the weights file\n\
                        \x20       nn.ReLU(),\n\
                        \x20       nn.Linear(8, 1),  # layers.2 in the weights file\n\
                        \x20   )";
        assert!(script.contains(expected), "{script}");
        assert!(script.contains("HIDDEN_SIZES = [16, 8]\n"));
        assert!(script.contains("ACTIVATION = \"relu\"\n"));
        assert!(script.contains("N_INPUTS = 1\n"));
        assert!(script.contains("FORMAT_VERSION = \"1\"\n"));
    }

    #[test]
    fn a_linear_model_has_one_layer_and_no_activation() {
        let script = pytorch_script(&model(&[], Activation::Tanh, &["x"], "y"), NAMES);
        assert!(script.contains("HIDDEN_SIZES = []\n"));
        assert!(!script.contains("nn.Tanh()"));
        assert!(script.contains("    1 input (x) -> 1 output (y)\n"));
    }

    #[test]
    fn names_cannot_break_out_of_their_strings() {
        let hostile = "a\"\"\"b\\c\nd\u{0}e'f{{layers}}\"";
        let script = pytorch_script(&model(&[2], Activation::Tanh, &[hostile], hostile), NAMES);
        assert!(!script.contains("\"\"\"b"), "{script}");
        assert!(
            script.contains(r#"Y_NAME = "a\"\"\"b\\c\nd\x00e'f{{layers}}\"""#),
            "{script}"
        );
        // In the docstring only the quotes that would make three in a row are escaped.
        assert!(
            script.contains(r#"Predicts a"\"\"b\\c\nd\x00e'f{{layers}}" from"#),
            "{script}"
        );
        // Every docstring is closed by its own quotes, and the network is built once.
        assert_eq!(script.matches("\"\"\"").count() % 2, 0);
        assert_eq!(script.matches("nn.Linear(1, 2)").count(), 1);
    }

    #[test]
    fn a_placeholder_without_a_field_is_left_as_it_is() {
        let fields = [("a", "x{{b}}".to_owned())];
        assert_eq!(fill("{{a}} {{b}} {{", &fields), "x{{b}} {{b}} {{");
    }

    #[test]
    fn the_docstring_gives_the_commands_as_the_user_named_the_files() {
        let script = pytorch_script(
            &model(&[4], Activation::Sigmoid, &["Horsepower", "Weight"], "mpg"),
            ScriptNames {
                weights: "my cars.safetensors",
                script: "out/cars-model.py",
            },
        );
        assert!(
            script.contains(&format!(
                "Written by Nanograd {}: nanograd export 'my cars.safetensors' --pytorch \
                 out/cars-model.py\n",
                env!("CARGO_PKG_VERSION")
            )),
            "{script}"
        );
        assert!(
            script.contains("python out/cars-model.py 'my cars.safetensors' 104,2100 143,2140"),
            "{script}"
        );
        // "cars-model" is no module name Python imports.
        assert!(script.contains("    import model\n"), "{script}");
        assert!(script.contains("    network = model.load(\"my cars.safetensors\")\n"));
        assert!(script.contains("network.predict([[104, 2100], [143, 2140]])"));
    }

    #[test]
    fn example_values_keep_three_significant_digits() {
        assert_eq!(three_digits(2977.58), "2980");
        assert_eq!(three_digits(104.469), "104");
        assert_eq!(three_digits(0.012345), "0.0123");
        assert_eq!(three_digits(-5.5555), "-5.56");
        assert_eq!(three_digits(0.0), "0");
    }
}
