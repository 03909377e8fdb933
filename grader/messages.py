"""Every message the grader can give, as named constants, so that the wording lives in one
place and the tests can refer to it. Fields in braces are filled in by str.format."""

# --- What happened to the student's code (written by the gateway) -----------------------
NOT_IMPLEMENTED = "{function}() is not implemented yet"
MISSING_FILE = "MISSING FILE: {file} is not in {target}"
MISSING_FUNCTION = "MISSING FUNCTION: {file} has no function {function}()"
NOT_CALLABLE = "{file}: {function} is a {kind}, not a function"
IMPORT_FAILED = "{file} could not be imported, so its checks cannot run: {error}"
RAISED = "{where} raised {error}"
EXITED = "your code ended the process ({how}) inside {where}"
TIMED_OUT = "{where} did not finish within {seconds:g} s: is there an endless loop?"
TIMED_OUT_INSIDE = ("{where} did not finish within {seconds:g} s; it was stopped inside "
                    "{function}(): is there an endless loop?")
OUTPUT_FLOOD = ("{where} printed more than {limit:,} characters, so it was stopped; "
                "do not print inside a loop over samples")
OUT_OF_MEMORY = ("{where} ran out of memory (the limit is {limit}): is a tensor far larger "
                 "than the data, or a list that grows without end?")
ENDED_PROCESS = "your code ended the process ({how}) {where}"
CRASHED = "your code crashed the process ({signal}) {where}"
KILLED = ("the process running your code was killed ({signal}) {where}: most likely it used "
          "more memory than this machine allows")
STOPPED = ("your code stopped the process running it ({signal}) {where}, so it was ended: "
           "graded code must not signal processes")
WORKER_LOST = ("the process running your code was ended {where}: the grader's process that "
               "started it was {fate}. Graded code must not signal other processes")
TOO_LARGE = ("the result of your code came to {size:,.0f} MiB, more than the {limit:g} MiB the "
             "grader accepts: is a tensor far larger than it should be?")
UNREADABLE_REPLY = ("the grader could not read what came back {where} ({error}): does your "
                    "code change torch, the grader or the process's files?")
WRITE_BLOCKED = ("(graded code may write files only in its working directory, a scratch "
                 "folder that is thrown away)")
IN_PROCESS = ("Running your code inside the grader (--in-process): no time or memory limits, "
              "prints appear as they happen, and breakpoint() works. A crash or an exit in your "
              "code stops the grader itself.")
BREAKPOINT = ("{call} only works with --in-process: here your code runs with no terminal "
              "to type into, so it was stopped. To debug it, run `python3 course.py grade "
              "--in-process --only {exercise}` (or, with the .venv activated, `pytest "
              "exercises/{test} --in-process -s`); remove {call} before you hand in")
# --- One root cause, shown once (grader/platforms/report.py, feedback_once) -----------------
MORE_CHECKS = "and {count} more {checks} of this exercise, worth {points}, {need} this {what}"
SAME_CAUSE = "{summary} (the same cause as {first}, shown there in full)"
UNWRAPPED = ("Graded the exercise files in {folder}/, the one folder of your upload (its "
             "exercises/ or its top level).")
# A command that needs a package the default set-up leaves out: one line, no traceback.
NEEDS_SET_UP = ("python -m grader {command} needs {package}, which the default set-up leaves out: "
                "run `python3 course.py setup {option}`, then this command again with .venv's "
                "Python (`source .venv/bin/activate`).")
INTERRUPTED = "Stopped (Ctrl-C): grading was interrupted, so there is no score."
GRADING_LOST = ("grading stopped: {reason}, so nothing of this submission was graded. Does "
                "its code signal or stop other processes? Run the batch again to grade it again.")
# The watch's last line, whether q or Ctrl-C ended it.
STOPPED_WATCHING = "Stopped watching."
BATCH_INTERRUPTED = ("Interrupted. {csv} holds every submission graded so far; the same "
                     "command grades the rest.")
ONLY_EXERCISE_FILES = ("(only the exercise files are graded, {first} to {last}, so "
                       "code can import them and the installed packages; move code from a file "
                       "of your own into the exercise file that uses it)")
RELATIVE_IMPORT = ("(the exercise files are separate modules, not a package: import without "
                   "the dot, e.g. `from ex03_predict import accuracy`)")
GRADER_ERROR = "the grader itself failed on this check (please report it): {error}"

# --- The mistakes learners make -----------------------------------------------------------
NUMPY_NOT_TENSOR = ("{what} is a numpy array, not a torch.Tensor: convert it with "
                    "torch.from_numpy(...) or torch.tensor(...)")
FORWARD_FAILED = "the model's forward pass failed"
MODEL_FLOAT64 = ("the model's weights are float64 (a .double() or dtype=torch.float64) and its "
                 "inputs float32, so its forward pass failed. Keep the layers' default dtype, float32")
FLOAT64_FEATURES = ("X is float64 (numpy's default); nn.Linear weights are float32, so the "
                    "forward pass fails with 'mat1 and mat2 must have the same dtype'. "
                    "Use torch.from_numpy(X).float()")
FLOAT_LABELS = ("y is {dtype}; CrossEntropyLoss needs int64 class indices (a LongTensor), "
                "otherwise it fails with 'expected scalar type Long'. Use torch.from_numpy(y).long()")
INT_LABELS_NOT_64 = ("y is {dtype}; CrossEntropyLoss needs int64 class indices (a LongTensor): "
                     "use .long()")
LABELS_2D = ("y has shape {shape}; CrossEntropyLoss wants a 1-D vector of class indices "
             "of shape [N]")
ARGUMENT_IGNORED = "{argument}={value} was ignored"
SEED_IGNORED = "the seed argument was ignored: pass random_state=seed"
SPLIT_ORDER = ("the split came back in the wrong order: train_test_split returns "
               "X_train, X_test, y_train, y_test")
SPLIT_PAIRS_BROKEN = ("rows of X and labels of y no longer match: X and y must be split "
                      "together, in one train_test_split(X, y, ...) call")
MISSING_RELU = ("there is no ReLU: without a non-linearity, stacked Linear layers collapse "
                "into one Linear layer and can only draw straight decision boundaries")
NO_BIAS = ("a Linear layer has no bias (bias=False): without it every layer's output is 0 "
           "at the origin, so the decision boundaries must all pass through it. Leave bias at "
           "its default, True")
OTHER_ACTIVATION = ("the model uses {activation} where this lesson asks for ReLU between the "
                    "Linear layers")
SOFTMAX_IN_MODEL = ("the model ends with {layer}: CrossEntropyLoss applies log-softmax "
                    "itself, so the model must return raw logits")
BINARY_OUTPUT = ("the output layer has {units} unit(s), a binary-classification size: "
                 "multi-class needs one output (logit) per class, {classes} here")
DEVICE_STRING = "get_device returned the string {value!r}; return torch.device({value!r})"
# The device a check moves the model to, torch's "meta" device, as students read it.
SIMULATED_DEVICE = "another device (simulated)"
DEVICE_MISMATCH = ("tensors on different devices: X stayed on {x_device} while the model is "
                   "on {model_device}. Move X with X.to(next(model.parameters()).device)")
NO_OUTPUT_ON_DEVICE = ("{function}() did not give the model's forward pass X on the model's device: "
                       "its output there is not the model's output for X")
MODEL_MOVED = ("{function} moved the model (model.to(...)) instead of X: the caller chose the "
               "model's device, so move X to it with X.to(next(model.parameters()).device)")
SOFTMAX_WRONG_DIM = ("each column sums to 1, not each row: softmax ran over dim=0 (the "
                     "samples). Use softmax(dim=1), over the classes")
SIGMOID_NOT_SOFTMAX = ("rows do not sum to 1: this looks like sigmoid, which scores each class "
                       "on its own. For one class out of many use softmax(dim=1)")
SIGMOID_ROUND = ("this looks like torch.round(torch.sigmoid(logits)): that works for one "
                 "binary output, but with several classes use argmax(dim=1)")
ARGMAX_WRONG_DIM = ("argmax ran over dim=0 (the samples); use argmax(dim=1) to get one class "
                    "per sample")
ARGMAX_NO_DIM = ("argmax without dim looks at all the numbers at once and returns a single "
                 "index; use argmax(dim=1) for one class per sample")
GRAPH_BUILT = ("the result carries an autograd graph (grad_fn={grad_fn}): run the forward pass "
               "inside torch.inference_mode() (or torch.no_grad())")
GRAD_ENABLED = ("the forward pass ran with autograd on: wrap it in torch.inference_mode() "
                "(or torch.no_grad()) so no graph is built")
RESULT_IGNORES_MODEL = ("{function} returns the same whatever the model outputs, so how it runs "
                        "the model cannot be judged: return what the model computes from X")
MODEL_CHANGED_BEFORE = ("the grader's model did not behave as PyTorch's does when it was handed "
                        "to {function}: code that ran before (at import or in an earlier call) "
                        "changed PyTorch, so how {function} runs the model cannot be judged")
TRAIN_MODE = ("the model was in training mode during the forward pass: call model.eval() "
              "first, or dropout and batch-norm layers behave as in training")
ACCURACY_FRACTION = ("{value} is a fraction; accuracy here is a percentage from 0 to 100: "
                     "multiply by 100")
NOT_PYTHON_FLOAT = "returned {kind}; return a plain Python float (use .item())"
SOFTMAX_BEFORE_LOSS = ("the parameters moved as if softmax were applied before the loss: "
                       "CrossEntropyLoss applies log-softmax itself, so pass it the raw logits")
NO_ZERO_GRAD = ("the second step used the sum of both steps' gradients: gradients accumulate "
                "in .grad until optimizer.zero_grad() clears them, once per step")
NO_UPDATE = ("the parameters did not change: the update never happened. Likely "
             "optimizer.zero_grad() sits between loss.backward() and optimizer.step(), or "
             "step() comes before backward(), or one is missing. Order: zero_grad, backward, step")
WRONG_UPDATE = ("the parameters moved differently from SGD on CrossEntropyLoss of the logits: "
                "check the loss (loss_fn(logits, y)), the optimizer and the order "
                "zero_grad, backward, step")
LOSS_AFTER_UPDATE = ("the returned loss is the loss after the update; return the loss of "
                     "this step's forward pass (computed before optimizer.step())")
HARDCODED_LR = "the parameters moved as with lr={used}, not the lr={given} that train() was given"
TRAINED_ON_TEST = ("the test data produced gradients: loss.backward() went through the model's "
                   "output on test data. Only X_train and y_train may produce gradients; measure "
                   "the test data under torch.inference_mode()")
LOSS_AGAINST_PREDICTIONS = ("the loss was computed against the model's own predictions "
                            "(loss_fn(logits, logits.argmax(dim=1))), not the labels: the "
                            "targets of the loss must be y, so use loss_fn(logits, y)")
LOSS_ON_PREDICTED_CLASSES = ("the loss was given the predicted classes (an argmax of the logits), "
                             "not the logits: argmax has no gradient, so nothing could be learned "
                             "from it. Pass the raw logits first and the int64 labels second: "
                             "loss_fn(logits, y), with no .float() on either")
LOSS_ARGUMENTS_SWAPPED = ("the loss got the labels first and the logits second: the order is "
                          "loss_fn(logits, y), the model's raw logits [N, C] then the int64 labels [N]")
EVALUATE_CHANGED_MODEL = "evaluate changed the model's parameters; it must only measure"
TEST_BEFORE_UPDATE = ("test metrics were measured before the epoch's update; measure them "
                      "after optimizer.step()")

# The box student code runs in (grader.gateway.confinement, docs/sandbox.md)
UNCONFINED_STOP = ("python -m grader batch runs every student's code on this machine, and here "
                   "it cannot confine what that code reads or where it connects:\n{missing}\n"
                   "`python -m grader sandbox` shows every protection. To grade anyway, "
                   "without them, run again with --unconfined.")
UNCONFINED_GOING_ON = ("WARNING: --unconfined: student code runs without these protections:\n{missing}")
UNCONFINED_WARNING = ("Note: on this machine the grader cannot confine what student code reads or "
                      "connects to ({names}); fine for your own code. `python -m grader sandbox` "
                      "says more.")

# --- nbgrader's autograde (grader/platforms/nbgrader_grades.py) -----------------------------
KERNEL_IGNORED = "The kernel's own results were ignored: these points come from the code of the solution cells."
ONLY_SOLUTION_CELLS = ("Only the solution cells are graded: a name defined in another cell of the "
                       "notebook does not exist there. Define helpers in the function's own cell.")
GRADER_CANNOT_RUN = ("the grader cannot run, so this submission is not graded: the package {package} "
                     "is missing from the Python that runs nbgrader ({python}). Install it with: "
                     "{command} ; then autograde again.")


def signal_name(number: int) -> str:
    """A signal's name as the messages say it ("SIGKILL"; "signal 70" when there is none)."""
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        pass
    if hasattr(signal, "SIGRTMIN") and signal.SIGRTMIN <= number <= signal.SIGRTMAX:
        return f"SIGRTMIN+{number - signal.SIGRTMIN}"
    return f"signal {number}"


def signal_meaning(number: int) -> str:
    """The signal, with what a crash by it means ("segmentation fault, SIGSEGV")."""
    name = signal_name(number)
    return {"SIGSEGV": "segmentation fault, SIGSEGV", "SIGABRT": "abort, SIGABRT",
            "SIGBUS": "bus error, SIGBUS", "SIGFPE": "arithmetic error, SIGFPE"}.get(name, name)
