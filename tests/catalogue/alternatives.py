"""Correct implementations written differently from the reference solutions: each must
earn full marks for its exercise, so that the checks judge behaviour, not spelling."""
from __future__ import annotations

from . import Variant

ALTERNATIVES: list[Variant] = [
    # --- ex01: data ---------------------------------------------------------------------
    Variant("make_dataset_with_torch_tensor", "ex01", """
def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
    X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                      cluster_std=cluster_std, random_state=seed)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.long)
"""),

    Variant("make_dataset_with_as_tensor", "ex01", """
def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
    points, labels = make_blobs(n_samples, n_features, centers=n_classes,
                                cluster_std=cluster_std, random_state=seed)
    X = torch.as_tensor(points).to(torch.float32)
    y = torch.as_tensor(labels).long()
    return X, y
"""),

    Variant("split_on_numpy_then_back_to_tensors", "ex01", """
def split_dataset(X, y, test_size=0.2, seed=12345):
    X_train, X_test, y_train, y_test = train_test_split(
        X.numpy(), y.numpy(), test_size=test_size, random_state=seed)
    return (torch.from_numpy(X_train), torch.from_numpy(X_test),
            torch.from_numpy(y_train), torch.from_numpy(y_test))
"""),

    Variant("split_by_shuffled_indices", "ex01", """
import numpy as np


def split_dataset(X, y, test_size=0.2, seed=12345):
    train_idx, test_idx = train_test_split(np.arange(len(X)), test_size=test_size,
                                           random_state=seed)
    train_idx, test_idx = torch.as_tensor(train_idx), torch.as_tensor(test_idx)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
"""),

    # --- ex02: device and model ---------------------------------------------------------
    Variant("get_device_conditional_expression", "ex02", """
def get_device():
    return torch.device("cuda" if torch.cuda.is_available()
                        else "mps" if torch.backends.mps.is_available()
                        else "cpu")
"""),

    Variant("get_device_mps_available_and_built", "ex02", """
def get_device():
    name = "cpu"
    if torch.backends.mps.is_available() and torch.backends.mps.is_built():
        name = "mps"
    if torch.cuda.is_available():
        name = "cuda"
    return torch.device(name)
"""),

    Variant("build_model_from_a_list_of_layers", "ex02", """
def build_model(in_features=2, out_features=4, hidden_units=8):
    layers = []
    width = in_features
    for _ in range(2):
        layers += [nn.Linear(width, hidden_units), nn.ReLU()]
        width = hidden_units
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)
"""),

    Variant("build_model_with_named_layers", "ex02", """
from collections import OrderedDict


def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(OrderedDict([
        ("hidden1", nn.Linear(in_features, hidden_units)),
        ("relu1", nn.ReLU()),
        ("hidden2", nn.Linear(hidden_units, hidden_units)),
        ("relu2", nn.ReLU()),
        ("output", nn.Linear(hidden_units, out_features)),
    ]))
"""),

    # --- ex03: predictions --------------------------------------------------------------
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

    # --- ex04: training loop ------------------------------------------------------------
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
