#!/usr/bin/env python3
"""Predicts {{y_name_text}} from {{x_names_text}} with a network trained by Nanograd:

    {{architecture}}

Written by Nanograd {{version}}: {{export_command}}

The script holds that architecture only. The weights, and the standardisation the network
was trained with, are read from the .safetensors file when it runs, so it works with any
weights file Nanograd saves for the same layer sizes and activation, and refuses any other.

As a program, give the weights file, then one row per argument with its inputs
comma-separated in the order {{x_order_text}}:

    {{run_command}}

It prints one prediction per row, one per line, as `nanograd predict` does. As a module:

    import {{module_name}}
    network = {{module_name}}.load({{weights_literal}})
    network.predict([{{example_list}}])  # a list of predictions, one per row

Nanograd computes tanh (and the sigmoid, through tanh) with an approximation within 5e-7 of
it and adds up its products in another order, so the predictions agree with
`nanograd predict` to about 1e-6 of their size (of the target's standard deviation, for a
prediction near 0), not to the last bit.

Needs PyTorch and safetensors: pip install torch safetensors
"""

import json
import math
import struct
import sys

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file
from torch import nn

# The architecture this script was written for, as Nanograd's weights file describes it.
N_INPUTS = {{n_inputs}}
HIDDEN_SIZES = [{{hidden_sizes}}]
ACTIVATION = {{activation}}
X_NAMES = [{{x_names}}]
Y_NAME = {{y_name}}
# The weights file's format, as its metadata names it.
FORMAT_NAME = {{format_name}}
FORMAT_VERSION = {{format_version}}


def build_model():
    """The network, untrained: every hidden layer is a Linear then the activation, and the
    last Linear gives the prediction (in standardised units)."""
    return nn.Sequential(
{{layers}}
    )


class Standardised(nn.Module):
    """The network between the standardisation it was trained with: inputs go in and
    predictions come out in the data's own units.

    Nanograd trains on standardised columns, (value - mean) / std, with each column's mean
    and population standard deviation over the training rows, and maps the network's output
    back with output * std + mean."""

    def __init__(self, network, x_mean, x_std, y_mean, y_std):
        super().__init__()
        self.network = network
        # Buffers, not parameters: they belong to the model but are not trained.
        self.register_buffer("x_mean", x_mean)
        self.register_buffer("x_std", x_std)
        self.register_buffer("y_mean", y_mean)
        self.register_buffer("y_std", y_std)

    def forward(self, x):
        """Predictions (rows x 1) for `x` (rows x N_INPUTS, float32, the data's units)."""
        standardised = (x - self.x_mean) / self.x_std
        return self.network(standardised) * self.y_std + self.y_mean

    def predict(self, rows):
        """One prediction per row, as a list of floats. Each row is a list of N_INPUTS
        numbers; with one input a row may also be a plain number."""
        if len(rows) == 0:
            return []
        x = torch.tensor(rows, dtype=torch.float32)
        if x.dim() == 1 and N_INPUTS == 1:
            x = x.unsqueeze(1)
        if x.dim() != 2 or x.shape[1] != N_INPUTS:
            raise ValueError(
                f"each row needs {N_INPUTS} number(s) ({', '.join(X_NAMES)}), "
                f"got rows of shape {list(x.shape[1:])}"
            )
        with torch.no_grad():
            return self(x).squeeze(1).tolist()


def load(weights_path):
    """The network with the weights and standardisation of a Nanograd weights file, ready to
    predict. Raises ValueError when the file holds another network than this script's."""
    try:
        with safe_open(weights_path, framework="pt") as file:
            metadata = file.metadata() or {}
    except SafetensorError as error:
        raise ValueError(
            f"{weights_path} is not a readable weights file "
            f"(it may be truncated or not safetensors): {error}"
        ) from None
    check_architecture(metadata, weights_path)
    tensors = load_file(weights_path)
    network = build_model()
    linears = [module for module in network if isinstance(module, nn.Linear)]
    expected = set()
    for index, linear in enumerate(linears):
        for kind in ("weight", "bias"):
            name = f"layers.{index}.{kind}"
            expected.add(name)
            target = getattr(linear, kind)
            if name not in tensors:
                raise ValueError(f"{weights_path} lacks tensor {name}")
            # Nanograd stores a layer's weight as outputs x inputs, nn.Linear's own layout,
            # so the tensors are copied as they are, without a transpose.
            if tensors[name].shape != target.shape:
                raise ValueError(
                    f"{weights_path}: tensor {name} has shape {list(tensors[name].shape)}, "
                    f"this network needs {list(target.shape)}"
                )
            with torch.no_grad():
                target.copy_(tensors[name])
    extra = sorted(set(tensors) - expected)
    if extra:
        raise ValueError(f"{weights_path} holds tensors this network has no place for: {extra}")
    stats = {
        key: torch.tensor(json.loads(metadata[key]), dtype=torch.float32)
        for key in ("x_mean", "x_std", "y_mean", "y_std")
    }
    model = Standardised(network, **stats)
    model.eval()
    return model


def check_architecture(metadata, weights_path):
    """Refuses a file that is not Nanograd's or holds a network of another shape."""
    if metadata.get("format") != FORMAT_NAME:
        raise ValueError(f"{weights_path} was not saved by Nanograd (no \"format\" metadata)")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{weights_path} is weights format version {metadata.get('format_version')}; "
            f"this script reads version {FORMAT_VERSION}"
        )
    for key in ("n_inputs", "hidden_sizes", "activation", "x_mean", "x_std", "y_mean", "y_std"):
        if key not in metadata:
            raise ValueError(f"{weights_path} lacks the {key!r} entry")
    found = (json.loads(metadata["n_inputs"]), json.loads(metadata["hidden_sizes"]))
    activation = metadata["activation"]
    if found != (N_INPUTS, HIDDEN_SIZES) or (HIDDEN_SIZES and activation != ACTIVATION):
        raise ValueError(
            f"{weights_path} holds a {describe(found[0], found[1], activation)} network; "
            f"this script builds {describe(N_INPUTS, HIDDEN_SIZES, ACTIVATION)}: "
            f"export that file again (nanograd export {weights_path} --pytorch FILE)"
        )


def describe(n_inputs, hidden_sizes, activation):
    """A network's layer sizes as text, such as "2 -> 16 tanh -> 1"."""
    layers = [str(n_inputs)] + [f"{units} {activation}" for units in hidden_sizes] + ["1"]
    return " -> ".join(layers)


def parse_row(text, number):
    """One command-line row, "90,2500", as a list of N_INPUTS floats."""
    parts = text.split(",")
    if len(parts) != N_INPUTS:
        raise ValueError(
            f"row {number} ({text!r}) has {len(parts)} value(s); give {N_INPUTS} per row, "
            f"comma-separated: {','.join(X_NAMES)}"
        )
    try:
        return [float(part) for part in parts]
    except ValueError:
        raise ValueError(f"row {number} ({text!r}) is not {N_INPUTS} number(s)") from None


def float32_text(value):
    """`value` in the fewest digits that read back as the same float32: the predictions
    are float32, and further digits would only show the rounding of the conversion."""
    if not math.isfinite(value):
        return str(value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == value:
            return text
    return repr(value)


def main(arguments):
    usage = (
        f"usage: python {sys.argv[0]} WEIGHTS ROW [ROW ...]\n"
        f"  each ROW is {','.join(X_NAMES)}; prints one {Y_NAME} per row"
    )
    if arguments and arguments[0] in ("-h", "--help"):
        print(usage)
        return 0
    if not arguments:
        print(usage, file=sys.stderr)
        return 2
    if len(arguments) < 2:
        print("error: give at least one row of inputs after the weights file", file=sys.stderr)
        return 2
    weights_path = arguments[0]
    try:
        rows = [parse_row(text, number) for number, text in enumerate(arguments[1:], 1)]
        model = load(weights_path)
    except (OSError, ValueError) as error:
        # A bad row, or a missing, broken or mismatched weights file: said in one line.
        print(f"error: {error}", file=sys.stderr)
        return 2
    for prediction in model.predict(rows):
        print(float32_text(prediction))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
