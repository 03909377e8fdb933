# Generated from solutions/ex03_predict.py by `python -m grader build`: course authors edit that file, not this one.
"""Exercise 3: from logits to probabilities, classes and accuracy.

The model returns logits of shape [N, C]: a row per sample, a column per class. Softmax
over dim=1 turns each row into probabilities that sum to 1; argmax over dim=1 picks each
row's class.

Check your work:  pytest exercises/test_ex03_predict.py
"""
import torch


def predict_proba(model, X):
    """Return class probabilities: softmax over dim 1 of the model's logits.

    Put the model in eval mode (model.eval()), move X to the model's device
    (next(model.parameters()).device), and run the forward pass inside
    torch.inference_mode(), so that no autograd graph is built.

    Returns:
        float tensor of shape [N, C]; each row sums to 1.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def predict(model, X):
    """Return the predicted class of each sample.

    Run the model as predict_proba does: in eval mode, inside torch.inference_mode(), with
    X moved to the model's device (calling predict_proba does all three).

    Returns:
        int64 tensor of shape [N]: the argmax over dim 1.

    Hint: torch.round(torch.sigmoid(...)) is for one binary output; with C classes take
    the argmax.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def accuracy(y_true, y_pred):
    """Return the share of correct predictions as a percentage from 0 to 100.

    y_true and y_pred are int64 tensors of shape [N].

    Returns:
        a Python float, e.g. 75.0 when 3 out of 4 are right (not 0.75).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
