#!/usr/bin/env bash
# Prints the absolute path of a wheelhouse (a directory of wheels) holding the Pulumi Python SDK and everything it
# needs, for the Python interpreter on PATH, and nothing else on stdout (progress and errors go to stderr). The
# Python tests install from it offline (PIP_NO_INDEX=1, PIP_FIND_LINKS=<it>), so a warm run sends nothing to PyPI.
#
# Usage:  PIP_NO_INDEX=1 PIP_FIND_LINKS="$(scripts/python-wheels.sh)" pulumi install
#
# What it holds: tools/python-wheels/requirements.txt with all their dependencies, downloaded with pip from its
# configured index (PyPI) the first time into
#   ${PULUMI_SEAM_ACS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-seam-acs}/python-wheels/<python>-<arch>-<hash>/
# keyed by that file, the Python version and the machine; later calls return at once. Python: $PYTHON, else
# python3 (3.9 or newer, with the venv module: Debian's python3-venv).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cache_log_prefix=python-wheels
# shellcheck source=lib/go-build-cache.sh
source "$repo_root/scripts/lib/go-build-cache.sh"

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || { log "$python is not on PATH: the Python tests need Python 3 (with venv and pip)"; exit 1; }
pyver="$("$python" -c 'import sys; print("py%d.%d" % sys.version_info[:2])')"
"$python" -c 'import venv, ensurepip' 2>/dev/null \
  || { log "$python has no venv/ensurepip module: install it (Debian: apt-get install python3-venv)"; exit 1; }

layout=1
hash="$(inputs_hash "$repo_root/tools/python-wheels" "$layout" requirements.txt)"
name="$pyver-$(uname -m)-$hash"
final="$cache_root/python-wheels/$name"
complete() { [[ -f "$1/.complete" ]]; }

if complete "$final"; then
  printf '%s\n' "$final"
  exit 0
fi

begin_build "$cache_root/python-wheels" "$name"
# A Python without pip of its own (Debian's python3 without python3-pip) gets it from a throwaway virtualenv.
if ! "$python" -m pip --version >/dev/null 2>&1; then
  "$python" -m venv "$tmp/.venv" >&2
  python="$tmp/.venv/bin/python"
fi
log "downloading the Pulumi Python SDK and its dependencies into $final (first time only)"
run_step "pip download" "$repo_root/tools/python-wheels" \
  "$python" -m pip download --disable-pip-version-check --only-binary=:all: --dest "$tmp" -r requirements.txt
rm -rf "$tmp/.venv"
touch "$tmp/.complete"
publish_build "$final" complete
printf '%s\n' "$final"
