"""House rules of the code base that a test can keep (issue 13).

No module of the platform is over 500 lines: past that, split it by aggregate or subject, as the apps' `services/`
and `selectors/` packages are. Migrations are generated and left out.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the tree this test belongs to
MAX_MODULE_LINES = 500


def test_no_module_is_over_500_lines():
    offenders = []
    for path in sorted((PROJECT_ROOT / "confiance").rglob("*.py")):
        if "migrations" in path.relative_to(PROJECT_ROOT).parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{path.relative_to(PROJECT_ROOT)}: {lines} lines")
    assert not offenders, f"over {MAX_MODULE_LINES} lines (split by aggregate or subject): " + ", ".join(offenders)
