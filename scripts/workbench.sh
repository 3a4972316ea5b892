#!/usr/bin/env bash
# Plan Workbench set-up: one script, three entry points.
#   bash scripts/workbench.sh app    install everything, then open the app (sample library on first run)
#   bash scripts/workbench.sh test   install everything, then run the whole test suite (not `slow`)
#   bash scripts/workbench.sh slow   install everything, then run the slow tier (large fixtures, full kill counts)
# Extra arguments after the mode go to the app or to pytest.
set -euo pipefail

mode="${1:-app}"
shift || true
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

QT_APT_PACKAGES="libegl1 libgl1 libx11-6 libxcb1 libxkbcommon0 libfontconfig1 libfreetype6 \
libglib2.0-0 libdbus-1-3 fonts-dejavu-core fonts-noto-core xvfb xauth libxcb-cursor0 libxcb-icccm4 \
libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 \
libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1 \
poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk"
PY_APT_PACKAGES="python3 python3-venv python3-pip"
# Local OCR of scanned plans (issue 15): PyMuPDF runs Tesseract itself and only needs the
# language data; the `tesseract` binary comes along and is handy for checking the install.
# Without them the app still runs and says OCR is unavailable.
OCR_APT_PACKAGES="tesseract-ocr tesseract-ocr-eng"
# The optional compiled build of the per-page analysis (scripts/build_native.py, mypyc): a C
# compiler and the Python headers. Without them the pure-Python modules run, a little slower:
# installed in a step of their own that may fail (install_build_packages).
BUILD_APT_PACKAGES="gcc libc6-dev python3-dev"

say() { printf '[workbench] %s\n' "$*" >&2; }

missing_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    echo "${missing[@]:-}"
}

install_system_packages() {
    command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian system: install Qt 6's xcb libraries yourself"; return 0; }
    # shellcheck disable=SC2086
    local missing
    missing="$(missing_apt $QT_APT_PACKAGES $PY_APT_PACKAGES $OCR_APT_PACKAGES)"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = "0" ]; then
        say "installing system packages: $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        say "missing system packages; run this once, then try again:"
        echo "sudo apt-get install -y --no-install-recommends $missing"
        # Tests run offscreen and may still work; the window will not. Only OCR missing: the
        # app runs and says OCR is unavailable.
        # shellcheck disable=SC2086
        if [ "$mode" = "app" ] && [ -n "$(missing_apt $QT_APT_PACKAGES $PY_APT_PACKAGES)" ]; then
            exit 1
        fi
    fi
}

install_build_packages() {
    # optional: a C compiler and the headers for the compiled analysis. Never fails the
    # set-up (set -e is off for the install): without them the analysis runs as pure Python.
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local missing
    # shellcheck disable=SC2086
    missing="$(missing_apt $BUILD_APT_PACKAGES)"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = "0" ]; then
        say "installing the C compiler for the compiled analysis (optional): $missing"
        # shellcheck disable=SC2086
        { apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 \
                 && apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; }; } \
            || say "no C compiler: the PDF analysis runs as pure Python"
    else
        say "optional, for the faster compiled PDF analysis (without it: pure Python):"
        echo "sudo apt-get install -y --no-install-recommends $missing"
    fi
    return 0
}

pick_python() {
    for py in python3.13 python3.12 python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$py"; return 0
        fi
    done
    say "Python 3.11 or newer with the venv module is needed (apt-get install python3 python3-venv)"
    exit 1
}

make_venv() {
    local py stamp want
    py="$(pick_python)"
    if [ ! -x .venv/bin/python ]; then
        say "creating .venv with $py"
        "$py" -m venv .venv
    fi
    stamp=.venv/.installed
    want="$(cat requirements/app.txt requirements/test.txt requirements/nodeps.txt \
        requirements/build.txt pyproject.toml | sha256sum | cut -c1-16)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing pinned Python packages (first run takes a few minutes)"
        .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
        .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/test.txt
        .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -r requirements/nodeps.txt
        .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
        echo "$want" > "$stamp"
    fi
    # optional (the compiled build below), with its own stamp: written only when the install
    # worked, so a failed one (offline, say) is tried again at the next launch. --no-deps:
    # build.txt pins mypy's dependencies itself, and must not move any of the app's pins.
    local build_stamp=.venv/.installed-build
    if [ "$(cat "$build_stamp" 2>/dev/null)" != "$want" ]; then
        if .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps \
            -r requirements/build.txt; then
            echo "$want" > "$build_stamp"
        else
            say "mypy could not be installed: the PDF analysis runs as pure Python"
        fi
    fi
    # byte-code of our own packages, written now: every PDF worker process imports them, and
    # where PYTHONDONTWRITEBYTECODE is set each worker would otherwise compile them from source
    # (about 30 ms a worker). Quick when nothing changed; -q prints only errors.
    .venv/bin/python -m compileall -q -j 0 workbench db indexing export ui >/dev/null
}

build_native() {
    # The per-page analysis compiled with mypyc (issue 12, Speed; scripts/build_native.py):
    # about 30 s the first time on 2 idle cores, nothing while the build is current. Optional:
    # when it cannot build (no compiler, no headers, no mypy) it says so in one line, records
    # the failure (not tried again until the sources or the tools change) and the pure-Python
    # modules run, as on Windows laptops. WORKBENCH_NATIVE=0 turns it off.
    # In app mode the launch does not wait: the build runs in the background, niced, and this
    # launch runs the analysis as pure Python (the next one uses the build). test and slow
    # wait for it, so they test what CI builds.
    if [ "$mode" = "app" ]; then
        nice -n 10 .venv/bin/python scripts/build_native.py --background </dev/null || true &
    else
        .venv/bin/python scripts/build_native.py || true
    fi
}

install_system_packages
install_build_packages
make_venv
build_native

case "$mode" in
    app)
        if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" = "" ] \
            && command -v xvfb-run >/dev/null 2>&1; then
            say "no display found: running under xvfb-run (set DISPLAY to see the window)"
            exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/workbench "$@"
        fi
        exec .venv/bin/workbench "$@"
        ;;
    test|slow)
        export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
        say "checking import layers (import-linter)"
        .venv/bin/lint-imports --no-cache
        say "linting (ruff)"
        .venv/bin/ruff check .
        set +e
        if [ "$mode" = "slow" ]; then
            # the slow tier: large fixtures, plus every kill loop at its full count
            say "running the slow tier (tests marked slow; kill loops with RELIABILITY_TIER=slow)"
            RELIABILITY_TIER=slow .venv/bin/python -m pytest -m "slow or not slow" \
                -p no:cacheprovider tests/slow tests/reliability tests/merge/test_kill.py "$@"
        else
            say "running pytest -m 'not slow'"
            .venv/bin/python -m pytest -m "not slow" -p no:cacheprovider "$@"
        fi
        rc=$?
        set -e
        if [ "$rc" = "5" ]; then say "pytest collected no tests: failing"; exit 1; fi
        exit "$rc"
        ;;
    *)
        say "unknown mode '$mode' (use app, test or slow)"; exit 2 ;;
esac
