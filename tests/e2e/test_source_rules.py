"""The source rules' checkers fail when they should: each is fed a small bad tree.

scripts/check-includes.py and scripts/check-function-length.py guard the layering and the
function-length rule (docs/architecture.md, docs/coding-guidelines.md); a checker that never
fails would let both rot silently, so each rule is shown a violation here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from support.environments import ROOT

INCLUDES = ROOT / "scripts" / "check-includes.py"
LENGTH = ROOT / "scripts" / "check-function-length.py"


def run(script: Path, tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script), str(tree)], capture_output=True, text=True, check=False
    )


def write(tree: Path, rel: str, text: str) -> None:
    path = tree / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def function(name: str, body_lines: int, above: str = "") -> str:
    body = "".join(f"  total += {k};\n" for k in range(body_lines))
    return f"{above}int {name}(int total) {{\n{body}  return total;\n}}\n"


def test_downward_includes_pass(tmp_path):
    write(tmp_path, "src/util/a.h", "#pragma once\n")
    write(
        tmp_path, "src/host/b.cc", '#include "host/b.h"\n#include "util/a.h"\n#include <string>\n'
    )
    write(tmp_path, "src/apply/c.cc", '#include "host/b.h"\n#include "plugins/d.h"\n')
    write(tmp_path, "src/cli/e.cc", '#include "apply/c.h"\n#include "explain/f.h"\n')
    write(tmp_path, "src/main.cc", '#include "cli/e.h"\n')
    result = run(INCLUDES, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_upward_include_fails_naming_file_line_and_rule(tmp_path):
    write(
        tmp_path,
        "src/host/launch.h",
        '#pragma once\n#include "util/a.h"\n#include "cli/commands.h"\n',
    )
    result = run(INCLUDES, tmp_path)
    assert result.returncode == 1
    assert (
        result.stdout
        == 'src/host/launch.h:3: #include "cli/commands.h": upward: host may not include cli\n'
    )
    assert "util <- term <- config <- plugins <- host" in result.stderr


def test_sideways_include_between_command_folders_fails(tmp_path):
    write(tmp_path, "src/explain/topics.cc", '#include "init/yaml_text.h"\n')
    write(tmp_path, "src/init/scaffold.cc", '  #  include "explain/explain.h"\n')
    result = run(INCLUDES, tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        (
            'src/explain/topics.cc:1: #include "init/yaml_text.h": sideways: "explain/" and "init/" '
            "are peers and may not include each other"
        ),
        (
            'src/init/scaffold.cc:1: #include "explain/explain.h": sideways: "init/" and "explain/" '
            "are peers and may not include each other"
        ),
    ]


def test_folder_missing_from_the_rule_fails(tmp_path):
    write(tmp_path, "src/util/a.cc", '#include "pelago/isle.h"\n')
    write(tmp_path, "src/harbor/b.cc", '#include "util/a.h"\n')
    result = run(INCLUDES, tmp_path)
    assert result.returncode == 1
    assert (
        'src/util/a.cc:1: #include "pelago/isle.h": "pelago/" is not a folder in the rule table'
        in result.stdout
    )
    assert 'src/harbor/b.cc:1: "harbor/" is not a folder in the rule table' in result.stdout


def test_every_folder_of_the_rule_is_described_in_the_architecture_doc():
    doc = (ROOT / "docs" / "architecture.md").read_text()
    table = re.search(
        r"LAYERS: dict\[str, int\] = \{(.*?)\n\}", INCLUDES.read_text(), re.DOTALL
    ).group(1)
    folders = [f for f in re.findall(r'"(\w*)":', table) if f]
    assert folders, "the rule table was not found in check-includes.py"
    for folder in folders:
        assert f"`{folder}/`" in doc, f"docs/architecture.md does not describe {folder}/"
    assert all(p.name in folders for p in (ROOT / "src").iterdir() if p.is_dir())


def test_short_functions_pass(tmp_path):
    write(
        tmp_path,
        "src/util/a.cc",
        function("short_one", 77) + "struct S {\n" + function("member", 10) + "};\n",
    )
    result = run(LENGTH, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_function_over_80_lines_fails_naming_file_line_and_length(tmp_path):
    text = (
        "#include <string>\n\nnamespace chaos {\n\n"
        + function("ok", 10)
        + "\n"
        + function("too_long", 78)
    )
    write(tmp_path, "src/apply/run.cc", text + "}  // namespace chaos\n")
    result = run(LENGTH, tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("src/apply/run.cc:19: function is 81 lines (limit 80);")
    assert "`long: <reason>`" in result.stdout
    assert len(result.stdout.splitlines()) == 1


def test_long_function_in_a_class_with_braces_in_strings_and_comments_fails(tmp_path):
    body = "".join(f'    s += "}}{k}";  // }}\n' for k in range(85))
    text = f"class C {{\n public:\n  std::string f() const {{\n    std::string s;\n{body}    return s;\n  }}\n}};\n"
    write(tmp_path, "src/term/c.h", text)
    result = run(LENGTH, tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("src/term/c.h:3: function is 89 lines (limit 80);")


def test_long_function_with_a_reason_above_passes_and_without_one_fails(tmp_path):
    reasoned = function(
        "table", 90, above="// long: one flat table of options reads better whole.\n"
    )
    bare_marker = function("bare", 90, above="// long:\n")
    write(tmp_path, "src/cli/table.cc", reasoned + "\n" + bare_marker)
    result = run(LENGTH, tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("src/cli/table.cc:97: function is 93 lines")
    assert len(result.stdout.splitlines()) == 1


def test_constructor_with_brace_initialised_members_is_measured_whole(tmp_path):
    body = "".join(f"  n_ += {k};\n" for k in range(80))
    text = f"Counter::Counter(int n)\n    : n_{{n}}, name_{{}} {{\n{body}}}\n"
    write(tmp_path, "src/util/counter.cc", text)
    result = run(LENGTH, tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("src/util/counter.cc:1: function is 83 lines (limit 80);")


def test_long_operator_is_measured(tmp_path):
    body = "".join(f"  same = same && a.v{k} == b.v{k};\n" for k in range(80))
    text = f"bool operator==(const A& a, const A& b) {{\n  bool same = true;\n{body}  return same;\n}}\n"
    write(tmp_path, "src/config/a.cc", text)
    result = run(LENGTH, tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("src/config/a.cc:1: function is 84 lines (limit 80);")


def test_every_source_file_of_the_tree_is_in_the_build():
    """The build lists its sources (CMakeLists.txt); a new file that nobody added would be
    silently left out of the binary, the unit tests or the fuzzing."""
    listed = set(re.findall(r"[\w./-]+\.cc", (ROOT / "CMakeLists.txt").read_text()))
    topics = ROOT / "src" / "explain" / "topics"
    wanted = [p for p in (ROOT / "src").rglob("*.cc") if p.name != "main.cc"]
    wanted += list((ROOT / "tests" / "unit").glob("*.cc"))
    wanted += list((ROOT / "tests" / "fuzz").glob("*_fuzz.cc"))
    missing = []
    for path in wanted:
        if str(path.relative_to(ROOT)) not in listed:
            missing.append(str(path.relative_to(ROOT)))
    cmake = (ROOT / "CMakeLists.txt").read_text()
    embedded = {
        "CHAOS_TOPICS_DIR": topics,
        "CHAOS_SCAFFOLD_DIR": ROOT / "src/init/scaffold",
        "CHAOS_COMPLETION_DIR": ROOT / "src/completion/scripts",
    }
    for variable, folder in embedded.items():
        for path in folder.rglob("*"):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if f"${{{variable}}}/{path.relative_to(folder)}" not in cmake:
                missing.append(str(path.relative_to(ROOT)))
    assert wanted and not missing, f"add these to CMakeLists.txt: {missing}"
