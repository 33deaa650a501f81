# shellcheck shell=bash
# Shared setup for scripts/test, scripts/demo and scripts/setup: source it, don't run it.
#
#   pearl_setup [EXTRA...]
#
# Makes sure .venv exists (Python 3.11+), installs the project editable with the
# given pyproject extras (none: runtime dependencies only) plus the hash-pinned
# regorus wheel from requirements/regorus.txt, and activates the venv for the
# rest of the calling script (PATH, VIRTUAL_ENV). The cwd becomes the repo root.
#
# The install is skipped when .venv/.pearl-installed is newer than pyproject.toml
# and every file in requirements/, and already lists each requested extra, so a
# second run costs well under a second. Delete the stamp (or .venv) to force it.
#
# Environment: PYTHON - the interpreter to build .venv with (default: the first
# Python 3.11+ among python3, python3.13, python3.12, python3.11).

PEARL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEARL_VENV="$PEARL_ROOT/.venv"
PEARL_STAMP="$PEARL_VENV/.pearl-installed"
export PIP_DISABLE_PIP_VERSION_CHECK=1

pearl_section() {
  printf '\n==> %s\n' "$*"
}

pearl_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

_pearl_python_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

_pearl_find_python() {
  local candidate
  if [[ -n ${PYTHON:-} ]]; then
    # An explicit choice is honoured or refused, never silently replaced.
    _pearl_python_ok "$PYTHON" || pearl_die "PYTHON=$PYTHON is not a working Python 3.11+"
    printf '%s\n' "$PYTHON"
    return 0
  fi
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && _pearl_python_ok "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

# True when the stamp is newer than everything that decides what gets installed.
_pearl_stamp_current() {
  local f
  [[ -f $PEARL_STAMP ]] || return 1
  for f in "$PEARL_ROOT/pyproject.toml" "$PEARL_ROOT"/requirements/*; do
    [[ -e $f ]] || continue
    [[ $PEARL_STAMP -nt $f ]] || return 1
  done
}

# Semgrep pins mcp==1.29 and PeaRL needs mcp>=2.3, so Semgrep gets its own venv
# inside .venv (tests/scanners finds it at .venv/semgrep/bin/semgrep).
# With PEARL_SEMGREP_OPTIONAL=1 (the demo) a failed install is reported, not fatal.
_pearl_setup_semgrep() {
  local venv="$PEARL_VENV/semgrep"
  echo "installing semgrep (requirements/semgrep.txt) into .venv/semgrep"
  python -m venv "$venv"
  if ! "$venv/bin/python" -m pip install -r "$PEARL_ROOT/requirements/semgrep.txt"; then
    if [[ ${PEARL_SEMGREP_OPTIONAL:-0} == 1 ]]; then
      echo "semgrep could not be installed; the demo will use the committed scan" >&2
      return 0
    fi
    pearl_die "could not install semgrep from requirements/semgrep.txt"
  fi
}

pearl_setup() {
  local python spec extra
  local -a want=("$@") have=()

  cd "$PEARL_ROOT" || pearl_die "cannot cd to $PEARL_ROOT"

  if ! { [[ -x $PEARL_VENV/bin/python ]] && _pearl_python_ok "$PEARL_VENV/bin/python"; }; then
    python="$(_pearl_find_python)" \
      || pearl_die "PeaRL needs Python 3.11 or newer and found none; set PYTHON=/path/to/python3.11"
    if [[ -e $PEARL_VENV ]]; then
      echo "recreating .venv: its Python is missing or older than 3.11"
      "$python" -m venv --clear "$PEARL_VENV"
    else
      echo "creating .venv with $("$python" --version 2>&1) ($python)"
      "$python" -m venv "$PEARL_VENV"
    fi
    rm -f "$PEARL_STAMP"
  fi

  export VIRTUAL_ENV="$PEARL_VENV"
  export PATH="$PEARL_VENV/bin:$PATH"
  unset PYTHONHOME

  if _pearl_stamp_current; then
    mapfile -t have < <(grep -v -e '^#' -e '^$' "$PEARL_STAMP")
    local missing=0
    for extra in ${want[@]+"${want[@]}"}; do
      grep -qxF -- "$extra" "$PEARL_STAMP" || missing=1
    done
    if ((missing == 0)); then
      echo ".venv is up to date (delete $PEARL_STAMP to reinstall)"
      return 0
    fi
  fi

  # Install the union of what is asked now and what an up-to-date stamp already
  # had, so scripts/demo after scripts/test does not strip the dev tools.
  local -a all=()
  mapfile -t all < <(printf '%s\n' ${have[@]+"${have[@]}"} ${want[@]+"${want[@]}"} | sed '/^$/d' | sort -u)
  spec="."
  if ((${#all[@]})); then
    spec=".[$(IFS=,; echo "${all[*]}")]"
  fi

  echo "installing $spec (editable) and hash-pinned regorus into .venv"
  python -m pip install --editable "$spec"
  python -m pip install --require-hashes --no-deps -r requirements/regorus.txt \
    || pearl_die "could not install regorus from requirements/regorus.txt (only a Linux x86_64 wheel exists)"

  if printf '%s\n' ${all[@]+"${all[@]}"} | grep -qxE 'dev|semgrep'; then
    _pearl_setup_semgrep
  fi

  {
    echo "# written by scripts/_setup.sh: extras installed into this venv, one a line"
    if ((${#all[@]})); then printf '%s\n' "${all[@]}"; fi
  } >"$PEARL_STAMP"
}
