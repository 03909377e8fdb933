"""Realistic wrong answers to exercise 3 (predict_proba, predict and accuracy), each with
the checks it must fail and the words that must name the mistake; then correct answers
written differently."""
from __future__ import annotations

from . import Variant

EX = "ex03"

# Text of the messages the checks give (from grader/messages.py or the checks' summaries).
NOT_SOFTMAX = "the probabilities differ from softmax of the model's logits"
ROWS_NOT_ONE = "the rows do not sum to 1"
DEVICE_MISMATCH = "while the model is on another device (simulated)"

MISTAKES: list[Variant] = [
    # --- predict_proba ---------------------------------------------------------------------
    Variant("softmax_over_dim_0", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        return torch.softmax(model(X.to(device)), dim=0)
''', {"ex03.proba_rows_sum_to_one": "softmax ran over dim=0",
      "ex03.proba_matches_softmax": NOT_SOFTMAX}),

    Variant("sigmoid_instead_of_softmax", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        return torch.sigmoid(model(X.to(device)))
''', {"ex03.proba_rows_sum_to_one": "this looks like sigmoid",
      "ex03.proba_matches_softmax": NOT_SOFTMAX}),

    Variant("returns_logits", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        return model(X.to(device))
''', {"ex03.proba_shape_range": "these look like raw logits",
      "ex03.proba_rows_sum_to_one": ROWS_NOT_ONE,
      "ex03.proba_matches_softmax": NOT_SOFTMAX}),

    Variant("log_softmax", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        return torch.log_softmax(model(X.to(device)), dim=1)
''', {"ex03.proba_shape_range": "this looks like log_softmax",
      "ex03.proba_rows_sum_to_one": ROWS_NOT_ONE,
      "ex03.proba_matches_softmax": NOT_SOFTMAX}),

    Variant("no_inference_mode", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    return torch.softmax(model(X.to(device)), dim=1)
''', {"ex03.proba_no_grad": "carries an autograd graph"}),

    Variant("detach_instead_of_inference_mode", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    return torch.softmax(model(X.to(device)), dim=1).detach()
''', {"ex03.proba_no_grad": "the forward pass ran with autograd on"}),

    Variant("no_eval_mode", EX, '''
def predict_proba(model, X):
    device = next(model.parameters()).device
    with torch.inference_mode():
        return torch.softmax(model(X.to(device)), dim=1)
''', {"ex03.proba_eval_mode": "the model was in training mode"}),

    Variant("X_not_moved", EX, '''
def predict_proba(model, X):
    model.eval()
    with torch.inference_mode():
        return torch.softmax(model(X), dim=1)
''', {"ex03.proba_device": DEVICE_MISMATCH}),

    Variant("X_moved_to_cpu", EX, '''
def predict_proba(model, X):
    model.eval()
    with torch.inference_mode():
        return torch.softmax(model(X.to(torch.device("cpu"))), dim=1)
''', {"ex03.proba_device": DEVICE_MISMATCH}),

    Variant("X_moved_to_the_best_device_not_the_models", EX, '''
def predict_proba(model, X):
    model.eval()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with torch.inference_mode():
        return torch.softmax(model(X.to(device)), dim=1)
''', {"ex03.proba_device": DEVICE_MISMATCH}),

    Variant("model_moved_to_X_device", EX, '''
def predict_proba(model, X):
    model.eval()
    model.to(X.device)
    with torch.inference_mode():
        return torch.softmax(model(X), dim=1)
''', {"ex03.proba_device": "moved the model (model.to(...)) instead of X"}),

    # Unfinished: X moved and the forward pass written, then the stub's raise left in. The
    # device check stops the call at the forward pass, so it must also see the whole call
    # finish on the CPU: no check passes on a call that raised.
    Variant("predict_proba_forward_then_stub", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        logits = model(X.to(device))
    # YOUR CODE HERE
    raise NotImplementedError()
''', {check: "predict_proba() is not implemented yet" for check in (
        "ex03.proba_shape_range", "ex03.proba_eval_mode", "ex03.proba_device")}),

    # An error before the forward pass that has nothing to do with devices: the device
    # check says what happened, not "tensors on different devices".
    Variant("predict_proba_unrelated_error_before_forward", EX, '''
def predict_proba(model, X):
    model.evaluate()
    device = next(model.parameters()).device
    with torch.inference_mode():
        return torch.softmax(model(X.to(device)), dim=1)
''', {check: "predict_proba() raised AttributeError" for check in (
        "ex03.proba_shape_range", "ex03.proba_device")}),

    Variant("predict_proba_forgets_return", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        probabilities = torch.softmax(model(X.to(device)), dim=1)
''', {check: "predict_proba returned None" for check in (
        "ex03.proba_shape_range", "ex03.proba_rows_sum_to_one", "ex03.proba_matches_softmax",
        "ex03.proba_no_grad")}),

    # Grader gap: array_values accepts numpy arrays, so this passes every predict_proba
    # check although the docstring asks for a tensor (see the report).
    Variant("predict_proba_returns_numpy", EX, '''
def predict_proba(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        return torch.softmax(model(X.to(device)), dim=1).cpu().numpy()
''', {"ex03.proba_shape_range": "numpy array"}),

    # --- predict ---------------------------------------------------------------------------
    Variant("predict_rounds_sigmoid", EX, '''
def predict(model, X):
    model.eval()
    with torch.inference_mode():
        return torch.round(torch.sigmoid(model(X)))
''', {"ex03.predict_shape_dtype": "torch.round(torch.sigmoid(logits))",
      "ex03.predict_matches_argmax": "torch.round(torch.sigmoid(logits))"}),

    Variant("predict_argmax_dim_0", EX, '''
def predict(model, X):
    return predict_proba(model, X).argmax(dim=0)
''', {"ex03.predict_shape_dtype": "argmax ran over dim=0",
      "ex03.predict_matches_argmax": "argmax ran over dim=0"}),

    Variant("predict_argmax_without_dim", EX, '''
def predict(model, X):
    return torch.argmax(predict_proba(model, X))
''', {"ex03.predict_shape_dtype": "tensor of shape []",
      "ex03.predict_matches_argmax": "argmax(dim=1)"}),

    Variant("predict_keepdim", EX, '''
def predict(model, X):
    return predict_proba(model, X).argmax(dim=1, keepdim=True)
''', {"ex03.predict_shape_dtype": "drop keepdim",
      "ex03.predict_matches_argmax": "drop keepdim"}),

    Variant("predict_returns_float", EX, '''
def predict(model, X):
    return predict_proba(model, X).argmax(dim=1).float()
''', {"ex03.predict_shape_dtype": "an int64 tensor of shape"}),

    # Grader gap: the same; an int64 numpy array passes predict_shape_dtype.
    Variant("predict_returns_numpy", EX, '''
def predict(model, X):
    return predict_proba(model, X).argmax(dim=1).cpu().numpy()
''', {"ex03.predict_shape_dtype": "numpy array"}),

    # Straight from the logits: no eval mode, autograd on, X not moved. Its classes are
    # right on a plain model, so only the check of how predict runs the model sees it.
    Variant("predict_from_logits_directly", EX, '''
def predict(model, X):
    return model(X).argmax(dim=1)
''', {"ex03.predict_inference": "the model was in training mode"}),

    Variant("predict_eval_but_autograd_on", EX, '''
def predict(model, X):
    model.eval()
    return model(X.to(next(model.parameters()).device)).argmax(dim=1)
''', {"ex03.predict_inference": "the forward pass ran with autograd on"}),

    Variant("predict_X_not_moved", EX, '''
def predict(model, X):
    model.eval()
    with torch.inference_mode():
        return model(X).argmax(dim=1)
''', {"ex03.predict_inference": DEVICE_MISMATCH}),

    Variant("predict_returns_probabilities", EX, '''
def predict(model, X):
    return predict_proba(model, X)
''', {"ex03.predict_shape_dtype": "these are the probabilities",
      "ex03.predict_matches_argmax": "these are the probabilities"}),

    Variant("predict_forgets_return", EX, '''
def predict(model, X):
    predictions = predict_proba(model, X).argmax(dim=1)
''', {"ex03.predict_shape_dtype": "predict returned None",
      "ex03.predict_matches_argmax": "predict returned None"}),

    # --- accuracy --------------------------------------------------------------------------
    Variant("accuracy_as_fraction", EX, '''
def accuracy(y_true, y_pred):
    return torch.eq(y_true, y_pred).float().mean().item()
''', {"ex03.accuracy_percent": "is a fraction"}),

    Variant("accuracy_returns_tensor", EX, '''
def accuracy(y_true, y_pred):
    return (y_true == y_pred).float().mean() * 100
''', {"ex03.accuracy_float": "return a plain Python float"}),

    Variant("accuracy_integer_division", EX, '''
def accuracy(y_true, y_pred):
    correct = torch.eq(y_true, y_pred).sum().item()
    return correct // len(y_pred) * 100
''', {"ex03.accuracy_percent": "accuracy returned 0"}),

    Variant("accuracy_counts_the_wrong_ones", EX, '''
def accuracy(y_true, y_pred):
    wrong = (y_true != y_pred).sum().item()
    return wrong / len(y_pred) * 100
''', {"ex03.accuracy_percent": "accuracy returned"}),
]

# Correct implementations written differently from the reference: each must earn
# full marks, so that the checks judge behaviour, not spelling.
ALTERNATIVES = [
    Variant("predict_proba_no_grad_and_functional_softmax", "ex03", """
import torch.nn.functional as F


def predict_proba(model, X):
    model.eval()
    X = X.to(next(model.parameters()).device)
    with torch.no_grad():
        return F.softmax(model(X), dim=1)
"""),

    Variant("predict_argmax_of_logits", "ex03", """
def predict(model, X):
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        logits = model(X.to(device))
    return torch.argmax(logits, dim=1)
"""),

    Variant("accuracy_mean_of_matches", "ex03", """
def accuracy(y_true, y_pred):
    return (y_true == y_pred).float().mean().item() * 100
"""),

    Variant("accuracy_with_sklearn", "ex03", """
from sklearn.metrics import accuracy_score


def accuracy(y_true, y_pred):
    return float(accuracy_score(y_true, y_pred) * 100)
"""),
]
