"""Realistic wrong answers to exercise 2 (get_device and build_model), each with the checks
it must fail and the words that must name the mistake; then correct answers written
differently."""
from __future__ import annotations

from . import Variant

EX = "ex02"

# Text of the messages the checks give (from grader/messages.py or the checks' summaries).
NONE_RETURNED = "build_model returned None: is the return statement missing?"
NO_RELU = "there is no ReLU"
ENDS_WITH_SOFTMAX = "the model ends with Softmax"
BINARY = "a binary-classification size"
WRONG_ORDER = "the layers are not Linear, ReLU, Linear, ReLU, Linear"

MISTAKES: list[Variant] = [
    Variant("linear_without_bias", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units, bias=False),
        nn.ReLU(),
        nn.Linear(hidden_units, hidden_units, bias=False),
        nn.ReLU(),
        nn.Linear(hidden_units, out_features, bias=False),
    )
''', {"ex02.layer_order": "a Linear layer has no bias"}),

    # --- get_device ------------------------------------------------------------------------
    Variant("get_device_returns_string", EX, '''
def get_device():
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"
''', {"ex02.device_type": "get_device returned the string"}),

    Variant("get_device_ignores_mps", EX, '''
def get_device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
''', {"ex02.device_choice": "when cuda is missing, check torch.backends.mps.is_available()"}),

    Variant("get_device_hardcoded_cpu", EX, '''
def get_device():
    return torch.device("cpu")
''', {"ex02.device_choice": "check torch.cuda.is_available() first"}),

    Variant("get_device_prefers_mps_over_cuda", EX, '''
def get_device():
    if torch.backends.mps.is_available():
        return torch.device("mps")
    if torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")
''', {"ex02.device_choice": "check torch.cuda.is_available() first"}),

    Variant("get_device_forgets_return", EX, '''
def get_device():
    device = torch.device("cuda" if torch.cuda.is_available()
                          else "mps" if torch.backends.mps.is_available() else "cpu")
''', {"ex02.device_type": "get_device should return a torch.device",
      "ex02.device_choice": "get_device picked None"}),

    # --- build_model -----------------------------------------------------------------------
    Variant("custom_module_not_sequential", EX, '''
class BlobModel(nn.Module):
    def __init__(self, in_features, out_features, hidden_units):
        super().__init__()
        self.layer_1 = nn.Linear(in_features, hidden_units)
        self.layer_2 = nn.Linear(hidden_units, hidden_units)
        self.layer_3 = nn.Linear(hidden_units, out_features)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))


def build_model(in_features=2, out_features=4, hidden_units=8):
    return BlobModel(in_features, out_features, hidden_units)
''', {"ex02.sequential": "not an nn.Sequential"}),

    # The layers made, the forward still the stub: its structure earns nothing while the
    # model cannot run (no check passes on a call that raised).
    Variant("custom_module_with_unfinished_forward", EX, '''
class BlobModel(nn.Module):
    def __init__(self, in_features, out_features, hidden_units):
        super().__init__()
        self.layer_1 = nn.Linear(in_features, hidden_units)
        self.relu_1 = nn.ReLU()
        self.layer_2 = nn.Linear(hidden_units, hidden_units)
        self.relu_2 = nn.ReLU()
        self.layer_3 = nn.Linear(hidden_units, out_features)

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()


def build_model(in_features=2, out_features=4, hidden_units=8):
    return BlobModel(in_features, out_features, hidden_units)
''', {check: "build_model() is not implemented yet" for check in (
        "ex02.layer_order", "ex02.default_sizes", "ex02.sizes_honoured")}),

    Variant("missing_relus", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.Linear(hidden_units, hidden_units),
        nn.Linear(hidden_units, out_features),
    )
''', {"ex02.layer_order": NO_RELU,
      "ex02.relu_nonlinearity": "the model is linear in its input"}),

    Variant("softmax_at_the_end", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, out_features),
        nn.Softmax(dim=1),
    )
''', {"ex02.layer_order": ENDS_WITH_SOFTMAX,
      "ex02.outputs_logits": ENDS_WITH_SOFTMAX}),

    Variant("log_softmax_at_the_end", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, out_features),
        nn.LogSoftmax(dim=1),
    )
''', {"ex02.layer_order": "the model ends with LogSoftmax",
      "ex02.outputs_logits": "the model ends with LogSoftmax"}),

    Variant("softmax_in_a_custom_forward", EX, '''
class BlobModel(nn.Module):
    def __init__(self, in_features, out_features, hidden_units):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_features, hidden_units), nn.ReLU(),
            nn.Linear(hidden_units, hidden_units), nn.ReLU(),
            nn.Linear(hidden_units, out_features))

    def forward(self, x):
        return torch.softmax(self.layers(x), dim=1)


def build_model(in_features=2, out_features=4, hidden_units=8):
    return BlobModel(in_features, out_features, hidden_units)
''', {"ex02.sequential": "not an nn.Sequential",
      "ex02.outputs_logits": "the model ends with a softmax"}),

    Variant("binary_output_layer", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, 1),
    )
''', {"ex02.default_sizes": BINARY,
      "ex02.sizes_honoured": BINARY}),

    Variant("hardcoded_default_sizes", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(2, 8),
        nn.ReLU(),
        nn.Linear(8, 8),
        nn.ReLU(),
        nn.Linear(8, 4),
    )
''', {"ex02.sizes_honoured": "in_features="}),

    Variant("model_float64", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, out_features),
    ).double()
''', {"ex02.relu_nonlinearity": "weights are float64",
      "ex02.outputs_logits": "weights are float64"}),

    Variant("hidden_units_ignored", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, 8),
        nn.ReLU(),
        nn.Linear(8, 8),
        nn.ReLU(),
        nn.Linear(8, out_features),
    )
''', {"ex02.sizes_honoured": "hidden_units="}),

    Variant("one_hidden_layer_only", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, out_features),
    )
''', {"ex02.layer_order": WRONG_ORDER,
      "ex02.default_sizes": "the Linear layers have the wrong sizes",
      "ex02.sizes_honoured": "the Linear layers have the wrong sizes"}),

    Variant("sigmoid_instead_of_relu", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.Sigmoid(),
        nn.Linear(hidden_units, hidden_units),
        nn.Sigmoid(),
        nn.Linear(hidden_units, out_features),
    )
''', {"ex02.layer_order": WRONG_ORDER,
      "ex02.relu_nonlinearity": "the model has no ReLU"}),

    Variant("tanh_instead_of_relu", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.Tanh(),
        nn.Linear(hidden_units, hidden_units),
        nn.Tanh(),
        nn.Linear(hidden_units, out_features),
    )
''', {"ex02.layer_order": WRONG_ORDER,
      "ex02.relu_nonlinearity": "the model has no ReLU"}),

    Variant("relu_after_the_output", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, out_features),
        nn.ReLU(),
    )
''', {"ex02.layer_order": WRONG_ORDER}),

    Variant("build_model_forgets_return", EX, '''
def build_model(in_features=2, out_features=4, hidden_units=8):
    model = nn.Sequential(
        nn.Linear(in_features, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, hidden_units),
        nn.ReLU(),
        nn.Linear(hidden_units, out_features),
    )
''', {check: NONE_RETURNED for check in (
        "ex02.sequential", "ex02.layer_order", "ex02.default_sizes", "ex02.sizes_honoured",
        "ex02.relu_nonlinearity", "ex02.outputs_logits")}),
]

# Correct implementations written differently from the reference: each must earn
# full marks, so that the checks judge behaviour, not spelling.
ALTERNATIVES = [
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
]
