"""Exercise 4: the training loop.

Each epoch: a forward pass over the whole training set, the loss, zero the old gradients,
backpropagate, and one optimizer step. Then measure the test set without autograd.

Check your work:  pytest exercises/test_ex04_train.py
"""
import torch
from torch import nn


def train_step(model, X, y, loss_fn, optimizer):
    """One full-batch training step: forward, loss, zero_grad, backward, step.

    loss_fn is nn.CrossEntropyLoss(): pass it the raw logits and the int64 labels.

    Returns:
        the loss of this step's forward pass (before the update), as a Python float.

    Hint: call optimizer.zero_grad() before loss.backward(); gradients accumulate
    otherwise. Return loss.item(), not the tensor.
    """
    ### BEGIN SOLUTION
    model.train()
    logits = model(X)
    loss = loss_fn(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION


def evaluate(model, X, y, loss_fn):
    """Measure the model on (X, y) without changing it.

    Put the model in eval mode (model.eval()) and run the forward pass inside
    torch.inference_mode(), as predict_proba does.

    Returns:
        (loss, accuracy): two Python floats; accuracy as a percentage from 0 to 100.

    Hint: train() calls evaluate right after a training step, with the model still in
    training mode, where Dropout would drop units at random.
    """
    ### BEGIN SOLUTION
    model.eval()
    with torch.inference_mode():
        logits = model(X)
        loss = loss_fn(logits, y).item()
        correct = (logits.argmax(dim=1) == y).sum().item()
    return loss, correct / len(y) * 100
    ### END SOLUTION


def train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1):
    """Train with nn.CrossEntropyLoss() and torch.optim.SGD(model.parameters(), lr=lr).

    Each epoch: one train_step on the training data, then evaluate on the test data.
    Every 10 epochs, print a line such as
        Epoch: 10 | Loss: 0.41, Acc: 88.50% | Test loss: 0.39, Test acc: 90.00%

    Returns:
        a dict of lists with one entry per epoch:
        "train_loss", "train_acc": from that epoch's forward pass (before its update),
        "test_loss", "test_acc":   measured after that epoch's update.

    With the defaults, the final test accuracy comes within 5 points of the reference
    solution's.

    Hint: the accuracy of the training forward pass needs that pass's logits; compute it
    from them (no second forward pass) or from a copy made before the step.
    """
    ### BEGIN SOLUTION
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(epochs):
        model.train()
        logits = model(X_train)
        loss = loss_fn(logits, y_train)
        train_acc = (logits.argmax(dim=1) == y_train).float().mean().item() * 100
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        test_loss, test_acc = evaluate(model, X_test, y_test, loss_fn)
        history["train_loss"].append(loss.item())
        history["train_acc"].append(train_acc)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        if epoch % 10 == 0:
            print(f"Epoch: {epoch} | Loss: {loss.item():.5f}, Acc: {train_acc:.2f}% | "
                  f"Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%")
    return history
    ### END SOLUTION
