# Generated from solutions/ex02_model.py by `python -m grader build`: course authors edit that file, not this one.
"""Exercise 2: device-agnostic code and the model.

The same code should run on an NVIDIA GPU ("cuda"), an Apple GPU ("mps") or the CPU, so
we ask which is there instead of writing "cuda" everywhere. The model is a small stack of
layers: Linear, ReLU, Linear, ReLU, Linear. Its output has one number per class, a logit.

Check your work:  pytest exercises/test_ex02_model.py
"""
import torch
from torch import nn


def get_device():
    """Return the best device there is, as a torch.device.

    "cuda" if torch.cuda.is_available(), else "mps" if torch.backends.mps.is_available(),
    else "cpu".

    Hint: return torch.device("cuda"), not the string "cuda".
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def build_model(in_features=2, out_features=4, hidden_units=8):
    """Build the classifier as an nn.Sequential:

        Linear(in_features, hidden_units), ReLU(),
        Linear(hidden_units, hidden_units), ReLU(),
        Linear(hidden_units, out_features)

    Each Linear layer keeps its bias (the default, bias=True). With the default arguments
    that is 2 -> 8 -> 8 -> 4.

    It takes a float32 tensor of shape [N, in_features] and returns raw logits of shape
    [N, out_features]: one score per class, any real number.

    Hint: no softmax at the end. CrossEntropyLoss applies log-softmax itself. And the ReLUs
    matter: without them the three Linear layers collapse into one straight-line model.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
