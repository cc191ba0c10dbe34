"""LibreOffice for the client tests: found (a skip without it, a failure under CI=true) and run
headless with a throwaway profile."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import IN_CI


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = "LibreOffice (soffice) is not installed"
        if IN_CI:
            pytest.fail(message + " and CI=true requires it", pytrace=False)
        pytest.skip(message)
    return found


def convert(source: Path, to: str, outdir: Path, profile: Path) -> Path:
    """`soffice --convert-to to` of source into outdir; the converted file's path."""
    result = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = outdir / f"{source.stem}.{to.split(':')[0]}"
    assert result.returncode == 0, result.stderr
    assert converted.exists(), result.stdout + result.stderr
    return converted
