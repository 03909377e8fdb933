"""Realistic wrong implementations of exercise 4 (train_step, evaluate, train), each with
the checks it must fail and the words their feedback must use to name the mistake.

The reference train() does not call train_step(), so a wrong train_step only shows in the
train_step checks, and a wrong train() is written out in full. Then correct implementations
written differently."""
from __future__ import annotations

from grader import messages as M

from . import Variant


def _words(message: str, length: int = 45) -> str:
    """A fixed stretch of a message constant (before any {field}), to look for in feedback."""
    return message.split("{")[0][:length]


def _train(*, optimizer="torch.optim.SGD(model.parameters(), lr=lr)",
           loop="for epoch in range(epochs):",
           forward="logits = model(X_train)\n        loss = loss_fn(logits, y_train)",
           train_acc="train_acc = (logits.argmax(dim=1) == y_train).float().mean().item() * 100",
           update="optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()",
           test="test_loss, test_acc = evaluate(model, X_test, y_test, loss_fn)",
           record="history[\"train_loss\"].append(loss.item())\n"
                  "        history[\"train_acc\"].append(train_acc)\n"
                  "        history[\"test_loss\"].append(test_loss)\n"
                  "        history[\"test_acc\"].append(test_acc)",
           report="if epoch % 10 == 0:\n"
                  "            print(f\"Epoch: {epoch} | Loss: {loss.item():.5f}, Acc: {train_acc:.2f}% | \"\n"
                  "                  f\"Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%\")",
           end="return history") -> str:
    """A train() like the reference, with the named parts written another way."""
    return f"""
def train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = {optimizer}
    history = {{"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}}
    {loop}
        model.train()
        {forward}
        {train_acc}
        {update}
        {test}
        {record}
        {report}
    {end}
"""


MISTAKES: list[Variant] = [
    # --- train_step ---------------------------------------------------------------------
    Variant("step_without_zero_grad", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
""", {"ex04.step_zero_grad": _words(M.NO_ZERO_GRAD)}),

    Variant("step_zero_grad_between_backward_and_step", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()
""", {"ex04.step_first_update": _words(M.NO_UPDATE),
      "ex04.step_zero_grad": _words(M.NO_UPDATE)}),

    Variant("step_softmax_before_loss", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    probs = torch.softmax(model(X), dim=1)
    loss = loss_fn(probs, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
""", {"ex04.step_first_update": _words(M.SOFTMAX_BEFORE_LOSS)}),

    Variant("step_returns_loss_tensor", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss
""", {"ex04.step_returns_loss": "use .item()"}),

    Variant("step_returns_loss_after_update", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss_fn(model(X), y).item()
""", {"ex04.step_returns_loss": _words(M.LOSS_AFTER_UPDATE)}),

    Variant("step_steps_before_backward", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    optimizer.step()
    loss.backward()
    return loss.item()
""", {"ex04.step_first_update": _words(M.NO_UPDATE)}),

    Variant("step_loss_against_own_predictions", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    logits = model(X)
    loss = loss_fn(logits, logits.argmax(dim=1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
""", {"ex04.step_first_update": _words(M.LOSS_AGAINST_PREDICTIONS),
      "ex04.step_returns_loss": _words(M.LOSS_AGAINST_PREDICTIONS)}),

    # The loss on the predicted classes, .float() added to get past PyTorch's type error;
    # then .float() on the labels too, to get past the next one. Named from what the loss
    # was given, not from PyTorch's words (which point at the labels).
    *[Variant(f"step_loss_on_argmax_{name}", "ex04", f"""
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    logits = model(X)
    loss = loss_fn(logits.argmax(dim=1).float(), {labels})
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
""", {f"ex04.step_{check}": _words(M.LOSS_ON_PREDICTED_CLASSES)
      for check in ("returns_loss", "first_update", "zero_grad")})
      for name, labels in (("as_float", "y"), ("and_float_labels", "y.float()"))],

    Variant("step_loss_arguments_swapped", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    logits = model(X)
    loss = loss_fn(y, logits)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
""", {f"ex04.step_{check}": _words(M.LOSS_ARGUMENTS_SWAPPED)
      for check in ("returns_loss", "first_update", "zero_grad")}),

    # --- evaluate -----------------------------------------------------------------------
    Variant("evaluate_with_autograd_on", "ex04", """
def evaluate(model, X, y, loss_fn):
    model.eval()
    logits = model(X)
    loss = loss_fn(logits, y).item()
    correct = (logits.argmax(dim=1) == y).sum().item()
    return loss, correct / len(y) * 100
""", {"ex04.evaluate_no_grad": _words(M.GRAD_ENABLED)}),

    Variant("evaluate_in_training_mode", "ex04", """
def evaluate(model, X, y, loss_fn):
    model.train()
    with torch.inference_mode():
        logits = model(X)
        loss = loss_fn(logits, y).item()
        correct = (logits.argmax(dim=1) == y).sum().item()
    return loss, correct / len(y) * 100
""", {"ex04.evaluate_no_grad": _words(M.TRAIN_MODE)}),

    Variant("evaluate_loss_against_own_predictions", "ex04", """
def evaluate(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        logits = model(X)
        loss = loss_fn(logits, logits.argmax(dim=1)).item()
        correct = (logits.argmax(dim=1) == y).sum().item()
    return loss, correct / len(y) * 100
""", {"ex04.evaluate_values": _words(M.LOSS_AGAINST_PREDICTIONS)}),

    Variant("evaluate_takes_an_optimizer_step", "ex04", """
def evaluate(model, X, y, loss_fn):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    logits = model(X)
    loss = loss_fn(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    correct = (logits.argmax(dim=1) == y).sum().item()
    return loss.item(), correct / len(y) * 100
""", {"ex04.evaluate_no_grad": _words(M.EVALUATE_CHANGED_MODEL)}),

    Variant("evaluate_accuracy_as_fraction", "ex04", """
def evaluate(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        logits = model(X)
        loss = loss_fn(logits, y).item()
        acc = (logits.argmax(dim=1) == y).float().mean().item()
    return loss, acc
""", {"ex04.evaluate_values": "is a fraction",
      # the reference train() records evaluate's accuracy as test_acc
      "ex04.train_history_meaning": "is a fraction",
      "ex04.train_accuracy": "the final test accuracy is"}),

    Variant("evaluate_returns_tensors", "ex04", """
def evaluate(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        logits = model(X)
        loss = loss_fn(logits, y)
        acc = (logits.argmax(dim=1) == y).float().mean() * 100
    return loss, acc
""", {"ex04.evaluate_values": "use .item()",
      "ex04.train_history": "holds tensor items"}),

    # --- train --------------------------------------------------------------------------
    Variant("train_with_adam", "ex04",
            _train(optimizer="torch.optim.Adam(model.parameters(), lr=lr)"),
            {"ex04.train_sgd_lr": _words(M.WRONG_UPDATE),
             "ex04.train_history_meaning": "cannot be judged"}),

    Variant("train_hard_coded_lr", "ex04",
            _train(optimizer="torch.optim.SGD(model.parameters(), lr=0.1)"),
            {"ex04.train_sgd_lr": "moved as with lr=0.1"}),

    Variant("train_softmax_before_loss", "ex04",
            _train(forward="logits = model(X_train)\n"
                           "        loss = loss_fn(torch.softmax(logits, dim=1), y_train)"),
            {"ex04.train_sgd_lr": _words(M.SOFTMAX_BEFORE_LOSS)}),

    # A loss against the model's own predictions instead of the labels (a bug in a widely
    # copied published solution): the parameters move, just not towards the labels.
    Variant("train_loss_against_own_predictions", "ex04",
            _train(forward="logits = model(X_train)\n"
                           "        loss = loss_fn(logits, logits.argmax(dim=1))"),
            {"ex04.train_sgd_lr": _words(M.LOSS_AGAINST_PREDICTIONS),
             "ex04.train_accuracy": "the final test accuracy is"}),

    # The lr hard-coded, and evaluate without inference_mode: a wrong lr moves the
    # parameters off the path, but no gradient from the test data reached them, so the
    # check on the test data passes (tests/test_diagnoses.py) and the lr is named.
    Variant("train_hard_coded_lr_and_evaluate_with_autograd", "ex04", """
def evaluate(model, X, y, loss_fn):
    model.eval()
    logits = model(X)
    loss = loss_fn(logits, y).item()
    correct = (logits.argmax(dim=1) == y).sum().item()
    return loss, correct / len(y) * 100
""" + _train(optimizer="torch.optim.SGD(model.parameters(), lr=0.1)"),
            {"ex04.train_sgd_lr": "moved as with lr=0.1",
             "ex04.evaluate_no_grad": _words(M.GRAD_ENABLED)}),

    Variant("train_loss_arguments_swapped", "ex04",
            _train(forward="logits = model(X_train)\n        loss = loss_fn(y_train, logits)"),
            {f"ex04.train_{check}": _words(M.LOSS_ARGUMENTS_SWAPPED)
             for check in ("history", "sgd_lr", "only_train_data", "accuracy")}),

    Variant("train_loss_on_argmax_and_float_labels", "ex04",
            _train(forward="logits = model(X_train)\n"
                           "        loss = loss_fn(logits.argmax(dim=1).float(), y_train.float())"),
            {f"ex04.train_{check}": _words(M.LOSS_ON_PREDICTED_CLASSES)
             for check in ("history", "sgd_lr", "only_train_data", "accuracy")}),

    Variant("train_zero_grad_after_backward", "ex04",
            _train(update="loss.backward()\n        optimizer.zero_grad()\n        optimizer.step()"),
            {"ex04.train_sgd_lr": _words(M.NO_UPDATE),
             "ex04.train_accuracy": "the final test accuracy is"}),

    Variant("train_also_steps_on_test_data", "ex04",
            _train(test="train_step(model, X_test, y_test, loss_fn, optimizer)\n"
                        "        test_loss, test_acc = evaluate(model, X_test, y_test, loss_fn)"),
            {"ex04.train_only_train_data": _words(M.TRAINED_ON_TEST),
             "ex04.train_sgd_lr": _words(M.WRONG_UPDATE)}),

    Variant("train_on_train_and_test_concatenated", "ex04",
            _train(loop="X_all, y_all = torch.cat([X_train, X_test]), torch.cat([y_train, y_test])\n"
                        "    for epoch in range(epochs):",
                   forward="logits = model(X_all)\n        loss = loss_fn(logits, y_all)",
                   train_acc="train_acc = (logits.argmax(dim=1) == y_all).float().mean().item() * 100"),
            {"ex04.train_only_train_data": _words(M.TRAINED_ON_TEST)}),

    Variant("train_history_holds_loss_tensors", "ex04",
            _train(record="history[\"train_loss\"].append(loss)\n"
                          "        history[\"train_acc\"].append(train_acc)\n"
                          "        history[\"test_loss\"].append(test_loss)\n"
                          "        history[\"test_acc\"].append(test_acc)"),
            {"ex04.train_history": "return a plain Python float"}),

    Variant("train_accuracy_as_fraction", "ex04",
            _train(train_acc="train_acc = (logits.argmax(dim=1) == y_train).float().mean().item()"),
            {"ex04.train_history_meaning": "is a fraction"}),

    Variant("train_test_metrics_before_update", "ex04",
            _train(forward="test_loss, test_acc = evaluate(model, X_test, y_test, loss_fn)\n"
                           "        logits = model(X_train)\n"
                           "        loss = loss_fn(logits, y_train)",
                   test="pass"),
            {"ex04.train_history_meaning": _words(M.TEST_BEFORE_UPDATE)}),

    Variant("train_loss_recorded_after_update", "ex04",
            _train(record="history[\"train_loss\"].append(loss_fn(model(X_train), y_train).item())\n"
                          "        history[\"train_acc\"].append(train_acc)\n"
                          "        history[\"test_loss\"].append(test_loss)\n"
                          "        history[\"test_acc\"].append(test_acc)"),
            {"ex04.train_history_meaning": _words(M.LOSS_AFTER_UPDATE)}),

    Variant("train_accuracy_from_a_second_pass_after_update", "ex04",
            _train(train_acc="# train accuracy measured below, after the step",
                   test="test_loss, test_acc = evaluate(model, X_test, y_test, loss_fn)\n"
                        "        _, train_acc = evaluate(model, X_train, y_train, loss_fn)"),
            {"ex04.train_history_meaning": "history['train_acc'] does not match"}),

    Variant("train_prints_every_epoch", "ex04",
            _train(report="print(f\"Epoch: {epoch} | Loss: {loss.item():.5f}, Acc: {train_acc:.2f}% | \"\n"
                          "              f\"Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%\")"),
            {"ex04.train_progress": "if epoch % 10 == 0"}),

    Variant("train_prints_nothing", "ex04", _train(report="pass"),
            {"ex04.train_progress": "printed 0 progress lines"}),

    Variant("train_returns_nothing", "ex04", _train(end="pass"),
            {"ex04.train_history": "return the history dict",
             "ex04.train_history_meaning": "return the history dict",
             "ex04.train_accuracy": "return the history dict"}),

    Variant("train_ignores_epochs", "ex04", _train(loop="for epoch in range(100):"),
            {"ex04.train_history": "has 100 entries",
             "ex04.train_sgd_lr": "was ignored"}),

    Variant("train_one_epoch_short", "ex04", _train(loop="for epoch in range(1, epochs):"),
            {"ex04.train_history": "has 99 entries",
             "ex04.train_sgd_lr": "was ignored"}),
]

# Correct implementations written differently from the reference: each must earn
# full marks, so that the checks judge behaviour, not spelling.
ALTERNATIVES = [
    Variant("train_built_on_train_step_and_evaluate", "ex04", """
def train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(epochs):
        # the same weights as train_step's forward pass: accuracy before the update
        _, train_acc = evaluate(model, X_train, y_train, loss_fn)
        train_loss = train_step(model, X_train, y_train, loss_fn, optimizer)
        test_loss, test_acc = evaluate(model, X_test, y_test, loss_fn)
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
            history[key].append(value)
        if epoch % 10 == 0:
            print(f"Epoch {epoch}: loss {train_loss:.4f}, acc {train_acc:.1f}% | "
                  f"test loss {test_loss:.4f}, test acc {test_acc:.1f}%")
    return history
"""),

    Variant("zero_grad_first_no_grad_evaluate_print_on_epoch_plus_one", "ex04", """
def train_step(model, X, y, loss_fn, optimizer):
    optimizer.zero_grad()
    model.train()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def evaluate(model, X, y, loss_fn):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        loss = loss_fn(logits, y)
        acc = torch.eq(logits.argmax(dim=1), y).float().mean() * 100
    return loss.item(), acc.item()


def train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(params=model.parameters(), lr=lr)
    train_losses, train_accs, test_losses, test_accs = [], [], [], []
    for epoch in range(epochs):
        model.train()
        logits = model(X_train)
        loss = loss_fn(logits, y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_losses.append(loss.item())
        train_accs.append((logits.argmax(dim=1) == y_train).sum().item() / len(y_train) * 100)
        test_loss, test_acc = evaluate(model, X_test, y_test, loss_fn)
        test_losses.append(test_loss)
        test_accs.append(test_acc)
        if (epoch + 1) % 10 == 0:
            print(f"Epoch {epoch + 1}/{epochs} | train loss {train_losses[-1]:.4f} | "
                  f"test acc {test_acc:.2f}%")
    return {"train_loss": train_losses, "train_acc": train_accs,
            "test_loss": test_losses, "test_acc": test_accs}
"""),

    Variant("train_with_functional_cross_entropy", "ex04", """
import torch.nn.functional as F


def train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = {name: [] for name in ("train_loss", "train_acc", "test_loss", "test_acc")}
    for epoch in range(1, epochs + 1):
        model.train()
        logits = model(X_train)
        loss = F.cross_entropy(logits, y_train)
        with torch.no_grad():
            correct = (logits.argmax(dim=1) == y_train).double().mean().item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        test_loss, test_acc = evaluate(model, X_test, y_test, F.cross_entropy)
        history["train_loss"].append(float(loss))
        history["train_acc"].append(100 * correct)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        if epoch % 10 == 0:
            print(f"epoch {epoch:3d}  loss {loss.item():.4f}  test acc {test_acc:.1f}%")
    return history
"""),
]
