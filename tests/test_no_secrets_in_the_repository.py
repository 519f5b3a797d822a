"""No secret in the repository: detect-secrets scans every file git would commit.

Each finding must be in ALLOWED, keyed by file and the SHA-1 detect-secrets reports for the value
(so a new secret in an allowed file still fails), with the reason it is not a secret.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".git", ".venv", "var", "staticfiles", "test-artifacts", "node_modules", "__pycache__", ".hypothesis"}

PLACEHOLDER = "a documented placeholder (USER:PASSWORD@HOST), not a credential"
SECRET_NAME = "the name of a Kubernetes Secret, not its value"
TEST_KEY = "a signing key used only by tests"
ALLOWED: dict[tuple[str, str], str] = {
    (".ci/run", "17b57347b695"): "CI's throwaway key, made up per run",
    ("README.md", "5baa61e4c9b9"): PLACEHOLDER,
    ("README.md", "112bb7913047"): PLACEHOLDER,
    ("k8s/secret.template.yaml", "112bb7913047"): PLACEHOLDER,
    ("k8s/beat.yaml", "2110f00a9ef6"): SECRET_NAME,
    ("k8s/web.yaml", "2110f00a9ef6"): SECRET_NAME,
    ("k8s/worker.yaml", "2110f00a9ef6"): SECRET_NAME,
    ("k8s/migrate-job.yaml", "2110f00a9ef6"): SECRET_NAME,
    ("k8s/migrate-back-cronjob.yaml", "2110f00a9ef6"): SECRET_NAME,
    ("k8s/ingress.yaml", "7ef970548983"): SECRET_NAME,
    ("pytest.ini", "8d56857757ac"): TEST_KEY,
    ("tenantmgmt/settings.py", "1574b5677373"): "the development key, refused unless DEBUG is on",
    ("tenants/management/commands/ensure_demo_user.py", "5f1add5912c6"): "the demo login printed by make run",
    ("tests/conftest.py", "c33210dd50e9"): "test users' passwords",
    ("tests/test_browser_schedules_tab.py", "a7bdfa22f7b6"): "the browser test's user's password",
    ("tests/test_container_image.py", "986129468883"): TEST_KEY,
    ("tests/test_deploy_check.py", "d166f70e5855"): TEST_KEY,
    ("tests/test_https_redirect.py", "14f26f0a044a"): TEST_KEY,
    ("tests/test_login_attempt_limiting.py", "a4b48a81cdab"): "a wrong password, typed on purpose",
    ("bench/run.py", "5dc9d4b33d8b"): "the benchmark's throwaway key for its own database",
}
# This file lists hashes of the findings above (hex strings by design), not secrets.
NOT_SCANNED = {"tests/test_no_secrets_in_the_repository.py"}


def repository_files() -> list[Path]:
    """What git would commit (tracked and untracked, not ignored); the tree without git."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        return [
            path for path in ROOT.rglob("*") if path.is_file() and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
        ]


def _allowed(path: str, hashed: str) -> bool:
    # Keyed by the first 12 hex digits of the value's SHA-1: enough to tell values apart.
    return any(path == allowed_path and hashed.startswith(prefix) for allowed_path, prefix in ALLOWED)


def test_no_file_holds_a_likely_secret_outside_the_allowlist():
    found = SecretsCollection(root=str(ROOT))
    with default_settings():
        for path in repository_files():
            if str(path.relative_to(ROOT)) not in NOT_SCANNED:
                found.scan_file(str(path.relative_to(ROOT)))
    unexpected = [
        f"{path}:{secret.line_number} {secret.type}" for path, secret in found if not _allowed(path, secret.secret_hash)
    ]
    assert not unexpected, "likely secrets (move them to the environment, or allowlist with a reason):\n" + "\n".join(
        unexpected
    )


def test_a_private_key_or_token_would_be_found(tmp_path):
    # The scanner itself works: a planted key and token are reported.
    planted = tmp_path / "leak.py"
    header = "-----BEGIN " + "RSA PRIVATE KEY-----"
    planted.write_text(
        f'KEY = """{header}\nMIIEowIBAAKCAQEA\n"""\nGITHUB_TOKEN = "ghp_' + "a1B2c3D4e5F6g7H8i9J0" * 2 + '"\n'
    )
    found = SecretsCollection(root=str(tmp_path))
    with default_settings():
        found.scan_file("leak.py")
    types = {secret.type for _, secret in found}
    assert "Private Key" in types
    assert "GitHub Token" in types
