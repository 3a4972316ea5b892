"""The optional compiled build of the per-page analysis (issue 12, Speed; ``indexing.native``,
``scripts/build_native.py``): used only while it is current, complete and loadable, never
when ``WORKBENCH_NATIVE=0``; a failed build is recorded and not retried; two builds never run
at once; and the compiled and pure-Python modules give the same extraction."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from indexing import native
from indexing.worker import PdfWorkerExtractor
from tests.pdfgen import Page, Table, bullet, heading, lorem, make_pdf, para

PACKAGE = Path(native.__file__).resolve().parent
REPO = PACKAGE.parent
SUFFIX = native.suffix()


def load_build_script():
    spec = importlib.util.spec_from_file_location("build_native", REPO / "scripts" / "build_native.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_build(tmp_path: Path, content: bytes = b"not a library") -> Path:
    """A copy of the compiled modules' sources with a (fake) build whose stamp is current."""
    package = tmp_path / "indexing"
    package.mkdir(parents=True)
    for name in native.MODULES:
        shutil.copy(PACKAGE / f"{name}.py", package / f"{name}.py")
    folder = package / native.BUILD / "indexing"
    folder.mkdir(parents=True)
    files = {}
    for name in (*native.MODULES, native.GROUP):
        (folder / f"{name}{SUFFIX}").write_bytes(content)
        files[f"{name}{SUFFIX}"] = native.file_entry(folder / f"{name}{SUFFIX}")
    stamp = {**native.stamp_for(package), "files": files}
    (package / native.BUILD / native.STAMP).write_text(json.dumps(stamp))
    return package


def test_a_current_build_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv(native.ENV, raising=False)
    package = fake_build(tmp_path)
    assert native.native_folder(package) == package / native.BUILD / "indexing"


def test_workbench_native_0_turns_a_current_build_off(tmp_path, monkeypatch):
    package = fake_build(tmp_path)
    monkeypatch.setenv(native.ENV, "0")
    assert native.native_folder(package) is None
    monkeypatch.setenv(native.ENV, "1")
    assert native.native_folder(package) is not None


def test_no_build_means_the_python_sources(tmp_path, monkeypatch):
    monkeypatch.delenv(native.ENV, raising=False)
    package = fake_build(tmp_path)
    shutil.rmtree(package / native.BUILD)
    assert native.native_folder(package) is None


def test_a_source_edited_after_the_build_disables_the_whole_build(tmp_path, monkeypatch):
    monkeypatch.delenv(native.ENV, raising=False)
    package = fake_build(tmp_path)
    source = package / "cleanup.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert native.native_folder(package) is None


@pytest.mark.parametrize("edited", ["workbench/safe_text.py", "indexing/worker.py"])
def test_an_edit_outside_the_compiled_modules_disables_the_build(tmp_path, monkeypatch, edited):
    """Compiled code checks the types its calls into workbench and the other indexing modules
    return, and copies their Final constants when it is built: their edit stales it too."""
    monkeypatch.delenv(native.ENV, raising=False)
    shutil.copytree(REPO / "workbench", tmp_path / "workbench",
                    ignore=shutil.ignore_patterns("__pycache__"))
    package = fake_build(tmp_path)
    shutil.copy(PACKAGE / "worker.py", package / "worker.py")
    stamp = package / native.BUILD / native.STAMP
    data = json.loads(stamp.read_text())
    data.update(native.stamp_for(package))  # worker.py is part of the tree the build saw
    stamp.write_text(json.dumps(data))
    assert native.native_folder(package) is not None
    source = tmp_path / edited
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert native.native_folder(package) is None


def test_a_build_for_another_python_or_a_damaged_stamp_is_not_used(tmp_path, monkeypatch):
    monkeypatch.delenv(native.ENV, raising=False)
    package = fake_build(tmp_path)
    stamp = package / native.BUILD / native.STAMP
    good = json.loads(stamp.read_text())
    for other in ({**good, "suffix": ".cpython-399-x86_64-linux-gnu.so"},
                  {**good, "python": "3.11.0 (another build)"},
                  {k: v for k, v in good.items() if k != "files"}, []):
        stamp.write_text(json.dumps(other))
        assert native.native_folder(package) is None, other
    stamp.write_text("{not json")
    assert native.native_folder(package) is None


@pytest.mark.parametrize("damage", ["a module deleted", "the group library deleted",
                                    "the group library truncated", "the group library altered",
                                    "the build folder deleted"])
def test_a_half_deleted_truncated_or_altered_build_is_not_used(tmp_path, monkeypatch, damage):
    monkeypatch.delenv(native.ENV, raising=False)
    package = fake_build(tmp_path)
    folder = package / native.BUILD / "indexing"
    if damage == "a module deleted":
        (folder / f"lines{SUFFIX}").unlink()
    elif damage == "the group library deleted":
        (folder / f"{native.GROUP}{SUFFIX}").unlink()
    elif damage == "the group library truncated":
        (folder / f"{native.GROUP}{SUFFIX}").write_bytes(b"not a")
    elif damage == "the group library altered":  # the same size, other bytes
        (folder / f"{native.GROUP}{SUFFIX}").write_bytes(b"NOT A LIBRARY")
    else:
        shutil.rmtree(folder)
    assert native.native_folder(package) is None


def _run(code: str, *, pythonpath: list[Path], cwd: Path, env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", native.ENV)}
    full.update(env or {}, PYTHONPATH=os.pathsep.join(map(str, pythonpath)))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                          env=full, timeout=120, check=False)


def test_a_build_that_does_not_load_falls_back_to_python(tmp_path, monkeypatch):
    """The stamp is current and every file has its size, but the libraries are not
    libraries (as a build whose system libraries went missing): `import indexing` still
    works, every module comes from its .py, and one warning says why."""
    monkeypatch.delenv(native.ENV, raising=False)
    copy = tmp_path / "copy"
    shutil.copytree(PACKAGE, copy / "indexing",
                    ignore=shutil.ignore_patterns("_native*", "__pycache__"))
    fake_build(tmp_path / "fake")
    shutil.copytree(tmp_path / "fake" / "indexing" / native.BUILD,
                    copy / "indexing" / native.BUILD)
    stamp = copy / "indexing" / native.BUILD / native.STAMP
    stamp.write_text(json.dumps({**json.loads(stamp.read_text()),
                                 **native.stamp_for(copy / "indexing")}))
    assert native.native_folder(copy / "indexing") is not None  # it looks current
    done = _run("import indexing.lines, indexing.pdf_extract, indexing.cleanup as c\n"
                "print(indexing.lines.__file__, indexing.pdf_extract.__file__, c.__file__)",
                pythonpath=[copy, REPO], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert all(f.endswith(".py") for f in done.stdout.split()), done.stdout
    assert "does not load" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# --- the build script: a failed build is recorded; one build at a time; all or nothing

def script_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    package = repo / "indexing"
    package.mkdir(parents=True)
    for name in native.MODULES:
        shutil.copy(PACKAGE / f"{name}.py", package / f"{name}.py")
    (repo / "requirements").mkdir()
    shutil.copy(REPO / "requirements" / "build.txt", repo / "requirements" / "build.txt")
    return repo


def test_a_failed_build_is_recorded_and_not_retried_until_something_changes(
        tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(native.ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    bn = load_build_script()
    paths = bn.Paths(script_repo(tmp_path))
    tries = []

    def failing_child(p):
        tries.append(p)
        p.log.write_text("indexing/x.py:1: error: no C compiler\n", encoding="utf-8")
        return 1

    monkeypatch.setattr(bn, "run_child", failing_child)
    assert bn.build(paths) == 1
    assert len(tries) == 1
    first = capsys.readouterr().err.strip().splitlines()
    assert len(first) == 2 and "compiling the PDF analysis" in first[0], first  # said first
    assert "not built" in first[1] and "no C compiler" in first[1]
    for _ in range(2):  # later launches: one line, no new attempt
        assert bn.build(paths) == 1
        again = capsys.readouterr().err.strip().splitlines()
        assert len(again) == 1 and "failed before" in again[0], again
    assert len(tries) == 1
    source = paths.package / "rows.py"  # a source changes: tried again
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert bn.build(paths) == 1
    assert len(tries) == 2
    real_version = bn._version  # the tools change (a new mypy): tried again
    monkeypatch.setattr(bn, "_version", lambda dist: "9.9" if dist == "mypy" else real_version(dist))
    assert bn.build(paths) == 1
    assert len(tries) == 3
    assert bn.build(paths, retry=True) == 1  # --retry forces it
    assert len(tries) == 4
    monkeypatch.setenv("CI", "true")  # CI ignores the record
    assert bn.build(paths) == 1
    assert len(tries) == 5


@pytest.mark.parametrize("outcome", ["killed by a signal", "a full disk", "a failed check",
                                     "a timeout", "no error line"])
def test_a_transient_failure_is_not_recorded(tmp_path, monkeypatch, capsys, outcome):
    """Only a failure that will recur is recorded: after any of these the next launch
    builds again (a record would keep CI red, where the build is required)."""
    monkeypatch.delenv(native.ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    bn = load_build_script()
    paths = bn.Paths(script_repo(tmp_path))
    tries = []

    def failing_child(p):
        tries.append(p)
        if outcome == "killed by a signal":
            p.log.write_text("indexing/x.py:1: error: half written\n", encoding="utf-8")
            return -9
        if outcome == "a full disk":
            p.log.write_text("x.c: fatal error: error writing: No space left on device\n"
                             "error: command '/usr/bin/gcc' failed with exit code 1\n")
            return 1
        if outcome == "a failed check":
            p.log.write_text("the check of the new build failed: TimeoutExpired\n")
            return bn.CHECK_FAILED
        if outcome == "a timeout":
            return None
        p.log.write_text("Traceback (most recent call last):\nOSError: [Errno 5] I/O\n")
        return 1

    monkeypatch.setattr(bn, "run_child", failing_child)
    for attempt in (1, 2):
        assert bn.build(paths) == 1
        assert len(tries) == attempt
        assert "failed before" not in capsys.readouterr().err
    assert not paths.failed.exists()


def test_the_build_child_has_a_timeout_and_a_timeout_means_none(tmp_path, monkeypatch):
    bn = load_build_script()
    paths = bn.Paths(script_repo(tmp_path))
    paths.work.mkdir(parents=True)
    seen = {}

    def slow(*args, **kwargs):
        seen.update(kwargs)
        raise subprocess.TimeoutExpired(args[0], kwargs.get("timeout"))

    monkeypatch.setattr(bn.subprocess, "run", slow)
    assert bn.run_child(paths) is None
    assert seen["timeout"] == bn.TIMEOUT == 900


def test_workbench_native_0_builds_nothing(tmp_path, monkeypatch, capsys):
    bn = load_build_script()
    paths = bn.Paths(script_repo(tmp_path))
    monkeypatch.setattr(bn, "run_child", lambda p: pytest.fail("built with WORKBENCH_NATIVE=0"))
    monkeypatch.setenv(native.ENV, "0")
    assert bn.build(paths) == 1
    assert "off" in capsys.readouterr().err


def test_a_second_launch_does_not_build_while_one_is_building(tmp_path, monkeypatch, capsys):
    filelock = pytest.importorskip("filelock")  # (requirements/build.txt)
    monkeypatch.delenv(native.ENV, raising=False)
    bn = load_build_script()
    paths = bn.Paths(script_repo(tmp_path))
    paths.work.mkdir(parents=True)
    paths.log.write_text("the first launch's build log\n")
    with filelock.FileLock(str(paths.lock)):  # another launch is building (the real child)
        assert bn.build(paths) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "another launch" in err[1], err
    assert paths.log.read_text() == "the first launch's build log\n"  # not truncated
    assert not paths.failed.exists()  # not a failure: the next launch builds or finds it built
    assert not list(paths.package.glob(f"{native.BUILD}*"))


def test_a_build_that_fails_its_check_replaces_nothing_and_leaves_nothing(tmp_path, monkeypatch):
    """The build goes to a new folder and is renamed into place only once every module
    imports from it: a broken result leaves the previous build as it was, and no folder."""
    pytest.importorskip("filelock")
    monkeypatch.delenv(native.ENV, raising=False)
    bn = load_build_script()
    paths = bn.Paths(script_repo(tmp_path))
    paths.work.mkdir(parents=True)
    (paths.out / "indexing").mkdir(parents=True)  # an earlier (stale) build
    (paths.out / native.STAMP).write_text("{}")

    def broken_compile(p, target):  # libraries that do not load
        (target / "indexing").mkdir()
        for name in (*native.MODULES, native.GROUP):
            (target / "indexing" / f"{name}{SUFFIX}").write_bytes(b"broken")

    monkeypatch.setattr(bn, "compile_into", broken_compile)
    with pytest.raises(subprocess.CalledProcessError):
        bn._child(paths)
    assert sorted(p.name for p in paths.package.glob(f"{native.BUILD}*")) == [native.BUILD]
    assert (paths.out / native.STAMP).read_text() == "{}"
    lock = pytest.importorskip("filelock").FileLock(str(paths.lock))
    lock.acquire(timeout=0)  # the lock was let go
    lock.release()


# --- compiled and pure Python give the same extraction

def generated_pdfs(folder: Path) -> list[Path]:
    folder.mkdir()
    return [
        make_pdf(folder / "plain.pdf", [
            Page([heading("Our Plan"), para(lorem(60)), heading("Priorities", level=2),
                  bullet("We will repair 500 roads by 2027."), bullet("We will plant trees."),
                  para(lorem(80, seed=1))], header="Council Plan", footer="Page {label}"),
            Page([heading("Delivery"), para("The council will publish a yearly report."),
                  para(lorem(120, seed=2))], header="Council Plan", footer="Page {label}"),
        ], title="Plan one", outline=[[1, "Our Plan", 1], [1, "Delivery", 2]]),
        make_pdf(folder / "columns.pdf", [
            Page([heading("Strategy 2025-2030"), para(lorem(150, seed=3)),
                  para("We are committed to net zero by 2030.")], columns=2),
            Page([para(lorem(200, seed=4))], columns=2),
        ]),
        make_pdf(folder / "table.pdf", [
            Page([heading("Actions"),
                  Table([["Action", "By when"], ["Build 100 homes", "2026"],
                         ["Open two libraries", "2027"]]),
                  para(lorem(40, seed=5))]),
        ]),
    ]


EXTRACT = """\
import pickle, sys
from pathlib import Path
import indexing.pdf_extract as pe
def one(p):
    try:
        return pe.extract_file(Path(p))
    except Exception as exc:  # a hostile PDF may be refused: the same way by both
        return f"raised {type(exc).__name__}: {exc}"
out = [one(p) for p in sys.argv[2:]]
Path(sys.argv[1]).write_bytes(pickle.dumps((pe.__file__, out, [repr(e) for e in out])))
"""


def extract_in_child(tmp_path: Path, pdfs: list[Path], *, pure: bool):
    out = tmp_path / ("pure.pickle" if pure else "default.pickle")
    full = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", native.ENV)}
    full.update(PYTHONPATH=str(REPO), PYTHONHASHSEED="0", **({native.ENV: "0"} if pure else {}))
    subprocess.run([sys.executable, "-c", EXTRACT, str(out), *map(str, pdfs)], env=full,
                   check=True, timeout=300)
    module, extractions, reprs = pickle.loads(out.read_bytes())
    return module, extractions, reprs


def hostile_pdfs(folder: Path) -> list[Path]:
    """The reliability tests' hostile PDFs that need no OCR (quick to make and to read)."""
    from tests.reliability import hostile_files

    folder.mkdir()
    return [hostile_files.bad_font_names(folder / "fonts.pdf"),
            hostile_files.surrogate_metadata(folder / "surrogates.pdf"),
            hostile_files.form_without_text(folder / "form.pdf")]


def _built() -> bool:
    return native.native_folder(PACKAGE) is not None


# The set-up script builds it where a C compiler exists (CI's Linux), so there a missing build
# fails these tests; elsewhere the build is optional and they are skipped, saying so.
needs_build = pytest.mark.skipif(
    not _built() and not (os.environ.get("CI") and sys.platform.startswith("linux")),
    reason="compiled half skipped: no current build here (optional: scripts/build_native.py)")


def test_workbench_native_0_extracts_with_the_python_modules(tmp_path):
    pdfs = generated_pdfs(tmp_path / "pdfs")
    module, extractions, _ = extract_in_child(tmp_path, pdfs, pure=True)
    assert module == str(PACKAGE / "pdf_extract.py")
    assert all(e.pages for e in extractions)
    assert sum(len(e.commitments) for e in extractions) >= 5


@needs_build
def test_compiled_and_pure_python_give_the_same_extraction(tmp_path):
    pdfs = [*generated_pdfs(tmp_path / "pdfs"), *hostile_pdfs(tmp_path / "hostile")]
    pure_module, pure, pure_reprs = extract_in_child(tmp_path, pdfs, pure=True)
    compiled_module, compiled, compiled_reprs = extract_in_child(tmp_path, pdfs, pure=False)
    assert pure_module.endswith(".py")
    assert compiled_module.endswith(SUFFIX), "the build is not in use"
    assert sum(len(e.commitments) for e in pure[:3]) >= 5
    # repr, not ==: 1 == 1.0 == True, but compiled code that turned a float into an int (or a
    # bool into an int) must fail here; repr shows every value with its type's own spelling
    for pdf, a, b in zip(pdfs, pure_reprs, compiled_reprs, strict=True):
        assert a == b, pdf.name
    assert pure == compiled


@needs_build
def test_the_worker_runs_the_compiled_analysis(tmp_path):
    pdf = make_pdf(tmp_path / "p.pdf", [Page([heading("Plan"), para(lorem(40))])])
    with PdfWorkerExtractor(timeout=60) as w:
        extraction = w.extract(pdf)
        mapped = {Path(m.path).name for m in psutil.Process(w.pid).memory_maps()}
    assert extraction.pages
    # the compiled code of all the modules lives in the group's library (each module's own
    # small extension only points at it, and is loaded only when imported from Python)
    assert f"{native.GROUP}{SUFFIX}" in mapped
    assert f"pdf_extract{SUFFIX}" in mapped


# --- the set-up script: the build's pip and apt steps are optional and tried again

SCRIPT = REPO / "scripts" / "workbench.sh"


def run_setup_function(tmp_path: Path, function: str, fakes: dict[str, str],
                       ) -> subprocess.CompletedProcess[str]:
    """Run one function of scripts/workbench.sh under its own `set -euo pipefail`, in
    ``tmp_path``, with the commands in ``fakes`` (name: bash body) standing in for the real
    ones (pip, apt-get, id, ...)."""
    if not shutil.which("bash"):
        pytest.skip("no bash")
    text = SCRIPT.read_text(encoding="utf-8")
    head = text[:text.index("install_system_packages\ninstall_build_packages\n")]
    head = head.replace('cd "$here"', ":")  # (stay in tmp_path)
    head = head.replace('here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"', 'here="$PWD"')
    stubs = "".join(f"{name}() {{ {body}; }}\n" for name, body in fakes.items())
    code = f'{head}\nmode=test\n{stubs}\n{function}\necho "rc=$?"\n'
    return subprocess.run(["bash", "-c", code, "workbench.sh"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False)


def test_a_failed_build_requirements_install_is_tried_again(tmp_path):
    """The set-up's stamp must not record an install of requirements/build.txt that failed
    (then mypy would never be installed); that install is --no-deps (no app pin moves)."""
    shutil.copytree(REPO / "requirements", tmp_path / "requirements")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    pip = tmp_path / ".venv" / "bin" / "python"  # pip fails only for build.txt
    pip.write_text('#!/usr/bin/env bash\necho "$*" >> calls.txt\n'
                   'case "$*" in *build.txt*) [ -e build-ok ] || exit 1;; esac\nexit 0\n')
    pip.chmod(0o755)
    done = run_setup_function(tmp_path, "make_venv", {"pick_python": "echo python3"})
    assert done.stdout.strip().endswith("rc=0"), done.stderr
    assert "mypy could not be installed" in done.stderr
    assert (tmp_path / ".venv" / ".installed").exists()
    assert not (tmp_path / ".venv" / ".installed-build").exists()
    build_calls = [c for c in (tmp_path / "calls.txt").read_text().splitlines() if "build.txt" in c]
    assert build_calls and all("--no-deps" in c for c in build_calls)
    (tmp_path / "build-ok").touch()  # the next launch: tried again, and now recorded
    done = run_setup_function(tmp_path, "make_venv", {"pick_python": "echo python3"})
    assert done.stdout.strip().endswith("rc=0"), done.stderr
    assert (tmp_path / ".venv" / ".installed-build").exists()
    assert len([c for c in (tmp_path / "calls.txt").read_text().splitlines()
                if "build.txt" in c]) == 2


@pytest.mark.parametrize("root", [True, False])
def test_the_c_compiler_packages_are_optional(tmp_path, root):
    """gcc and the headers may be missing or fail to install: the set-up goes on."""
    fakes = {"dpkg-query": "return 1",  # nothing is installed
             "id": f"echo {0 if root else 1000}",
             "apt-get": "return 100"}  # and apt cannot install anything
    done = run_setup_function(tmp_path, "install_build_packages", fakes)
    assert done.stdout.strip().endswith("rc=0"), (done.stdout, done.stderr)
    if root:
        assert "no C compiler" in done.stderr
    else:
        assert "gcc libc6-dev python3-dev" in done.stdout
    # and the mandatory packages' line does not name them
    done = run_setup_function(tmp_path, "install_system_packages",
                              {**fakes, "apt-get": "return 0"})
    assert "gcc" not in done.stdout + done.stderr, done.stderr
