"""The extension's files: web-ext lint, the pinned id, its JS unit tests, and parity with Python."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess

import pytest

from generator import urls
from generator.backend.guards import EXTENSION_ID
from generator.site.api import title_key

from .support import REPO

EXTENSION = REPO / "extension"
MANIFEST = json.loads((EXTENSION / "manifest.json").read_text())
NPX_HINT = "run `npm ci` in the repository (make test does it) to install web-ext"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is needed for the extension's tests: install it (apt-get install nodejs)", pytrace=False)
    return found


def test_web_ext_lint_finds_no_errors() -> None:
    web_ext = REPO / "node_modules" / ".bin" / "web-ext"
    if not web_ext.exists():
        pytest.fail(f"web-ext is not installed: {NPX_HINT}", pytrace=False)
    env = {**os.environ, "NO_UPDATE_NOTIFIER": "1"}
    result = subprocess.run(
        [str(web_ext), "lint", "--source-dir", str(EXTENSION), "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    # The one expected warning: Firefox ignores service_worker (it runs background.scripts).
    assert {w["code"] for w in report["warnings"]} <= {"BACKGROUND_SERVICE_WORKER_IGNORED"}


def test_the_manifest_key_pins_the_id_the_backend_accepts() -> None:
    der = base64.b64decode(MANIFEST["key"])
    digest = hashlib.sha256(der).hexdigest()[:32]
    assert "".join(chr(ord("a") + int(c, 16)) for c in digest) == EXTENSION_ID


def test_the_manifest_runs_in_chromium_and_firefox() -> None:
    background = MANIFEST["background"]
    assert background["service_worker"] == "background.js"
    assert background["scripts"] == ["background.js"]
    gecko = MANIFEST["browser_specific_settings"]["gecko"]
    assert gecko["id"]
    assert gecko["data_collection_permissions"] == {"required": ["none"]}
    # The backend is the only host the extension asks for beyond the pages it reads.
    assert MANIFEST["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]


def test_the_javascript_unit_tests_pass() -> None:
    result = subprocess.run(
        [node(), "--test", "tests/js/"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_content_script_sends_the_message_type_of_the_table() -> None:
    content = (EXTENSION / "content.js").read_text()
    table = (EXTENSION / "messages.js").read_text()
    sent = re.search(r'const PAGE_FOUND = "([^"]+)"', content).group(1)
    assert f'PAGE_FOUND: "{sent}"' in table


def test_no_extension_code_builds_html_from_strings() -> None:
    for path in EXTENSION.glob("*.js"):
        code = path.read_text()
        for pattern in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert pattern not in code, f"{path.name} uses {pattern}"


TITLES = [
    "Visual Language Maps for Robot Navigation",
    "Élan: Vision–Language  MODELS (v2)",
    "İstanbul Straße — ﬁne-tuning ½ of BERT™",
    "Ｆｕｌｌｗｉｄｔｈ　ＴＩＴＬＥ 123",
    "Ångström-scale Ωmega: ü, ñ, ç, ø, æ, œ",
    "深度学习 and 日本語 mixed with Latin",
    "Zero\u200bwidth\u00a0spaces\tand\nnewlines",
    "emoji 🚀 rockets 🧪 and math ∑ x²",
]


def test_title_keys_and_shards_are_the_same_in_javascript_and_python() -> None:
    script = (
        "import { titleKey, shardOf } from './extension/lookup-keys.js';"
        "const titles = JSON.parse(process.argv[1]);"
        "const out = [];"
        "for (const t of titles) { const k = titleKey(t); out.push([k, await shardOf(k)]); }"
        "console.log(JSON.stringify(out));"
    )
    result = subprocess.run(
        [node(), "--input-type=module", "-e", script, json.dumps(TITLES)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    from_js = json.loads(result.stdout)
    from_python = [[title_key(t), urls.lookup_shard(title_key(t))] for t in TITLES]
    assert from_js == from_python
