#include "init/plugin_scaffold.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "plugins/explain_method.h"

namespace chaos {
namespace {

// Replaces every {{NAME}} in `text`.
std::string fill(std::string text, const ScaffoldNames& n) {
  // The explain method for the role's topic, named the way `chaos explain` looks it up.
  const std::string method = method_suffix(n.role);
  const std::pair<const char*, const std::string*> fields[] = {
      {"{{DIST}}", &n.distribution},
      {"{{PKG}}", &n.package},
      {"{{ROLE}}", &n.role},
      {"{{ALIAS}}", &n.alias},
      {"{{KEY}}", &n.chobolo_key},
      {"{{ROLE_CLASS}}", &n.role_class},
      {"{{EXPLAIN_CLASS}}", &n.explain_class},
      {"{{KEYS_OBJECT}}", &n.keys_object},
      {"{{METHOD}}", &method},
  };
  for (const auto& [marker, value] : fields) {
    std::string m(marker);
    for (size_t at = text.find(m); at != std::string::npos; at = text.find(m, at + value->size())) {
      text.replace(at, m.size(), *value);
    }
  }
  return text;
}

constexpr const char* kPyproject = R"TOML([build-system]
# hatchling, not setuptools: setuptools checks every entry-point value as a Python object
# reference and so rejects chaos.aliases values such as "{{ROLE}}".
requires = ["hatchling>=1.18"]
build-backend = "hatchling.build"

[project]
name = "{{DIST}}"
version = "0.1.0"
description = "A chaos plugin providing the {{ROLE}} role."
readme = "README.md"
requires-python = ">=3.10"
# pyinfra does the work; the chaos SDK (chaos.lib.*) comes with chaos itself.
dependencies = ["pyinfra>=3.8,<4"]

# What the plugin registers. `chaos check plugins` lists it once installed.
[project.entry-points."chaos.roles"]
{{ROLE}} = "{{PKG}}.roles:{{ROLE_CLASS}}"

[project.entry-points."chaos.explain"]
{{ROLE}} = "{{PKG}}.explain:{{EXPLAIN_CLASS}}"

[project.entry-points."chaos.aliases"]
{{ALIAS}} = "{{ROLE}}"

[project.entry-points."chaos.keys"]
{{ROLE}} = "{{PKG}}.roles:{{KEYS_OBJECT}}"

# The other groups, for when the plugin grows (`chaos explain plugins.pyproject`):
# [project.entry-points."chaos.providers"]  # secret providers: a Provider subclass
# myprovider = "{{PKG}}.providers:MyProvider"
# [project.entry-points."chaos.boats"]      # fleet hosts found at run time: a Boat subclass
# myboat = "{{PKG}}.boats:MyBoat"
# [project.entry-points."chaos.limanis"]    # run log storage: a Limani subclass
# mylimani = "{{PKG}}.limani:MyLimani"
# [project.entry-points."chaos.isles"]      # provisioning: an Isle subclass
# myisle = "{{PKG}}.isles:MyIsle"

[tool.hatch.build.targets.wheel]
packages = ["src/{{PKG}}"]
)TOML";

constexpr const char* kInit = R"PY("""{{DIST}}: a chaos plugin providing the ``{{ROLE}}`` role."""
)PY";

constexpr const char* kRoles = R"PY("""The ``{{ROLE}}`` role: make sure the directories listed under ``{{KEY}}`` exist.

Ch-obolo::

    {{KEY}}:
      - /srv/data
      - /srv/backups

A lifecycle role: ``get_context`` reads facts from the host, ``delta`` says what would change,
and ``plan`` stages pyinfra operations for that host only. chaos shows the delta, asks once,
then executes. ``chaos apply {{ROLE}}`` (or ``chaos apply {{ALIAS}}``) runs it.
"""

from __future__ import annotations

import posixpath

from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role
from pyinfra.api.operation import add_op
from pyinfra.facts.files import Directory
from pyinfra.operations import files

CHOBOLO_KEY = "{{KEY}}"


def wanted_directories(chobolo: dict | None) -> list[str]:
    """The directories the Ch-obolo lists; errors name the key and the bad value."""
    value = (chobolo or {}).get(CHOBOLO_KEY) or []
    if not isinstance(value, list):
        raise TypeError(f"{CHOBOLO_KEY}: expected a list of absolute paths, got {value!r}")
    for path in value:
        if not isinstance(path, str) or not posixpath.isabs(path):
            raise ValueError(f"{CHOBOLO_KEY}: {path!r} is not an absolute path")
    return value


class {{ROLE_CLASS}}(Role):
    def __init__(self) -> None:
        super().__init__(name="{{ROLE}}", necessary_chobolo_keys=[CHOBOLO_KEY])

    def get_context(self, state, host, chobolo=None, secrets=None):
        wanted = wanted_directories(chobolo)
        missing = [path for path in wanted if not host.get_fact(Directory, path=path)]
        return {"missing": missing}

    def delta(self, context=None):
        missing = (context or {}).get("missing", [])
        # An empty delta means "already in the desired state": plan is then not called.
        return Delta(to_add={"directories": missing} if missing else {})

    def plan(self, state, host, delta=Delta()):  # noqa: B008 - the documented signature
        created = []
        for path in delta.to_add.get("directories", []):
            # host=host: without it pyinfra stages the operation on every host of the run.
            add_op(
                state,
                files.directory,
                name=f"{{ROLE}}: directory {path}",
                path=path,
                present=True,
                host=host,
            )
            created.append(path)
        return ResultPayload(True, message=[f"{len(created)} to create"], data={"created": created})


# What `chaos init chobolo` writes into a new Ch-obolo for this role.
{{KEYS_OBJECT}} = [{CHOBOLO_KEY: ["/tmp/{{ROLE}}-demo"]}]
)PY";

constexpr const char* kExplain = R"PY("""Explanations for ``chaos explain {{ROLE}}`` and its sub-topics."""

from __future__ import annotations

from typing import ClassVar


class {{EXPLAIN_CLASS}}:
    # The order of `chaos explain {{ROLE}}.list`.
    _order: ClassVar[list[str]] = ["usage", "keys"]

    def explain_{{METHOD}}(self, complexity="basic"):
        text = {
            "concept": "{{ROLE}}: directories from the Ch-obolo",
            "what": "Makes sure every directory listed under `{{KEY}}` in the Ch-obolo exists.",
            "why": "A starting point: replace it with what your plugin should manage.",
            "how": "Asks pyinfra whether each directory exists, then creates the missing ones"
            " with `files.directory`.",
            "examples": [{"yaml": "{{KEY}}:\n  - /srv/data\n  - /srv/backups\n"}],
            "security": "Directories are created as the user chaos runs as; run as root, they"
            " belong to root.",
        }
        if complexity != "basic":
            text["commands"] = ["chaos apply {{ROLE}} --dry", "chaos apply {{ROLE}}"]
        if complexity == "advanced":
            text["technical"] = (
                "A Role class: get_context reads the Directory fact for each path, delta lists"
                " the missing ones, plan stages one files.directory operation per path with"
                " host=host."
            )
            text["files"] = ["each path listed under {{KEY}}"]
        return text

    def explain_usage(self, complexity="basic"):
        return {
            "concept": "Using {{ROLE}}",
            "what": "List directories in the Ch-obolo, then apply the role.",
            "examples": [{"yaml": "# ch-obolo.yml\n{{KEY}}:\n  - /srv/data\n"}],
            "commands": ["chaos apply {{ROLE}} -c ch-obolo.yml", "chaos apply {{ALIAS}} --dry"],
        }

    def explain_keys(self, complexity="basic"):
        return {
            "concept": "Ch-obolo keys of {{ROLE}}",
            "what": "`{{KEY}}`: a list of absolute directory paths.",
            "how": "`chaos init chobolo {{ROLE}}` writes an example.",
        }
)PY";

constexpr const char* kReadme = R"MD(# {{DIST}}

A [chaos](https://github.com/Ch-aOS-Ch) plugin providing the `{{ROLE}}` role (alias `{{ALIAS}}`):
it makes sure the directories listed under `{{KEY}}` in the Ch-obolo exist.

## Use

```sh
python -m pip install .            # into the plugin environment (`chaos doctor` shows it)
chaos check plugins                # {{DIST}} and what it registers
chaos explain {{ROLE}}
chaos init chobolo {{ROLE}} -t     # the keys it reads
chaos apply {{ROLE}} --dry -c ch-obolo.yml
chaos apply {{ROLE}} -c ch-obolo.yml
```

## Develop

- `src/{{PKG}}/roles.py`: the role (`get_context` -> `delta` -> `plan`) and its key template.
- `src/{{PKG}}/explain.py`: what `chaos explain {{ROLE}}` shows.
- `pyproject.toml`: the entry points that register them.

Install with `pip install -e .` while developing; run `chaos -u` after changing explanations or
templates, whose cache is keyed by the installed metadata. `chaos explain plugins` covers the rest.
)MD";

constexpr const char* kGitignore = "__pycache__/\n*.egg-info/\nbuild/\ndist/\n";

std::string camel_case(const std::string& tag) {
  std::string out;
  bool upper = true;
  for (char c : tag) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "Role" + out;
  return out;
}

bool is_python_keyword(const std::string& word) {
  static const std::set<std::string> kKeywords = {
      "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
      "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
      "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
  return kKeywords.count(word) > 0;
}

}  // namespace

Result<ScaffoldNames> scaffold_names(const std::string& distribution, const std::string& role,
                                     const std::string& alias) {
  static const std::regex kDistribution("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
  static const std::regex kTag("[a-z0-9]([a-z0-9_-]*[a-z0-9])?");
  ScaffoldNames n;
  n.distribution = distribution;
  if (!std::regex_match(distribution, kDistribution)) {
    return Error("`" + distribution + "` is not a valid Python distribution name", "",
                 "use letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
  }
  n.package = std::regex_replace(distribution, std::regex("[-_.]+"), "_");
  std::transform(n.package.begin(), n.package.end(), n.package.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (std::isdigit(static_cast<unsigned char>(n.package[0])) || is_python_keyword(n.package)) {
    return Error("`" + distribution + "` gives the package name `" + n.package + "`, which Python cannot import", "",
                 "choose a name that starts with a letter and is not a Python keyword");
  }
  if (n.package == "chaos" || n.package == "pyinfra" || n.package == "omegaconf") {
    return Error("`" + distribution + "` would shadow the `" + n.package + "` package that chaos needs", "",
                 "choose another name, e.g. chaos-" + n.package + "-plugin");
  }
  if (role.empty()) {
    std::string tag = distribution;
    std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::tolower(c); });
    tag = std::regex_replace(tag, std::regex("[._]+"), "-");
    if (tag.rfind("chaos-", 0) == 0 && tag.size() > 6) tag.erase(0, 6);
    if (tag.size() > 7 && tag.compare(tag.size() - 7, 7, "-plugin") == 0) tag.erase(tag.size() - 7);
    n.role = tag;
  } else {
    n.role = role;
  }
  if (!std::regex_match(n.role, kTag)) {
    return Error("`" + n.role + "` is not a usable role tag", "",
                 "a tag is lower-case letters, digits, '-' and '_' (no dots: `chaos explain` reads "
                 "TOPIC.SUB); choose one with --role");
  }
  if (alias.empty()) {
    std::string initials;
    bool next = true;
    for (char c : n.role) {
      if (c == '-' || c == '_') {
        next = true;
      } else if (next) {
        initials += c;
        next = false;
      }
    }
    n.alias = initials.size() >= 2 ? initials : n.role.substr(0, std::min<size_t>(2, n.role.size()));
    if (n.alias == n.role) n.alias = n.role + "-alias";
  } else {
    n.alias = alias;
  }
  if (!std::regex_match(n.alias, kTag)) {
    return Error("`" + n.alias + "` is not a usable alias", "", "lower-case letters, digits, '-' and '_'");
  }
  if (n.alias == n.role) {
    return Error("the alias `" + n.alias + "` is the role tag itself, which would be an alias cycle", "",
                 "choose another alias with --alias");
  }
  std::string snake = n.role;
  std::replace(snake.begin(), snake.end(), '-', '_');
  if (std::isdigit(static_cast<unsigned char>(snake[0]))) snake = "role_" + snake;
  n.chobolo_key = snake + "_dirs";
  n.keys_object = snake + "_keys";
  n.role_class = camel_case(n.role);
  n.explain_class = n.role_class + "Explain";
  return n;
}

std::vector<ScaffoldFile> plugin_scaffold(const ScaffoldNames& names) {
  const std::string src = "src/" + names.package + "/";
  return {
      {"pyproject.toml", fill(kPyproject, names)},
      {"README.md", fill(kReadme, names)},
      {".gitignore", kGitignore},
      {src + "__init__.py", fill(kInit, names)},
      {src + "roles.py", fill(kRoles, names)},
      {src + "explain.py", fill(kExplain, names)},
  };
}

}  // namespace chaos
