"""The code's shape as the README and the layers contract describe it: every folder of
portal/ is in the README's Layout section, and no module reaches into another's private
names."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"


def test_no_module_imports_a_private_name_of_another():
    found = []
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("portal"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                found += [f"{path.relative_to(ROOT)}: {node.module}.{name}" for name in private]
    assert found == []


def test_every_folder_of_portal_is_in_the_readme_layout():
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^portal/([a-z_]+)/ ", layout, re.M))
    folders = {p.name for p in PORTAL.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - listed == set(), "folders missing from the README's Layout section"
    assert listed - folders == set(), "the README's Layout names folders that do not exist"
