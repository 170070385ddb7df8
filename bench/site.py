"""Site build benchmark: wall time and peak memory of a full build for 1,000 and 5,000 mentors.

Each build runs in its own Python process, so the peak resident memory
(resource.getrusage, main process) is that build's alone; CPU seconds include
the render workers and Pagefind. The corpus comes from bench.corpus.

    python -m bench.site            # 1,000 and 5,000
    python -m bench.site 2000       # one size
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1000, 5000)


BARE_TEMPLATES = (
    "base",
    "index",
    "mentor",
    "listing",
    "listing_index",
    "article",
    "articles",
    "page",
    "search",
)


def _bare_overrides(workdir: Path) -> dict:
    """One-line templates and no search indexing: what the engine itself costs."""
    templates = workdir / "bare-templates"
    templates.mkdir()
    for name in BARE_TEMPLATES:
        (templates / f"{name}.html").write_text(
            '<html lang="{{ lang }}"><title>{{ page_url }}</title></html>', encoding="utf-8"
        )
    return {
        "THEME_TEMPLATES_OVERRIDES": [str(templates)],
        "PLUGINS": ENGINE_PLUGINS,
    }


VARIANTS = ("full", "theme", "bare")
ENGINE_PLUGINS = ["pelican.plugins.yaml_metadata", "mentors"]


def _overrides(variant: str, workdir: Path) -> dict | None:
    if variant == "bare":
        return _bare_overrides(workdir)
    if variant == "theme":  # the real theme, without the search pages and index
        return {"PLUGINS": ENGINE_PLUGINS}
    return None


def _one(n: int, workdir: Path, variant: str = "full") -> dict:
    """Runs in the child: generate the corpus, build it, report the figures as JSON."""
    sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "functions"), str(ROOT)]
    from mentors.build import build_site
    from mentors.i18n import compile_catalogs

    from bench.corpus import generate

    content = workdir / "content"
    generate(n, content)
    compile_catalogs(ROOT / "theme" / "translations")
    out = workdir / "output"
    start, cpu_start = time.perf_counter(), _cpu()
    overrides = _overrides(variant, workdir)
    ok = build_site(ROOT / "pelicanconf.py", out, content_dir=content, overrides=overrides)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
    pages = sum(1 for _ in out.rglob("*.html")) if ok else 0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "mentors": n,
        "ok": ok,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mib": peak_kib / 1024,
        "pages": pages,
    }


def _cpu() -> float:
    """CPU seconds of this process and its children (render workers, Pagefind)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(n: int, variant: str = "full") -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-site-{n}-") as tmp:
        code = (
            "import json, pathlib, bench.site as b; "
            f"print(json.dumps(b._one({n}, pathlib.Path({tmp!r}), {variant!r})))"
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"build of {n} mentors failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def run(sizes: tuple[int, ...] = SIZES) -> list[dict]:
    """Print one line per corpus size and variant; return the figures.

    "full" is the real build (theme, search index); "theme" skips the search
    pages and Pagefind; "bare" also swaps in one-line templates, to show the
    engine's own cost.
    """
    results = []
    print(f"{'mentors':>8} {'variant':>7} {'build s':>8} {'CPU s':>7} {'peak MiB':>9} {'pages':>7}")
    for n in sizes:
        for variant in VARIANTS:
            figures = measure(n, variant)
            results.append({**figures, "variant": variant})
            status = "" if figures["ok"] else "  BUILD FAILED"
            print(
                f"{n:>8} {variant:>7} {figures['seconds']:>8.1f} "
                f"{figures['cpu_seconds']:>7.1f} {figures['peak_mib']:>9.0f} "
                f"{figures['pages']:>7}{status}",
                flush=True,
            )
    return results


if __name__ == "__main__":
    run(tuple(int(a) for a in sys.argv[1:]) or SIZES)
