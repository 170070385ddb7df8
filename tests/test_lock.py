"""The lock: every requirements file is exactly what uv exports from uv.lock, and uv.lock
still answers pyproject.toml, so what the tests install is what the Lambda ships."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = Path(sys.executable).parent / "uv"
EXPORTS = {
    "requirements/runtime.txt": ["--no-default-groups"],
    "requirements/test.txt": ["--no-default-groups", "--extra", "test"],
    "functions/requirements.txt": ["--only-group", "lambda"],
}


def uv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(UV), *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def pins(text: str) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^ ;\\\n]+)", text, flags=re.M))


def test_uv_lock_is_up_to_date_with_pyproject():
    done = uv("lock", "--check", "--offline", "--python", "3.11")
    assert done.returncode == 0, done.stderr  # else: make lock


def test_each_requirements_file_is_the_export_of_the_lock():
    for path, args in EXPORTS.items():
        done = uv("export", "--frozen", "--no-emit-project", "--quiet", *args)
        assert done.returncode == 0, done.stderr
        exported = done.stdout.split("\n", 2)[2]  # past uv's two comment lines (its command)
        committed = (ROOT / path).read_text(encoding="utf-8").split("\n", 2)[2]
        assert committed == exported, f"{path} is stale: make lock"


def test_the_lambda_ships_the_versions_the_tests_run_and_every_pin_has_hashes():
    lam = pins((ROOT / "functions" / "requirements.txt").read_text(encoding="utf-8"))
    test = pins((ROOT / "requirements" / "test.txt").read_text(encoding="utf-8"))
    assert {"pydantic", "aws-lambda-powertools", "boto3", "pyyaml"} <= set(lam)
    assert {name: test.get(name) for name in lam} == lam
    for path in (*EXPORTS, "requirements/checkov.txt", "requirements/sam.txt"):
        text = (ROOT / path).read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])
        assert blocks and all("--hash=sha256:" in b for b in blocks if "==" in b), path
    assert "pytest-randomly" in test


def test_the_installed_environment_is_the_locked_one():
    from importlib.metadata import version

    test = pins((ROOT / "requirements" / "test.txt").read_text(encoding="utf-8"))
    for name in ("pydantic", "boto3", "moto", "aws-lambda-powertools", "pelican"):
        assert version(name) == test[name], name
