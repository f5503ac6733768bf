"""Coverage-directed mutant runs for scripts/mutmut.sh --covered (see the script's header).

    mutmut_covered.py record TREE RESULTS     which host lines each host test executes
    mutmut_covered.py run RESULTS MODE TREE... -- MODULE...
                                              every mutant of the modules, on len(TREE) workers;
                                              MODE covered (each mutant: the tests that executed
                                              its statement) or imports (each mutant: every test
                                              that imports its module, the old selection)
                                              or crosscheck (the covered run's survivors,
                                              MUTMUT_CROSSCHECK_SAMPLE of them if set, on the
                                              import selection)
    mutmut_covered.py compare RESULTS MODULE...  the verdicts of both selections, mutant by mutant
    mutmut_covered.py summary RESULTS MODULE...  killed / measured per module (also mid-run)
    mutmut_covered.py compare-sample RESULTS SAMPLE.txt
                                              a --sample report's verdicts against the covered run

Run with the mutmut venv's python, from the repository root.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HOST = "python/chaos/host"

# Started by every Python process of the recording run: through a .pth file in the mutmut venv,
# and through a sitecustomize.py in the tree's python/ (on PYTHONPATH: for the test that starts a
# host in a venv of its own; test_startup.py's wrapper puts a sitecustomize of its own first).
# The pytest process records under the static context "file:TEST_FILE" (its in-process use of a
# module counts for the whole file: state cached in a module by one test can serve the next);
# a role host (or any other Python process a test starts) records under "test:NODE_ID" from
# PYTEST_CURRENT_TEST, which it inherits; a process started outside any test gets "test:" and
# its lines fall back to the import selection.
SITECUSTOMIZE = r"""
import os as _mm_os
import sys as _mm_sys

def _mm_start():
    data = _mm_os.environ.get("MUTMUT_COV_DATA")
    if not data or getattr(_mm_sys, "_mm_coverage", None):
        return
    _mm_sys._mm_coverage = True
    try:
        import coverage
    except ImportError:  # a venv of its own (the bare-venv test): coverage alone, no pyinfra
        _mm_sys.path.append(_mm_os.environ["MUTMUT_COV_LIB"])
        import coverage
    with open("/proc/self/cmdline", "rb") as f:
        argv = f.read().split(b"\0")
    if b"pytest" in argv:
        context = "file:" + _mm_os.environ["MUTMUT_COV_FILE"]
    else:
        context = "test:" + _mm_os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    concurrency = ["thread"]
    if b"chaos.host" in argv and b"--no-warm" not in argv:
        import importlib.util
        if importlib.util.find_spec("gevent") is not None:
            # The host patches the standard library with gevent: lines run in greenlets are
            # only attributed right when coverage follows greenlet switches.
            concurrency = ["gevent", "thread"]
    cov = coverage.Coverage(
        data_file=_mm_os.path.join(data, "cov"), data_suffix=True, config_file=False,
        include=[_mm_os.environ["MUTMUT_COV_INCLUDE"]], context=context,
        concurrency=concurrency,
    )
    cov.start()
    # chaos.host.native starts real OS threads with _thread.start_new_thread (the askpass
    # server, the interrupt watchdog), which coverage's threading.settrace hook never sees: give
    # them its tracer too. gevent keeps this wrapper as the "original" it hands back.
    import _thread
    import threading
    real_start = _thread.start_new_thread

    def start_new_thread(function, args, kwargs=None):
        def traced(*a, **k):
            trace = threading.gettrace()
            if trace is not None:
                _mm_sys.settrace(trace)
            return function(*a, **k)
        return real_start(traced, args, kwargs or {})

    _thread.start_new_thread = start_new_thread
    real_exit = _mm_os._exit

    def _exit(code):
        # The host leaves through os._exit on errors, interrupts and signals: save first.
        try:
            cov.stop()
            cov.save()
        except Exception:
            pass
        real_exit(code)

    _mm_os._exit = _exit
    import atexit
    atexit.register(lambda: (cov.stop(), cov.save()))

_mm_start()
"""

# Recording only: a host still running at a test's teardown gets EOF on its requests (a normal
# exit, which saves its coverage), then SIGTERM (handled: os._exit above), before SIGKILL (lost).
KILL_OLD = """        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.close_requests()"""
KILL_NEW = """        if self.proc.poll() is None:
            self.close_requests()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        self.close_requests()"""


def record(tree: Path, results: Path) -> None:
    import coverage

    out = results / "coverage"
    shutil.rmtree(out, ignore_errors=True)
    data = out / "data"
    data.mkdir(parents=True)
    lib = tree / ".covlib"
    lib.mkdir(exist_ok=True)
    shutil.copytree(Path(coverage.__file__).parent, lib / "coverage", dirs_exist_ok=True)
    start = lib / "mm_covstart.py"
    start.write_text(SITECUSTOMIZE)
    hook = (
        "import os; p = os.environ.get('MUTMUT_COV_START'); "
        "p and exec(compile(open(p).read(), p, 'exec'), {'__name__': 'mm_covstart'})\n"
    )
    (tree / "python" / "sitecustomize.py").write_text(hook)
    site = next(p for p in sys.path if p.endswith("site-packages"))
    (Path(site) / "mutmut_coverage.pth").write_text(hook)  # inert without MUTMUT_COV_START
    client = tree / "tests" / "host" / "hostclient.py"
    text = client.read_text()
    if KILL_OLD not in text:
        sys.exit("tests/host/hostclient.py: HostClient.kill changed; update KILL_OLD")
    client.write_text(text.replace(KILL_OLD, KILL_NEW))
    files = sorted(str(p.relative_to(tree)) for p in (tree / "tests" / "host").glob("test_*.py"))
    pending = queue.Queue()
    for f in files:
        pending.put(f)
    failures = []

    def worker() -> None:
        while True:
            try:
                test_file = pending.get_nowait()
            except queue.Empty:
                return
            junit = out / f"junit-{Path(test_file).stem}.xml"
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    f"--junitxml={junit}",
                    test_file,
                ],
                check=False,
                cwd=tree,
                env={
                    **os.environ,
                    "PYTHONPATH": "python",
                    "MUTMUT_COV_DATA": str(data),
                    "MUTMUT_COV_FILE": test_file,
                    "MUTMUT_COV_LIB": str(lib),
                    "MUTMUT_COV_START": str(start),
                    "MUTMUT_COV_INCLUDE": str(tree / HOST / "*.py"),
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            print(f"recorded {test_file}: exit {run.returncode}", flush=True)
            if run.returncode != 0:
                failures.append(f"{test_file} fails under coverage:\n{run.stdout[-4000:]}")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit("\n".join(failures))
    lines: dict[str, dict[str, set[str]]] = {}
    for path in data.iterdir():
        db = coverage.CoverageData(str(path))
        db.read()
        for measured in db.measured_files():
            module = Path(measured).stem
            for lineno, contexts in db.contexts_by_lineno(measured).items():
                lines.setdefault(module, {}).setdefault(str(lineno), set()).update(contexts)
    durations = {}
    for junit in out.glob("junit-*.xml"):
        for case in ET.parse(junit).iter("testcase"):
            test_file = case.get("classname", "").replace(".", "/") + ".py"
            durations[f"{test_file}::{case.get('name')}"] = float(case.get("time", "0"))
    (results / "coverage-map.json").write_text(
        json.dumps(
            {
                "files": files,
                "durations": durations,
                "lines": {m: {k: sorted(v) for k, v in ls.items()} for m, ls in lines.items()},
            }
        )
    )
    shutil.rmtree(data)


class Selector:
    """Which tests a mutant runs, from the recorded map."""

    def __init__(self, results: Path):
        recorded = json.loads((results / "coverage-map.json").read_text())
        self.durations: dict[str, float] = recorded["durations"]
        self.lines: dict[str, dict[str, list[str]]] = recorded["lines"]
        self.file_time: dict[str, float] = {}
        for test, seconds in self.durations.items():
            f = test.split("::", 1)[0]
            self.file_time[f] = self.file_time.get(f, 0.0) + seconds
        self._statements: dict[str, list[tuple[int, int, bool, bool]]] = {}
        self._known: dict[str, set[str] | None] = {}

    def statements(self, module: str) -> list[tuple[int, int, bool, bool]]:
        """(first line, last line, module level, bare constant) of every statement."""
        if module not in self._statements:
            tree = ast.parse(Path(f"{HOST}/{module}.py").read_text())
            found = []

            def walk(node: ast.AST, in_function: bool) -> None:
                for child in ast.iter_child_nodes(node):
                    inner = in_function
                    if isinstance(child, ast.stmt):
                        decorators = getattr(child, "decorator_list", [])
                        first = min([child.lineno] + [d.lineno for d in decorators])
                        bare = isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant)
                        found.append((first, child.end_lineno, not in_function, bare))
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                        inner = True
                    walk(child, inner)

            walk(tree, False)
            self._statements[module] = found
        return self._statements[module]

    def imports(self, module: str) -> list[str]:
        """Every test in which some process imported the module (the old selection)."""
        chosen: set[str] = set()
        for contexts in self.lines.get(module, {}).values():
            chosen.update(contexts)
        return self._args(chosen)

    def _args(self, contexts: set[str]) -> list[str]:
        files = {c[5:] for c in contexts if c.startswith("file:")}
        tests = {c[5:] for c in contexts if c.startswith("test:")}
        tests = {t for t in tests if t.split("::", 1)[0] not in files}
        timed = [(self.file_time.get(f, 0.0), f) for f in files]
        timed += [(self.durations.get(t, 0.0), t) for t in tests]
        return [arg for _, arg in sorted(timed)]  # the fastest first: -x makes a kill cheap

    def covered(self, module: str, line: int) -> tuple[str, list[str]]:
        """(how, tests) for a mutant on a line: "statement" (the tests that executed the
        innermost statement around the line), "imports" (module-level code, docstring-like
        constants, or a process outside any test executed it) or "none" (no test did)."""
        around = [s for s in self.statements(module) if s[0] <= line <= s[1]]
        innermost = [
            s for s in around if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in around)
        ]
        if not innermost or any(level or bare for _, _, level, bare in innermost):
            return "imports", self.imports(module)
        executed = self.lines.get(module, {})
        contexts: set[str] = set()
        for first, last, _, _ in innermost:
            for n in range(first, last + 1):
                contexts.update(executed.get(str(n), ()))
        if "test:" in contexts or "" in contexts:
            return "imports", self.imports(module)
        if not contexts:
            return "none", []
        return "statement", self._args(contexts)

    def expand(self, args: list[str]) -> list[str]:
        """Test files as their tests."""
        out = []
        for a in args:
            out += [t for t in self.durations if t.split("::", 1)[0] == a] if "::" not in a else [a]
        return out

    def tests_of(self, results: Path, commit: str) -> set[str] | None:
        """The tests an earlier commit's run already ran: that commit's map, less the tests of
        files changed since (a test given a new assertion may kill what it let survive). None
        when that map was not kept, or the files changed since cannot be told."""
        if commit not in self._known:
            old = results / f"coverage-map-{commit}.json"
            changed = changed_test_files(commit)
            self._known[commit] = (
                {
                    t
                    for t in json.loads(old.read_text())["durations"]
                    if t.split("::", 1)[0] not in changed
                }
                if old.exists() and changed is not None
                else None
            )
        return self._known[commit]

    def seconds(self, args: list[str]) -> float:
        return sum(self.file_time.get(a, self.durations.get(a, 0.0)) for a in args)


def changed_test_files(commit: str) -> set[str] | None:
    """The host test files changed between ``commit`` and the commit measured (MUTMUT_HEAD), by
    the checkout MUTMUT_REPO (the trees measured are archives, without git); None if unknown."""
    repo, head = os.environ.get("MUTMUT_REPO"), os.environ.get("MUTMUT_HEAD")
    if not repo or not head:
        return None
    diff = subprocess.run(
        ["git", "-C", repo, "diff", "--name-only", commit, head, "--", "tests/host"],
        capture_output=True,
        text=True,
        check=False,  # an unknown commit: None, and the survivor runs its whole selection
    )
    return set(diff.stdout.split()) if diff.returncode == 0 else None


def run_mutant(tree: Path, module: str, mutated: str, args: list[str], timeout: float):
    path = tree / HOST / f"{module}.py"
    original = path.read_text()
    argfile = tree / ".mutmut-args"
    argfile.write_text("".join(a + "\n" for a in args))
    started = time.monotonic()
    try:
        path.write_text(mutated)
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", f"@{argfile}"],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": "python", "PYTHONDONTWRITEBYTECODE": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return "killed (timeout)", "", time.monotonic() - started
        # Nothing the run started may outlive it (a host's sleep) and disturb the next mutant.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    finally:
        path.write_text(original)
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", output, flags=re.MULTILINE)
    code = proc.returncode
    if code == 0:
        status = "survived"
    elif code in (4, 5):  # usage error, no tests collected: the selection is broken
        status = f"error (pytest exit {code})"
    else:
        status = "killed"
    return status, failed[0] if failed else "", time.monotonic() - started


def run(results: Path, mode: str, trees: list[Path], modules: list[str]) -> None:
    from mutmut import Context, list_mutations, mutate

    selector = Selector(results)
    head = os.environ.get("MUTMUT_HEAD", "")
    recheck_only = bool(os.environ.get("MUTMUT_RECHECK_ONLY"))
    out_dir = results / f"{mode}"
    out_dir.mkdir(parents=True, exist_ok=True)
    free: queue.Queue[Path] = queue.Queue()
    for t in trees:
        free.put(t)
    lock = threading.Lock()
    grand = [0, 0]
    started_all = time.monotonic()
    for module in modules:
        path = f"{HOST}/{module}.py"
        source = Path(path).read_text()
        mutants = list_mutations(Context(source=source, filename=path))
        if mode == "crosscheck":  # the covered run's survivors (of this source), a sample
            log = results / "covered" / f"{module}.jsonl"
            rows = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
            survived = {
                (r["line"], r["index"])
                for r in rows
                if r["source"] == hash_text(source) and r["status"].startswith("survived")
            }
            mutants = [m for m in mutants if (m.line_number + 1, m.index) in survived]
            size = int(os.environ.get("MUTMUT_CROSSCHECK_SAMPLE", "0"))
            if 0 < size < len(mutants):
                import random

                mutants = sorted(
                    random.Random(1).sample(mutants, size), key=lambda m: m.line_number
                )
            if not mutants:
                continue
        log = out_dir / f"{module}.jsonl"
        done, stale = {}, {}
        if log.exists():  # resume: a verdict is kept while the module's source is the same
            for row in map(json.loads, log.read_text().splitlines()):
                # and a kill stays a kill (tests are only ever added); a survivor of an older
                # commit runs again, on the tests that commit did not have (scripts/mutmut.sh).
                if row["source"] != hash_text(source):
                    continue
                key = (row["line"], row["index"])
                if row["status"].startswith("killed") or row["commit"] == head:
                    done[key] = row
                    stale.pop(key, None)
                else:
                    stale[key] = row

        # Tests that already killed mutants of this module run first: with -x a kill then costs
        # one test more often (the order changes no verdict: a survivor runs them all).
        killers: dict[str, int] = {}
        for row in done.values():
            if row.get("first_failure"):
                killers[row["first_failure"]] = killers.get(row["first_failure"], 0) + 1

        def first_killers(args: list[str], killers=killers) -> list[str]:
            def kills(arg: str) -> int:
                if "::" in arg:
                    return killers.get(arg, 0)
                return sum(n for t, n in killers.items() if t.split("::", 1)[0] == arg)

            return sorted(args, key=lambda a: -kills(a))  # stable: the fastest first otherwise

        def one(
            mid,
            module=module,
            source=source,
            path=path,
            log=log,
            done=done,
            stale=stale,
            killers=killers,
        ):
            line = mid.line_number + 1
            if (line, mid.index) in done:
                return done[(line, mid.index)]
            if recheck_only and (line, mid.index) not in stale:
                return None  # MUTMUT_RECHECK_ONLY: no new mutants, only earlier survivors
            mutated, _ = mutate(Context(source=source, filename=path, mutation_id=mid))
            how, args = (
                selector.covered(module, line)
                if mode == "covered"
                else ("imports", selector.imports(module))
            )
            earlier = stale.get((line, mid.index))
            known = selector.tests_of(results, earlier["commit"]) if earlier else None
            if known is not None:  # the earlier survivor: only the tests added since
                args = [t for t in selector.expand(args) if t not in known]
                how = f"{how}, new tests only"
            row = {
                "line": line,
                "index": mid.index,
                "source": hash_text(source),
                "commit": head,
                "how": how,
                "tests": len(args),
                "before": mid.line.strip(),
                "after": mutated.splitlines()[mid.line_number].strip(),
            }
            if not args and earlier is not None and known is not None:
                # No test added since executes it: the earlier verdict stands as it was.
                row.update(status=earlier["status"], first_failure="", seconds=0)
            elif not args:
                row.update(status="survived (no test executes it)", first_failure="", seconds=0)
            else:
                timeout = max(60.0, 10 * (selector.seconds(args) + 2.0))
                with lock:
                    ordered = first_killers(args)
                tree = free.get()
                try:
                    status, failure, seconds = run_mutant(tree, module, mutated, ordered, timeout)
                finally:
                    free.put(tree)
                if failure:
                    with lock:
                        killers[failure] = killers.get(failure, 0) + 1
                row.update(status=status, first_failure=failure, seconds=round(seconds, 1))
            with lock:
                with log.open("a") as f:
                    f.write(json.dumps(row) + "\n")
                print(
                    f"{module}.py:{line} #{mid.index} [{how}, {len(args)} tests]: "
                    f"{row['status']} {row['seconds']}s",
                    flush=True,
                )
            return row

        with ThreadPoolExecutor(len(trees)) as pool:
            rows = list(pool.map(one, mutants))
        mutants = [m for m, r in zip(mutants, rows) if r is not None]
        rows = [r for r in rows if r is not None]
        if not rows:
            continue
        write_report(out_dir / f"{module}.txt", module, mode, source, path, mutants, rows)
        killed = sum(r["status"].startswith("killed") for r in rows)
        grand[0] += killed
        grand[1] += len(rows)
        print(
            f"{module:<18} {killed:4d} / {len(rows):4d} killed ({100 * killed // len(rows)}%)",
            flush=True,
        )
    if grand[1]:
        print(
            f"{'total':<18} {grand[0]:4d} / {grand[1]:4d} killed "
            f"({100 * grand[0] // grand[1]}%) in {time.monotonic() - started_all:.0f} s"
        )


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_report(out: Path, module, mode, source, path, mutants, rows) -> None:
    from mutmut import Context, mutate

    killed = sum(r["status"].startswith("killed") for r in rows)
    by_how: dict[str, int] = {}
    for r in rows:
        by_how[r["how"]] = by_how.get(r["how"], 0) + 1
    lines = [
        f"{module}.py: {killed} / {len(rows)} killed ({mode} selection; mutants by selection: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_how.items()))
        + ")",
        "",
    ]
    for mid, r in zip(mutants, rows):
        if r["status"].startswith("killed"):
            continue
        mutated, _ = mutate(Context(source=source, filename=path, mutation_id=mid))
        diff = difflib.unified_diff(
            source.splitlines(), mutated.splitlines(), path, path, n=1, lineterm=""
        )
        lines.append(
            f"## {module}.py:{r['line']} #{r['index']}: {r['status']} "
            f"[{r['how']}, {r['tests']} tests]"
        )
        lines += list(diff)[2:]
        lines.append("")
    out.write_text("\n".join(lines) + "\n")


def compare(results: Path, modules: list[str]) -> None:
    """Mutant by mutant: the covered selection against the import selection of the same
    commit. A mutant the imports kill and the covered selection lets survive would make the
    selection unsound."""

    def verdicts(mode: str, module: str) -> dict[tuple[int, int], str]:
        log = results / mode / f"{module}.jsonl"
        rows = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
        return {(r["line"], r["index"]): r["status"].split(" ")[0] for r in rows}

    for module in modules:
        covered = verdicts("covered", module)
        imports = {**verdicts("imports", module), **verdicts("crosscheck", module)}
        both = sorted(set(covered) & set(imports))
        same = sum(covered[k] == imports[k] for k in both)
        unsound = [k for k in both if imports[k] == "killed" and covered[k] != "killed"]
        other = [k for k in both if covered[k] == "killed" and imports[k] != "killed"]
        print(
            f"{module}: {len(both)} mutants in both runs, {same} same verdict; killed only "
            f"by the imports: {unsound or 'none'}; only by the covered: {other or 'none'}"
        )


def summary(results: Path, modules: list[str]) -> None:
    """Per module: killed / measured of all mutants (the latest verdict of each), by how the
    tests were chosen; a module the run has not finished shows how far it got."""
    from mutmut import Context, list_mutations

    for module in modules:
        path = f"{HOST}/{module}.py"
        source = Path(path).read_text()
        total = len(list_mutations(Context(source=source, filename=path)))
        log = results / "covered" / f"{module}.jsonl"
        rows: dict[tuple[int, int], dict] = {}
        if log.exists():
            for r in map(json.loads, log.read_text().splitlines()):
                if r["source"] == hash_text(source):
                    rows[(r["line"], r["index"])] = r
        killed = sum(r["status"].startswith("killed") for r in rows.values())
        timeouts = sum(r["status"] == "killed (timeout)" for r in rows.values())
        unrun = sum(r["status"].startswith("survived (no test") for r in rows.values())
        seconds = sum(r.get("seconds", 0) for r in rows.values())
        print(
            f"{module:<16} {killed:4d} / {len(rows):4d} killed of {total:4d} mutants"
            f" ({100 * killed / max(1, len(rows)):.0f}%; {timeouts} by timeout, {unrun} survive"
            f" unexecuted; {seconds / 60:.0f} worker-min)"
        )


def compare_sample(results: Path, sample: Path) -> None:
    """The verdicts of a --sample report (the import selection, older tests) against the
    covered run, matched by module and mutated line (before and after)."""
    text = sample.read_text()
    drawn = re.findall(
        r"^## (\d+)\. (\w+)\.py:\d+ #\d+: (\w+).*\n- (.*)\n\+ (.*)$", text, flags=re.MULTILINE
    )
    rows: dict[tuple[str, str, str], list[str]] = {}
    for log in (results / "covered").glob("*.jsonl"):
        for r in map(json.loads, log.read_text().splitlines()):
            key = (log.stem, r["before"], r["after"])
            rows.setdefault(key, []).append(r["status"].split(" ")[0])
    found = same = 0
    for number, module, status, before, after in drawn:
        now = rows.get((module, before.strip(), after.strip()))
        if not now:
            continue
        found += 1
        verdict = now[-1]
        same += verdict == status
        if status == "killed" and verdict != "killed":
            print(f"#{number} {module}.py: killed in the sample, {verdict} now: {before}")
    print(f"{found} of {len(drawn)} draws matched in the covered run, {same} with the same verdict")


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(Path(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1] == "run":
        split = sys.argv.index("--")
        run(
            Path(sys.argv[2]),
            sys.argv[3],
            [Path(t) for t in sys.argv[4:split]],
            sys.argv[split + 1 :],
        )
    elif sys.argv[1] == "summary":
        summary(Path(sys.argv[2]), sys.argv[3:])
    elif sys.argv[1] == "compare-sample":
        compare_sample(Path(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1] == "compare":
        compare(Path(sys.argv[2]), sys.argv[3:])
    else:
        sys.exit(__doc__)
