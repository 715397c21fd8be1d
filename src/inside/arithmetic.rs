//! One neuron's computation for one input with the numbers plugged in, as a class writes it on
//! the board: `h2,3 = tanh(0.41·h1,1 − 1.20·h1,2 + … + 0.05) = tanh(0.87) = 0.70`. Columns are
//! counted as the diagram counts them: 0 the inputs, 1… the hidden layers, the last the output.

use serde::Serialize;

use super::explain::{Explanation, layer_activation, target_scale};
use crate::nn::Activation;
use crate::train::Model;

/// One `weight · input` term of a neuron's sum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Term {
    pub weight: f32,
    pub input: f32,
    pub input_name: String,
}

impl Term {
    pub fn product(&self) -> f32 {
        self.weight * self.input
    }
}

/// A neuron's sum and activation for one input, standardised units.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NeuronArithmetic {
    pub name: String,
    /// Largest |weight · input| first.
    pub terms: Vec<Term>,
    pub bias: f32,
    pub pre: f32,
    pub activation: Activation,
    pub post: f32,
    /// For the output: its value back in the target's units.
    pub in_target_units: Option<TargetUnits>,
}

/// `y = output · σ_y + μ_y`: the standardisation undone.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetUnits {
    pub y_name: String,
    pub std: f32,
    pub mean: f32,
    pub prediction: f32,
}

/// The name of unit `unit` of diagram column `column`: the input column's name, `h2,3` for a
/// hidden unit (counted from 1), the target's name for the output.
pub fn unit_symbol(model: &Model, column: usize, unit: usize) -> String {
    let n_columns = model.mlp.n_layers() + 1;
    match column {
        0 => model
            .x_names
            .get(unit)
            .filter(|name| !name.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("x{}", unit + 1)),
        _ if column + 1 == n_columns => {
            if model.y_name.is_empty() {
                "output".to_owned()
            } else {
                model.y_name.clone()
            }
        }
        _ => format!("h{column},{}", unit + 1),
    }
}

/// The computation of unit `unit` of diagram column `column` (≥ 1) for the explained input;
/// `None` for an input column or a unit that does not exist.
pub fn neuron_arithmetic(
    model: &Model,
    explanation: &Explanation,
    column: usize,
    unit: usize,
) -> Option<NeuronArithmetic> {
    let layer = column.checked_sub(1)?;
    let values = explanation.layers.get(layer)?;
    let (weight, bias) = model.mlp.layer(layer);
    if unit >= weight.rows() {
        return None;
    }
    let inputs = match layer {
        0 => &explanation.standardised_x[..],
        _ => &explanation.layers[layer - 1].post[..],
    };
    let mut terms: Vec<Term> = inputs
        .iter()
        .enumerate()
        .map(|(from, &input)| Term {
            weight: weight.at(unit, from),
            input,
            input_name: unit_symbol(model, column - 1, from),
        })
        .collect();
    terms.sort_by(|a, b| b.product().abs().total_cmp(&a.product().abs()));
    let is_output = column == model.mlp.n_layers();
    let in_target_units = is_output.then(|| {
        let (mean, std) = target_scale(model);
        TargetUnits {
            y_name: unit_symbol(model, column, 0),
            std,
            mean,
            prediction: explanation.prediction,
        }
    });
    Some(NeuronArithmetic {
        name: if is_output {
            "output".to_owned()
        } else {
            unit_symbol(model, column, unit)
        },
        terms,
        bias: bias.data()[unit],
        pre: values.pre[unit],
        activation: layer_activation(model, layer),
        post: values.post[unit],
        in_target_units,
    })
}

impl NeuronArithmetic {
    /// The sum written out with its `max_terms` largest terms; the rest are counted and summed
    /// in one term, so the arithmetic can still be checked by hand.
    pub fn equation(&self, max_terms: usize) -> String {
        let mut sum = String::new();
        let shown = self.terms.len().min(max_terms.max(1));
        for (k, term) in self.terms[..shown].iter().enumerate() {
            push_signed(&mut sum, term.weight, k == 0);
            sum.push('·');
            sum.push_str(&term.input_name);
        }
        let hidden = &self.terms[shown..];
        if !hidden.is_empty() {
            let rest: f32 = hidden.iter().map(Term::product).sum();
            let count = hidden.len();
            let plural = if count == 1 { "term" } else { "terms" };
            sum.push_str(&format!(" + ({count} more {plural}: {})", number(rest)));
        }
        push_signed(&mut sum, self.bias, self.terms.is_empty());
        match self.activation {
            Activation::Identity => {
                format!("{} = {sum} = {}", self.name, number(self.post))
            }
            activation => format!(
                "{} = {activation}({sum}) = {activation}({}) = {}",
                self.name,
                number(self.pre),
                number(self.post)
            ),
        }
    }

    /// For the output: `foodexp = 0.87 × 112.3 + 624.2 = 721.9`.
    pub fn target_equation(&self) -> Option<String> {
        let target = self.in_target_units.as_ref()?;
        Some(format!(
            "{} = {} × {} + {} = {}",
            target.y_name,
            number(self.post),
            number(target.std),
            number(target.mean),
            number(target.prediction)
        ))
    }
}

/// Appends ` + v` or ` − v` (or `v`, `−v` first), so that signs read as arithmetic.
fn push_signed(text: &mut String, value: f32, is_first: bool) {
    let magnitude = number(value.abs());
    match (is_first, value.is_sign_negative() && value != 0.0) {
        (true, false) => text.push_str(&magnitude),
        (true, true) => text.push_str(&format!("−{magnitude}")),
        (false, false) => text.push_str(&format!(" + {magnitude}")),
        (false, true) => text.push_str(&format!(" − {magnitude}")),
    }
}

/// Three significant digits, at least two decimals below 100, a true minus sign, never "-0".
pub fn number(value: f32) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs();
    let text = if magnitude != 0.0 && !(1e-3..1e5).contains(&magnitude) {
        format!("{magnitude:.2e}")
    } else {
        let decimals = if magnitude >= 100.0 {
            1
        } else if magnitude >= 0.1 || magnitude == 0.0 {
            2
        } else {
            // 0.0123 keeps three significant digits.
            (2 - magnitude.log10().floor() as i32).clamp(2, 5) as usize
        };
        format!("{magnitude:.decimals$}")
    };
    let is_zero = text.chars().all(|c| matches!(c, '0' | '.'));
    if value.is_sign_negative() && !is_zero {
        format!("−{text}")
    } else {
        text
    }
}
