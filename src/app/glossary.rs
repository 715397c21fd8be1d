//! Every term the window shows, explained in a sentence or two: the tooltip of each label that
//! names one, and Help → Glossary, which lists them all. One text per term, so the tooltip and
//! the glossary never disagree.

/// A term and what it means, in words a student new to neural networks follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub term: &'static str,
    pub meaning: &'static str,
    /// Other labels on screen that name the same thing ("Batch size" for "Batch").
    pub also: &'static [&'static str],
}

const fn entry(term: &'static str, meaning: &'static str) -> Entry {
    Entry {
        term,
        meaning,
        also: &[],
    }
}

/// In alphabetical order, as Help → Glossary lists them.
pub const GLOSSARY: &[Entry] = &[
    Entry {
        also: &["Activation function"],
        ..entry(
            "Activation",
            "The function each hidden unit applies to its weighted sum, such as tanh or ReLU. \
             Without it, any number of layers would still only draw a straight line.",
        )
    },
    entry(
        "Adam",
        "An optimizer that gives each weight its own step size, from running averages of its \
         gradients (β1) and of their squares (β2). It usually needs less tuning than SGD.",
    ),
    Entry {
        also: &["Batch size", "Mini-batch"],
        ..entry(
            "Batch",
            "The rows used for one step. The gradient of a batch is a noisy estimate of the \
             gradient over all rows: small batches make many quick, noisy steps.",
        )
    },
    entry(
        "β1",
        "Adam's memory of past gradients: 0.9 averages roughly the last ten steps' gradients, \
         which smooths the direction of each step.",
    ),
    entry(
        "β2",
        "Adam's memory of past squared gradients: 0.999 averages roughly the last thousand. \
         It sets how large each weight's steps are.",
    ),
    entry(
        "Bias",
        "The number a unit adds to its weighted sum before the activation: it moves where the \
         unit's bend happens.",
    ),
    Entry {
        also: &["Early stop"],
        ..entry(
            "Early stopping",
            "Stop when the validation loss has not improved for a number of epochs, and keep the \
             weights of the best epoch: a guard against overfitting.",
        )
    },
    Entry {
        also: &["Epochs"],
        ..entry(
            "Epoch",
            "One pass over all the training rows. An epoch is as many steps as there are \
             batches in the training rows.",
        )
    },
    entry(
        "Epoch limit",
        "Training pauses by itself after this many epochs.",
    ),
    entry(
        "Gradient",
        "How much the loss would change if a weight grew a little. Training moves every weight \
         a small step against its gradient, downhill on the loss.",
    ),
    Entry {
        also: &["Hidden layers", "Layer"],
        ..entry(
            "Hidden layer",
            "A layer of units between the inputs and the output. More units and layers can draw \
             more complicated curves, and can also overfit more easily.",
        )
    },
    entry(
        "Identity",
        "An activation that changes nothing: every layer stays straight, so the whole network \
         is linear regression, however deep.",
    ),
    entry(
        "L2 penalty",
        "A cost added to the loss for large weights. It keeps the curve smooth and fights \
         overfitting; Auto chooses it by cross-validation.",
    ),
    entry(
        "Learning rate",
        "How big each step is. Too small and training crawls; too large and the loss jumps \
         around or grows without bound (diverges).",
    ),
    entry(
        "Loss",
        "How wrong the network is on average: here the mean squared error in standardised \
         units, so 1 is no better than always predicting the mean and 0 is perfect.",
    ),
    entry(
        "MAE",
        "Mean absolute error: the average size of a prediction's error, in the units of the \
         predicted column.",
    ),
    entry(
        "Momentum",
        "SGD keeps part of its previous step (0.9 keeps 90 %), so it rolls through small bumps \
         and speeds up along long, gentle slopes.",
    ),
    entry(
        "Noise",
        "Random scatter added to the points, drawn from a normal distribution: the part of the \
         data no curve should try to follow.",
    ),
    entry(
        "Overfitting",
        "Fitting the training rows' noise instead of the pattern: the training loss keeps \
         falling while the validation loss rises.",
    ),
    entry(
        "Parameters",
        "Every weight and bias of the network: the numbers training adjusts.",
    ),
    entry(
        "R²",
        "The share of the target's variation the network explains: 1 is perfect, 0 is no \
         better than predicting the mean, below 0 is worse than that.",
    ),
    entry(
        "ReLU",
        "An activation that passes positive sums unchanged and turns negative ones into 0: \
         curves made of straight pieces.",
    ),
    entry(
        "RMSE",
        "Root mean squared error: the typical size of a prediction's error, in the units of \
         the predicted column; large errors count more than in MAE.",
    ),
    entry(
        "Seed",
        "The number that fixes the random starting weights, the shuffling of rows and the \
         noise: the same seed gives the same run again.",
    ),
    entry(
        "SGD",
        "Stochastic gradient descent: each step moves every weight against its gradient on \
         one batch, times the learning rate.",
    ),
    entry(
        "Sigmoid",
        "An activation that squeezes any sum into 0 to 1. Its slope is at most 0.25, so \
         through many layers the gradients shrink (they vanish).",
    ),
    Entry {
        also: &["Standardized", "Standardisation"],
        ..entry(
            "Standardised",
            "Shifted and scaled to mean 0 and standard deviation 1. The network trains on \
             standardised columns and its predictions are scaled back to the column's units.",
        )
    },
    Entry {
        also: &["Steps/s", "Steps per second"],
        ..entry(
            "Step",
            "One update of every weight, from the gradient of one batch.",
        )
    },
    entry(
        "tanh",
        "An activation that bends sums smoothly into −1 to 1: smooth curves, the classic choice \
         for small networks.",
    ),
    entry(
        "Target loss",
        "Training pauses by itself once the training loss falls below this value.",
    ),
    Entry {
        also: &["Unit", "Units"],
        ..entry(
            "Unit",
            "One neuron: it multiplies its inputs by its weights, adds its bias and applies the \
             activation.",
        )
    },
    Entry {
        also: &["Validation rows"],
        ..entry(
            "Validation",
            "Rows held out from training, to check the fit on data the network never trained \
             on. A validation loss that rises while the training loss falls is overfitting.",
        )
    },
    Entry {
        also: &["Weights"],
        ..entry(
            "Weight",
            "The number on each connection: how much one unit's output counts in the next \
             unit's sum.",
        )
    },
];

/// The entry a label names (its term or one of its other names, ignoring case), if any.
pub fn find(label: &str) -> Option<&'static Entry> {
    let label = label.trim().trim_end_matches(':');
    GLOSSARY.iter().find(|entry| {
        entry.term.eq_ignore_ascii_case(label)
            || entry
                .also
                .iter()
                .any(|also| also.eq_ignore_ascii_case(label))
    })
}

/// The meaning of `term`, which must be in the glossary (checked by the tests below).
pub fn meaning(term: &str) -> &'static str {
    find(term).map_or("", |entry| entry.meaning)
}

/// The glossary window's rows: every entry whose term, other names or meaning contain
/// `filter`, ignoring case.
pub fn matching(filter: &str) -> impl Iterator<Item = &'static Entry> {
    let filter = filter.trim().to_lowercase();
    GLOSSARY.iter().filter(move |entry| {
        filter.is_empty()
            || entry.term.to_lowercase().contains(&filter)
            || entry.meaning.to_lowercase().contains(&filter)
            || entry
                .also
                .iter()
                .any(|also| also.to_lowercase().contains(&filter))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_unique_sorted_and_each_explained_in_one_or_two_sentences() {
        // Sorted as read aloud: β1 as "beta 1", R² as "R 2".
        let lower: Vec<String> = GLOSSARY
            .iter()
            .map(|e| e.term.to_lowercase().replace('β', "beta").replace('²', "2"))
            .collect();
        let mut sorted = lower.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(lower, sorted, "alphabetical, without repeats");
        for entry in GLOSSARY {
            let sentences = entry.meaning.matches(". ").count() + 1;
            assert!(
                (1..=2).contains(&sentences) && entry.meaning.ends_with('.'),
                "{}: {sentences} sentences",
                entry.term
            );
            assert!(entry.meaning.len() < 240, "{} is too long", entry.term);
        }
    }

    #[test]
    fn labels_on_screen_find_their_entry() {
        for label in [
            "Learning rate",
            "Batch size",
            "β1",
            "β2",
            "Momentum",
            "Seed",
            "Validation",
            "Activation",
            "L2 penalty",
            "Epoch",
            "Loss",
            "R²",
            "RMSE",
            "MAE",
            "Steps/s",
            "Noise",
            "Parameters",
            "Epoch limit",
            "Target loss",
            "Early stopping",
            "Early stop",
            "Standardised",
            "tanh",
            "relu",
            "sigmoid",
            "identity",
            "SGD",
            "Adam",
        ] {
            assert!(find(label).is_some(), "{label}");
            assert!(!meaning(label).is_empty(), "{label}");
        }
        assert!(find("Open CSV…").is_none());
        assert_eq!(matching("").count(), GLOSSARY.len());
        assert!(matching("vanish").any(|e| e.term == "Sigmoid"));
    }
}
