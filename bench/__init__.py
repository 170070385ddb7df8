"""Benchmarks: build, search and relay figures on generated corpora.

`run_all` is what `invoke bench` calls (`invoke bench --only screening` runs
one). Each benchmark is a module of this package with a `run()` function; a
benchmark that is not written yet is reported as missing instead of failing the
others.
"""

from __future__ import annotations

import importlib

BENCHMARKS = ("site", "search", "relay", "screening", "availability", "loops", "search_nojs")


def run_all(only: str | None = None) -> list[str]:
    """Run the benchmarks (or only the one named); return the names that ran."""
    if only is not None and only not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {only!r}: choose one of {', '.join(BENCHMARKS)}")
    names = [only] if only else list(BENCHMARKS)
    ran, missing = [], []
    for name in names:
        module_name = f"{__name__}.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise  # the benchmark exists but one of its imports is broken
            missing.append(name)
            continue
        print(f"== bench {name} ==", flush=True)
        module.run()
        ran.append(name)
    if missing:
        print(f"not written yet, skipped: {', '.join(f'bench/{m}.py' for m in missing)}")
    return ran
