#include "explain/builtin_topics.h"

#include <algorithm>

#include "util/yaml_text.h"

namespace chaos {
namespace {

// Each topic is one YAML document: `order` lists the sub-topics, `sections` holds the topic's
// own explanation (under its name) and one per sub-topic. Keys follow the explanation schema
// (concept, what, why, how, technical, validation, examples, equivalent, files, commands,
// learn_more, security); `intermediate:` and `advanced:` replace keys at those complexities.

constexpr const char* kChaos = R"YAML(
order: [chobolo, config, check, init, completion, caches]
sections:
  chaos:
    concept: chaos, declarative system management
    what: |
      chaos makes a Linux machine match a description of it. You write the state you want
      (users, packages, files, services...) in a YAML file called a Ch-obolo, and
      `chaos apply TAG` runs the roles that read it and change what differs.
    why: |
      The description is the documentation: it can be reviewed, versioned and applied again
      to rebuild or repair a machine. Running it twice changes nothing the second time.
    how: |
      Roles come from plugins, ordinary Python packages installed with pip. chaos finds them
      by reading their package metadata, starts a Python process to run the one you asked
      for, and that role uses pyinfra to inspect the machine and stage the operations that
      bring it to the described state.
    examples:
      - yaml: |
          # ch-obolo.yml
          my_role_dirs:
            - /srv/data
            - /srv/backups
      - shell: |
          # create a Ch-obolo from what installed plugins expect, then apply a role
          chaos init chobolo
          chaos apply my-role -c ch-obolo.yml
    intermediate:
      commands:
        - chaos apply TAG...        run roles
        - chaos explain TOPIC       read about a role or a concept
        - chaos check WHAT          list what plugins provide
        - chaos init chobolo        start a Ch-obolo from installed plugins
        - chaos init plugin NAME    start a new plugin
        - chaos doctor              find what is missing in the setup
        - chaos log                 past runs
    advanced:
      technical: |
        chaos is a native program. Everything that is not plugin code (argument parsing,
        plugin discovery, configuration, aliases, explanations, templates, run history)
        happens without Python. Plugin code runs in a separate role host process, started
        from the plugin environment's interpreter and spoken to over two pipes with one JSON
        message per line; the plugin keeps the terminal, so roles that print or prompt still
        work.

        What Python would otherwise be needed for is cached: the plugin index (entry points
        read from package metadata) and the plugin manifest (explanations, key templates,
        role kinds). Both are keyed by what they were built from, so installing, upgrading
        or removing a plugin is noticed on the next command.
      files:
        - ~/.config/chaos/config.yml (or $CHAOS_CONFIG_DIR/config.yml)
        - ~/.cache/chaos/ (or $CHAOS_CACHE_DIR)
        - ~/.local/share/chaos/plugins/ (or $CHAOS_PLUGIN_DIR)
        - /usr/share/chaos/plugins/
      commands:
        - chaos apply TAG...
        - chaos explain TOPIC[.SUB]...
        - chaos check plugins|roles|aliases|explanations|templates|...
        - chaos init chobolo|plugin
        - chaos doctor
        - chaos log
        - chaos completion bash|zsh|fish
      learn_more:
        - chaos explain apply
        - chaos explain plugins
        - chaos explain fleet
        - chaos explain secrets
        - https://pyinfra.com

  chobolo:
    concept: The Ch-obolo
    what: |
      A Ch-obolo is a YAML file describing one machine (or a fleet). Its top-level keys
      belong to roles: each role reads the keys it documents and ignores the rest.
    why: |
      One file per machine keeps the whole description in one reviewable place; the same
      roles can be pointed at different files for different machines.
    how: |
      `chaos apply` reads the file given with `-c`, or `chobolo_file` from config.yml. Every
      role receives the whole document with `${...}` interpolations resolved (OmegaConf
      syntax, so `${users.admin}` refers to another key).
    examples:
      - yaml: |
          users:
            admin: alice
          my_role_dirs:
            - /home/${users.admin}/projects
    advanced:
      technical: |
        The document is loaded with OmegaConf on the Python side and handed to class-based
        roles as a plain dict (`get_context(state, host, chobolo, secrets)`); legacy function
        roles receive the path of the file instead and load it themselves.
      learn_more:
        - chaos explain fleet
        - chaos init chobolo --help

  config:
    concept: The global configuration
    what: |
      `config.yml` in the configuration directory (`~/.config/chaos`, or `$CHAOS_CONFIG_DIR`)
      holds settings that apply to every command. Every key is optional.
    how: |
      - `chobolo_file`: the Ch-obolo used when `-c` is not given.
      - `secrets_file` and `sops_file`: the sops-encrypted secrets and the sops configuration.
      - `aliases`: your own role aliases, a name mapped to a tag string or a list of tags.
      - `python`: the interpreter of the plugin environment (also `$CHAOS_PYTHON`).
    examples:
      - yaml: |
          chobolo_file: /home/alice/machines/laptop.yml
          aliases:
            base: users packages
            desk: [base, dots]
    advanced:
      technical: |
        An alias in config.yml replaces a plugin alias of the same name (with a warning);
        aliases expand recursively and a cycle is an error naming the chain. Unknown keys are
        kept and ignored, so a newer config works with an older binary.
      files:
        - ~/.config/chaos/config.yml

  check:
    concept: Listing what plugins provide
    what: |
      `chaos check WHAT` lists the roles, aliases, explanation topics, templates, providers,
      boats, limanis or isles that installed plugins register; `chaos check plugins` lists
      the plugins themselves with everything they register and the problems found.
    why: Knowing the tags you can apply, and finding a broken plugin before a run does.
    how: |
      Discovery reads `entry_points.txt` of every distribution on the plugin environment's
      import path, natively, in the order Python's importlib would, so no Python process is
      started. `--json` prints data for scripts.
    examples:
      - shell: |
          chaos check roles
          chaos check aliases --json
          chaos check plugins

  init:
    concept: Starting files
    what: |
      `chaos init chobolo` writes a Ch-obolo template assembled from the key templates of
      installed plugins; `chaos init plugin NAME` writes a working plugin skeleton.
    how: |
      Each plugin may register a `chaos.keys` object: a list of mappings showing the keys its
      roles read. `init chobolo` merges them (naming each plugin above its keys) and adds a
      documented `fleet` block. It writes `ch-obolo.yml` in the current directory unless
      `-o` says otherwise (into a directory that exists), and never replaces an existing file
      without `--force`, nor anything but a regular file even with it.
    examples:
      - shell: |
          chaos init chobolo -t            # print instead of writing
          chaos init chobolo my-role fleet # only these templates
          chaos init plugin my-chaos-plugin

  completion:
    concept: Shell completion
    what: Tab completion of commands, options, role tags, aliases and explanation topics.
    how: |
      `chaos completion bash|zsh|fish` prints a script for your shell. It asks chaos itself
      what to offer, from the cached plugin index and manifest, so completing never starts
      Python.
    examples:
      - shell: |
          # bash: in ~/.bashrc
          source <(chaos completion bash)
          # zsh: in ~/.zshrc
          source <(chaos completion zsh)
          # fish
          chaos completion fish > ~/.config/fish/completions/chaos.fish

  caches:
    concept: What chaos remembers between runs
    what: |
      The interpreter's import path, the plugin index and the plugin manifest are cached in
      `~/.cache/chaos` (or `$CHAOS_CACHE_DIR`).
    why: So that listing, explaining and completing are instant and start no Python process.
    how: |
      Every cache is keyed by what it was built from (files' modification times, inodes and
      sizes), so a pip install, upgrade or removal is seen on the next command. `chaos -u`
      rebuilds them anyway; it is only needed after editing a plugin installed in editable
      mode (`pip install -e`), whose metadata does not change when its code does.
    files:
      - ~/.cache/chaos/plugin-index.json
      - ~/.cache/chaos/manifest/
)YAML";

constexpr const char* kApply = R"YAML(
order: [tags, chobolo, delta, dry, confirm, password, report]
sections:
  apply:
    concept: Applying roles
    what: |
      `chaos apply TAG...` runs the roles named by the tags (or aliases) against this machine,
      making it match the Ch-obolo.
    why: |
      It is the one command that changes anything; everything else prepares or explains.
    how: |
      Tags are expanded through aliases, then each role runs in order. A class-based role
      first gathers facts and computes a delta (what would change); when the delta is empty
      the role is skipped. You see every delta and are asked once before anything changes,
      then pyinfra executes the staged operations.
    examples:
      - shell: |
          chaos apply my-role
          chaos apply users packages -c laptop.yml
          chaos apply base --dry
    intermediate:
      commands:
        - chaos apply TAG... -c CHOBOLO
        - chaos apply TAG... --dry
        - chaos apply TAG... -y
        - chaos log
    advanced:
      technical: |
        The core resolves tags and aliases, then starts one role host. For each role the
        host calls `get_context`, `delta` and (when the delta is not empty) `plan`, which
        stages pyinfra operations for the host; after confirmation the core asks the host
        to execute them and shows progress from the events it sends. Legacy function roles
        are called once with `(state, host, chobolo_path, skip_confirm)` and stage their
        operations directly.
      equivalent:
        - pyinfra @local deploy.py   # a hand-written pyinfra deploy doing the same operations
      learn_more:
        - chaos explain plugins.roles
        - https://docs.pyinfra.com/en/3.x/api/operations.html

  tags:
    concept: Tags and aliases
    what: |
      A tag is the name a plugin registers a role under (`chaos check roles`). An alias is a
      name for one or more tags, from a plugin (`chaos check aliases`) or from your
      config.yml.
    how: |
      Aliases expand recursively, in order, and a tag named twice runs once. An unknown tag
      stops the run before anything happens, naming the tags that exist.
    examples:
      - yaml: |
          # config.yml
          aliases:
            base: users packages
            desk: [base, dots]
      - shell: |
          chaos apply desk   # runs users, packages, dots

  chobolo:
    concept: Which Ch-obolo is used
    what: |
      `-c PATH` names the Ch-obolo; without it, `chobolo_file` from config.yml is used.
    how: |
      The file is parsed once; a syntax error is reported with its line and column before
      any role runs. Interpolations (`${other.key}`) are resolved before roles see it.
    examples:
      - shell: |
          chaos apply my-role -c ./ch-obolo.yml

  delta:
    concept: Deltas
    what: |
      A delta is what a role would change on a host: items to add and items to remove, by
      category. It is shown before anything happens.
    why: You review the change, not just the intention.
    how: |
      A class-based role's `delta(context)` returns `Delta(to_add={...}, to_remove={...})`.
      An empty delta means the host is already in the desired state, and the role's `plan`
      is not called at all.
    examples:
      - python: |
          # what a role returns
          Delta(to_add={"directories": ["/srv/data"]}, to_remove={})

  dry:
    concept: Dry runs
    what: |
      `--dry` computes contexts, deltas and plans, lists every operation that would run with
      the changes pyinfra predicts, and executes nothing.
    security: |
      Facts are still gathered on the machine, and a plugin that runs commands while
      gathering facts may change things even in a dry run.
    examples:
      - shell: |
          chaos apply my-role --dry

  confirm:
    concept: Confirmation
    what: |
      Before executing, chaos asks once whether to apply the deltas shown. `-y` (also
      `--i-know-what-im-doing` or `-ikwid`) skips the question; when standard input is not
      a terminal there is nobody to ask, and chaos goes ahead.
    security: |
      `-y` in scripts applies whatever the Ch-obolo says; review changes to it the way you
      review code.

  password:
    concept: The sudo password
    what: |
      When chaos does not run as root, operations that need root use sudo. The password
      comes from `-pf FILE`, a prompt on the terminal, or standard input when that is not a
      terminal.
    how: |
      chaos passes the password to the role host over a private pipe. For operations on this
      machine the role host gives sudo an askpass helper that reads it from a named pipe in a
      directory only you can open, instead of the environment variable on the command line
      pyinfra itself would use, so it never appears in a process list.
    security: |
      `--password` puts the password in the process list, where other users can read it;
      prefer the prompt or a file readable only by you.

  report:
    concept: Reports and history
    what: |
      `--json` prints one JSON document describing the run on standard output (human output
      moves to standard error). Every run is also recorded; `chaos log` lists them.
    examples:
      - shell: |
          chaos apply base -y --json > run.json
          chaos log --json
)YAML";

constexpr const char* kExplain = R"YAML(
order: [topics, details, complexity, output, writing]
sections:
  explain:
    concept: Explanations
    what: |
      `chaos explain TOPIC` shows what a role or a concept is, what it does, why you would
      use it and how it works. Plugins ship explanations for their roles; chaos ships a few
      for itself (chaos, apply, explain, plugins, secrets, fleet).
    why: The documentation of a role lives next to its code and matches the installed version.
    how: |
      Name a topic, a sub-topic (`topic.sub`), or ask for the list of sub-topics
      (`topic.list`). Several topics can be given at once.
    examples:
      - shell: |
          chaos explain my-role
          chaos explain my-role.list
          chaos explain apply.dry fleet.hosts
    intermediate:
      commands:
        - chaos explain TOPIC
        - chaos explain TOPIC.SUB
        - chaos explain TOPIC.list
        - chaos check explanations
    advanced:
      technical: |
        Topic names come from the plugin index (`chaos.explain` entry points), read without
        Python. The explanation dicts come from the plugin manifest: the first time a plugin
        is seen, one role host process calls every `explain_*` method of its class at every
        complexity and chaos caches the results, keyed by the plugin's installed metadata.
        After that, explaining starts no Python process. A topic a plugin registers replaces a
        built-in topic of the same name.
      files:
        - ~/.cache/chaos/manifest/summary.json
        - ~/.cache/chaos/manifest/parts/
      learn_more:
        - chaos explain explain.writing
        - chaos explain plugins.explain

  topics:
    concept: Topics and sub-topics
    what: |
      A topic is the name a plugin registers its explanation class under (usually its role's
      tag). Sub-topics are the class's other `explain_*` methods.
    how: |
      `topic.sub` calls `explain_sub`; a hyphen in the name stands for an underscore in the
      method, so `demo.layout-rules` finds `explain_layout_rules`. `topic.list` shows the
      class's `_order` when it has one, otherwise its method names. A name with two dots is
      an error.
    examples:
      - shell: |
          chaos explain demo-files.layout-rules
          chaos explain demo-files.list --json

  details:
    concept: Detail levels (-d)
    what: "`-d` chooses which parts of an explanation are shown."
    how: |
      - `basic` (default): concept, what, why, how, examples, security.
      - `intermediate`: adds commands and equivalent scripts.
      - `advanced`: everything, including technical details, validation, related files and
        links.

  complexity:
    concept: Complexity (-c)
    what: |
      `-c` is passed to the plugin's explanation method, which may return a simpler or a more
      thorough text. It is independent of `-d`, which only filters what is shown.
    examples:
      - shell: |
          chaos explain chaos -c advanced -d advanced

  output:
    concept: Output formats
    what: |
      On a terminal, explanations are formatted, coloured and shown through your pager
      (`$PAGER`, else `less -RFX`) when longer than the screen. `-n` prints the explanation
      as YAML, `-j` as JSON, unfiltered; a `.list` prints a list.
    examples:
      - shell: |
          chaos explain my-role.usage -n -j | jq .examples
    advanced:
      technical: |
        With several topics, `-n`/`-j` print one mapping from each topic as written to its
        data. Colour is off when the output is not a terminal or NO_COLOR is set.

  writing:
    concept: Writing explanations
    what: |
      An explanation is a dict returned by a method `explain_<name>(self, complexity)` of a
      class registered under `chaos.explain`.
    how: |
      Keys understood: `concept`, `what`, `why`, `how`, `technical`, `security` (text, with
      `code`, **bold**, lists and fenced code blocks), `validation` (a shell snippet), `examples`
      (a list of `{yaml: ...}`), `equivalent` (shell, a string or a list), and `files`,
      `commands`, `learn_more` (lists of strings). Other keys are kept in `-n` output only.
    examples:
      - python: |
          class MyRoleExplain:
              _order = ["usage"]

              def explain_my_role(self, complexity="basic"):
                  return {"concept": "My role", "what": "Ensures a directory exists."}

              def explain_usage(self, complexity="basic"):
                  return {"examples": [{"yaml": "my_role_dirs: [/srv/data]"}]}
    advanced:
      technical: |
        Explanations are read once per plugin version by the role host (every method at every
        complexity) and cached; a method that raises is reported with the plugin's entry point
        and exception, and the plugin's other explanations still work.
      learn_more:
        - chaos explain plugins.explain
)YAML";

constexpr const char* kPlugins = R"YAML(
order: [structure, pyproject, roles, role-class, explain, aliases, keys, install, scaffold]
sections:
  plugins:
    concept: Plugins
    what: |
      Everything chaos does to a machine comes from plugins: standard Python packages that
      register roles, explanations, aliases and key templates through entry points.
    why: |
      Plugins are installed, versioned and shared like any Python package, and a plugin for
      one distribution or application never weighs on anyone else.
    how: |
      A plugin declares entry points in its pyproject.toml. When it is installed into the
      plugin environment (`chaos doctor` shows which), chaos finds it on the next command.
      `chaos init plugin NAME` writes a working one to start from.
    examples:
      - shell: |
          chaos init plugin my-chaos-plugin
          python -m pip install ./my-chaos-plugin
          chaos check plugins
          chaos apply my-role
    intermediate:
      commands:
        - chaos init plugin NAME
        - chaos check plugins
        - chaos doctor
        - chaos explain TOPIC
    advanced:
      technical: |
        Entry points are read natively from `*.dist-info/entry_points.txt` (and eggs, and
        wheels in `$CHAOS_DEV_PATH` and the plugin directories) with importlib's precedence:
        the first distribution on the import path wins and duplicates are reported.
        Everything that needs Python (explanations, templates, role kinds) is read once by
        the role host and cached per plugin version.
      files:
        - ~/.local/share/chaos/plugins/ (pip install --target, or wheels)
        - /usr/share/chaos/plugins/
        - $CHAOS_DEV_PATH/*.whl
      learn_more:
        - chaos explain plugins.structure
        - chaos explain plugins.role-class
        - https://packaging.python.org/en/latest/specifications/entry-points/

  structure:
    concept: Project layout
    what: A plugin is a small Python project.
    examples:
      - text: |
          my-chaos-plugin/
          ├── pyproject.toml
          └── src/
              └── my_chaos_plugin/
                  ├── __init__.py
                  ├── roles.py      # roles and their key templates
                  └── explain.py    # explanations

  pyproject:
    concept: pyproject.toml and entry points
    what: |
      Entry points connect names to objects, one table per group: `chaos.roles`,
      `chaos.explain`, `chaos.aliases`, `chaos.keys`, `chaos.providers`, `chaos.boats`,
      `chaos.limanis`, `chaos.isles`.
    how: |
      Values are `module:attribute`, except for aliases, whose value is the tag (or several
      tags separated by spaces) the alias stands for.

      Build with hatchling: setuptools checks every entry-point value as an object reference
      and rejects alias values such as `my-role`.
    examples:
      - toml: |
          [build-system]
          requires = ["hatchling>=1.18"]
          build-backend = "hatchling.build"

          [project]
          name = "my-chaos-plugin"
          version = "0.1.0"

          [project.entry-points]
          "chaos.roles" = { my-role = "my_chaos_plugin.roles:MyRole" }
          "chaos.explain" = { my-role = "my_chaos_plugin.explain:MyRoleExplain" }
          "chaos.aliases" = { mr = "my-role" }
          "chaos.keys" = { my-role = "my_chaos_plugin.roles:my_role_keys" }

          [tool.hatch.build.targets.wheel]
          packages = ["src/my_chaos_plugin"]
    security: |
      Installing a plugin runs its code with your privileges when a role is applied or its
      explanations are read. Install plugins you trust, as you would any package.

  roles:
    concept: Roles
    what: |
      A role is what `chaos apply TAG` runs. The entry point names either a plain function
      (the original contract) or a `Role` class (the lifecycle contract, preferred).
    how: |
      A function role is called as `fn(state, host, chobolo_path, skip_confirm)` and calls
      pyinfra operations directly. It cannot show a delta, so it runs every time.
    examples:
      - python: |
          from pyinfra.operations import files

          def my_role_function(state, host, chobolo_path, skip_confirm):
              files.directory(name="Ensure /srv/data exists", path="/srv/data", present=True)
    learn_more:
      - chaos explain plugins.role-class

  role-class:
    concept: Role classes
    what: |
      Subclass `chaos.lib.roles.role.Role` and implement `get_context` (gather facts),
      `delta` (what would change) and `plan` (stage operations).
    why: |
      chaos can then show what would change, skip roles that have nothing to do, and plan
      one host at a time.
    how: |
      Pass `host=host` to `add_op` in `plan`: without it pyinfra stages the operation on
      every host of the inventory.
    examples:
      - python: |
          from chaos.lib.args.dataclasses import Delta, ResultPayload
          from chaos.lib.roles.role import Role
          from pyinfra.api.operation import add_op
          from pyinfra.facts.files import Directory
          from pyinfra.operations import files


          class MyRole(Role):
              def __init__(self):
                  super().__init__(name="my-role", necessary_chobolo_keys=["my_role_dirs"])

              def get_context(self, state, host, chobolo=None, secrets=None):
                  wanted = (chobolo or {}).get("my_role_dirs") or []
                  return {"missing": [d for d in wanted if not host.get_fact(Directory, path=d)]}

              def delta(self, context=None):
                  missing = (context or {}).get("missing", [])
                  return Delta(to_add={"directories": missing} if missing else {})

              def plan(self, state, host, delta=Delta()):
                  for path in delta.to_add.get("directories", []):
                      add_op(state, files.directory, name=f"Ensure {path}", path=path,
                             present=True, host=host)
                  return ResultPayload(True)
    advanced:
      technical: |
        The class is instantiated with no arguments. `name` is what restrictions match;
        `needs_secrets` and `necessary_secret_dict_keys` ask for decrypted secrets (dot
        paths into the secrets file, `"."` for all of it), which `get_context` receives as
        its fourth argument. An exception in any step fails that role on that host and is
        reported with the plugin, the role and the step.

  explain:
    concept: Explanation classes
    what: |
      Register a class under `chaos.explain`; its `explain_<name>(self, complexity)` methods
      return dicts. The method for the topic itself is named after the entry point, with
      hyphens as underscores.
    examples:
      - python: |
          class MyRoleExplain:
              _order = ["usage"]  # the order of `chaos explain my-role.list`

              def explain_my_role(self, complexity="basic"):
                  return {
                      "concept": "My Custom Role",
                      "what": "This role ensures a specific directory exists.",
                      "why": "To demonstrate how to create a chaos plugin.",
                      "how": "It uses pyinfra's files.directory operation.",
                  }

              def explain_usage(self, complexity="basic"):
                  return {"examples": [{"yaml": "# Run the role\nchaos apply my-role"}]}
    learn_more:
      - chaos explain explain.writing

  aliases:
    concept: Aliases from plugins
    what: |
      An alias is a shorter name for one or more tags. In pyproject.toml the entry-point
      name is the alias and the value is the tag, or several tags separated by spaces.
    examples:
      - toml: |
          [project.entry-points."chaos.aliases"]
          mr = "my-role"
          web = "nginx certbot"

  keys:
    concept: Key templates
    what: |
      A `chaos.keys` entry point names a list of mappings: the Ch-obolo keys your roles
      read, with example values. `chaos init chobolo` merges them into a template.
    how: |
      Use the role's tag as the entry-point name, so `chaos init chobolo my-role` selects it.
      Keep the values realistic but harmless: people apply templates they did not read.
    examples:
      - python: |
          # roles.py
          my_role_keys = [{"my_role_dirs": ["/tmp/dir1", "/tmp/dir2"]}]

  install:
    concept: Installing and checking
    what: |
      Install the plugin into the plugin environment with pip; chaos sees it on the next
      command. `chaos check plugins` then lists what it registers and any problem found.
    how: |
      While developing, `pip install -e .` avoids reinstalling after each change; run
      `chaos -u` after changing explanations or templates, as their cache is keyed by the
      installed metadata. Wheels dropped into `$CHAOS_DEV_PATH` are picked up too.
    examples:
      - shell: |
          python -m pip install ./my-chaos-plugin
          chaos check plugins
          chaos explain my-role
          chaos init chobolo my-role -t
          chaos apply my-role --dry

  scaffold:
    concept: chaos init plugin
    what: |
      `chaos init plugin NAME` writes a complete plugin: pyproject.toml with every entry-point
      group, a Role class, an explanation class, a key template and an alias.
    how: |
      The generated role ensures the directories listed under its Ch-obolo key exist. It
      installs with pip and applies as it is, so you can change it one step at a time.
    examples:
      - shell: |
          chaos init plugin chaos-webserver --role webserver
)YAML";

constexpr const char* kSecrets = R"YAML(
order: [sops, keys, roles, files]
sections:
  secrets:
    concept: Secrets
    what: |
      Passwords, tokens and keys that roles need live in a secrets file encrypted with sops.
      Roles that declare they need secrets receive only the parts they ask for.
    why: |
      The secrets file can be committed and shared next to the Ch-obolo: it is useless without
      the private key, and each value is encrypted on its own, so diffs stay readable.
    how: |
      sops encrypts the values of a YAML file for one or more recipients (age or GPG keys).
      When a role needs secrets, chaos decrypts the file with sops and hands the requested
      keys to the role in memory.
    security: |
      Decrypted secrets never touch the disk: they travel through pipes and memory only,
      never through command-line arguments or environment variables.
    examples:
      - yaml: |
          # secrets.yml, before encryption
          users:
            alice:
              password: correct horse battery staple
    advanced:
      technical: |
        sops and age (or gpg) are the crypto engines; chaos runs them as subprocesses and
        reads their output from pipes. The secrets file and sops configuration come from
        `secrets_file` and `sops_file` in config.yml.
      files:
        - ~/.config/chaos/config.yml (secrets_file, sops_file)
        - ~/.config/sops/age/keys.txt (the default age key file)
      learn_more:
        - https://github.com/getsops/sops
        - https://age-encryption.org

  sops:
    concept: sops
    what: |
      sops encrypts the values of a YAML or JSON file, leaving keys readable. A `.sops.yaml`
      configuration says which recipients files are encrypted for.
    examples:
      - yaml: |
          # .sops.yaml
          creation_rules:
            - path_regex: secrets.*\.yml$
              age: age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq
    equivalent:
      - sops --config .sops.yaml encrypt -i secrets.yml
      - sops --config .sops.yaml edit secrets.yml

  keys:
    concept: Encryption keys
    what: |
      age keys are the simplest choice: one line of private key, one public recipient per
      person or machine. GPG keys work too, for people who already have them.
    equivalent:
      - age-keygen -o ~/.config/sops/age/keys.txt
      - age-keygen -y ~/.config/sops/age/keys.txt   # print the public key
    security: |
      The private key file must be readable by you only (mode 600) and must be backed up:
      without it, the secrets cannot be decrypted.

  roles:
    concept: How roles receive secrets
    what: |
      A class-based role sets `needs_secrets=True` and lists what it needs in
      `necessary_secret_dict_keys`: dot paths into the decrypted file, or `"."` for all of
      it. `get_context` receives a dict with exactly those keys as its fourth argument.
    examples:
      - python: |
          class Users(Role):
              def __init__(self):
                  super().__init__(name="users", needs_secrets=True,
                                   necessary_secret_dict_keys=["users"])

              def get_context(self, state, host, chobolo=None, secrets=None):
                  passwords = secrets["users"]
                  ...
    advanced:
      technical: |
        A missing path yields an empty mapping. Legacy function roles that accept a fifth
        argument receive the decrypted file as text instead.

  files:
    concept: Where secrets are configured
    what: |
      `secrets_file` in config.yml names the encrypted file, `sops_file` its sops
      configuration.
    examples:
      - yaml: |
          # config.yml
          secrets_file: /home/alice/machines/secrets.yml
          sops_file: /home/alice/machines/.sops.yaml
)YAML";

constexpr const char* kFleet = R"YAML(
order: [hosts, connectors, parallelism, boats, restrictions]
sections:
  fleet:
    concept: Fleets
    what: |
      The `fleet` block of a Ch-obolo lists the machines to apply roles to when a run
      targets the fleet instead of this machine alone.
    why: One description, many machines, applied in parallel over SSH.
    how: |
      The block becomes a pyinfra inventory: each host with its connection data. Roles run
      once per host and plan for that host only; pyinfra then executes the operations on all
      hosts in parallel.
    examples:
      - yaml: |
          fleet:
            parallelism: 10
            hosts:
              web1.example.com:
                ssh_user: deploy
              db1.example.com:
                ssh_user: deploy
                ssh_key: ~/.ssh/id_ed25519
    intermediate:
      commands:
        - chaos init chobolo fleet -t   # a commented fleet block to start from
    advanced:
      technical: |
        pyinfra's own engine does the work: its inventory, its connectors, its parallelism.
        Boats (plugins under `chaos.boats`) add hosts discovered at run time; restrictions
        say which roles may run on which host.
      learn_more:
        - https://docs.pyinfra.com/en/3.x/inventory-data.html
        - https://docs.pyinfra.com/en/3.x/connectors.html

  hosts:
    concept: fleet.hosts
    what: |
      A mapping from host name to its connection data (pyinfra's `ssh_*` keys and any data
      your roles read). A list of single-key mappings is accepted as well.
    examples:
      - yaml: |
          fleet:
            hosts:
              web1.example.com:
                ssh_user: deploy
                ssh_port: 2222
              "@local": {}
    security: |
      Do not put passwords (`ssh_password`) in a Ch-obolo; use SSH keys or an agent.

  connectors:
    concept: Host name prefixes
    what: |
      A host name may start with a pyinfra connector: `@local`, `@ssh/` (the default),
      `@docker/CONTAINER`, `@podman/`, `@chroot/PATH`, or any connector installed in the plugin
      environment.
    examples:
      - yaml: |
          fleet:
            hosts:
              "@docker/build-box": {}
              "@chroot/mnt/newroot": {}

  parallelism:
    concept: fleet.parallelism
    what: |
      How many hosts pyinfra works on at once; 0 (the default) lets pyinfra choose.
    examples:
      - yaml: |
          fleet:
            parallelism: 5

  boats:
    concept: fleet.boats
    what: |
      Boats are plugins that add hosts at run time (from a cloud API, an inventory service).
      Each entry names a boat with `provider` and gives it a `config` block.
    examples:
      - yaml: |
          fleet:
            boats:
              - provider: my-cloud
                config:
                  region: eu-west-1
    advanced:
      technical: |
        A boat subclasses `chaos.lib.boats.base.Boat`, sets `name` to its provider name, and
        returns the hosts it found from `handle_boat_logic`; they are appended to
        `fleet.hosts`. `chaos check boats` lists the installed ones.

  restrictions:
    concept: fleet.restrictions
    what: |
      Per-host lists of which roles may run. `allow_list` names the only roles a host gets;
      `black_list` names roles a host never gets, and an empty mapping there excludes the host
      from every role.
    how: |
      Roles are matched by their name. A role both allowed and blocked for the same host is
      an error for that host.
    examples:
      - yaml: |
          fleet:
            restrictions:
              allow_list:
                db1.example.com:
                  postgres: true
              black_list:
                web1.example.com:
                  postgres: true
                retired.example.com: {}
)YAML";

struct Source {
  std::string_view name;
  const char* yaml;
};

constexpr Source kTopics[] = {
    {"apply", kApply}, {"chaos", kChaos},     {"explain", kExplain},
    {"fleet", kFleet}, {"plugins", kPlugins}, {"secrets", kSecrets},
};

}  // namespace

const ordered_json* BuiltinTopic::section(const std::string& sub) const {
  auto it = sections.find(sub.empty() ? name : sub);
  return it == sections.end() ? nullptr : &it->second;
}

ordered_json BuiltinTopic::at_complexity(const ordered_json& raw, std::string_view complexity) {
  ordered_json out = ordered_json::object();
  for (const auto& [key, value] : raw.items()) {
    if (key != "intermediate" && key != "advanced") out[key] = value;
  }
  auto overlay = [&](const char* level) {
    if (raw.contains(level) && raw[level].is_object()) {
      for (const auto& [key, value] : raw[level].items()) out[key] = value;
    }
  };
  if (complexity == "intermediate" || complexity == "advanced") overlay("intermediate");
  if (complexity == "advanced") overlay("advanced");
  return out;
}

const std::vector<std::string>& builtin_topic_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& t : kTopics) out.emplace_back(t.name);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

bool is_builtin_topic(std::string_view name) {
  return std::any_of(std::begin(kTopics), std::end(kTopics), [&](const Source& s) { return s.name == name; });
}

Result<BuiltinTopic> builtin_topic(std::string_view name) {
  for (const auto& source : kTopics) {
    if (source.name != name) continue;
    auto data = parse_yaml(source.yaml, "built-in topic " + std::string(name));
    if (!data) return data.error();
    BuiltinTopic topic;
    topic.name = std::string(name);
    for (const auto& sub : data->value("order", ordered_json::array())) topic.order.push_back(sub.get<std::string>());
    const ordered_json sections = data->value("sections", ordered_json::object());
    for (const auto& [key, value] : sections.items()) topic.sections[key] = value;
    return topic;
  }
  return Error("no built-in topic `" + std::string(name) + "`");
}

}  // namespace chaos
