"""The gateway's public interface: what the runner, the platforms, the watch and the
instructor's tools may use of the boundary with student code. Everything else in this
folder is its own business (tests/test_layout.py: outside grader/gateway/ nothing imports
one of its modules, only this package).

Each name is imported from its module when first used: `python -m grader classroom check`
must answer without torch, and half of these import it (the workers, the gateways).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:       # the same names, for mypy and for the layout test's import graph
    from .base import Gateway, ProbeResult, StudentCodeError, shorten
    from .box import missing_text as box_missing_text, table as box_table
    from .confinement import (Unconfined, probe as probe_confinement, require_for_batch,
                              warn_once as warn_unconfined_once, writes_confined)
    from .in_process import InProcessGateway
    from .lazy_dynamo import install as keep_dynamo_lazy
    from .limits import DEFAULT_MEMORY_LIMIT, CallTimeout, fresh_autograd, time_limit
    from .notebook import NotebookGateway
    from .worker import WorkerGateway, worker_available
    from .zygote_client import (adopt as adopt_zygote, judge_available, share as share_zygote,
                                start_early as start_zygote_early, start_judge)

# name: (module, its name there)
_PUBLIC = {
    # The interface the checks' runner grades through, and what a gateway raises.
    "Gateway": ("base", "Gateway"), "ProbeResult": ("base", "ProbeResult"),
    "StudentCodeError": ("base", "StudentCodeError"), "shorten": ("base", "shorten"),
    # The gateways: in this process (a debugger works), in a confined worker, in a notebook.
    "InProcessGateway": ("in_process", "InProcessGateway"),
    "WorkerGateway": ("worker", "WorkerGateway"), "worker_available": ("worker", "worker_available"),
    "DEFAULT_MEMORY_LIMIT": ("limits", "DEFAULT_MEMORY_LIMIT"),
    "NotebookGateway": ("notebook", "NotebookGateway"),
    "CallTimeout": ("limits", "CallTimeout"), "time_limit": ("limits", "time_limit"),
    "fresh_autograd": ("limits", "fresh_autograd"),
    # torch.optim without torch.compile's machinery, in a kernel that runs the lesson too.
    "keep_dynamo_lazy": ("lazy_dynamo", "install"),
    # The zygote that forks the workers, started as early as a command can.
    "start_zygote_early": ("zygote_client", "start_early"),
    # A batch's grading processes share their main process's zygote.
    "share_zygote": ("zygote_client", "share"), "adopt_zygote": ("zygote_client", "adopt"),
    # A judge (grader/judge.py): the checks' process, forked by the zygote.
    "start_judge": ("zygote_client", "start_judge"), "judge_available": ("zygote_client", "judge_available"),
    # What this machine confines (docs/sandbox.md).
    "probe_confinement": ("confinement", "probe"), "writes_confined": ("confinement", "writes_confined"),
    "require_for_batch": ("confinement", "require_for_batch"), "Unconfined": ("confinement", "Unconfined"),
    "warn_unconfined_once": ("confinement", "warn_once"),
    "box_table": ("box", "table"), "box_missing_text": ("box", "missing_text"),
}
__all__ = ["CallTimeout", "DEFAULT_MEMORY_LIMIT", "Gateway", "InProcessGateway", "NotebookGateway",
           "ProbeResult", "StudentCodeError", "Unconfined", "WorkerGateway", "box_missing_text", "box_table",
           "adopt_zygote", "fresh_autograd", "judge_available", "keep_dynamo_lazy", "share_zygote", "start_judge",
           "probe_confinement", "require_for_batch", "shorten", "start_zygote_early", "time_limit",
           "warn_unconfined_once", "worker_available", "writes_confined"]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value             # found once
    return value
