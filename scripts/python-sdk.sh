#!/usr/bin/env bash
# Builds the native provider's Python SDK package `pulumi_seam` as a wheel from the schema, and prints the wheel's
# absolute path (nothing else on stdout; progress and errors go to stderr).
#
# Usage:  bash scripts/python-sdk.sh [--out DIR] [--schema FILE] [--sdk DIR]
#   --out DIR     where the wheel goes (default: ./release/); an older pulumi_seam wheel there is replaced
#   --schema FILE the schema to generate from (default: src/native/schema.json); its version is the wheel's
#   --sdk DIR     an already generated Python SDK (the python/ folder of `npm run gen-sdk`) instead of generating one
#
# The SDK comes from `npm run gen-sdk` (scripts/gen-sdk.sh, the pinned CLI's `pulumi package gen-sdk`); pip builds
# the wheel with the setuptools backend the generated pyproject.toml names (`pip wheel --no-deps`, so `pulumi`
# itself is not fetched), offline: setuptools comes from the wheelhouse of scripts/python-wheels.sh (downloaded from
# PyPI once, then cached), so building a release or a test's wheel reaches PyPI at most that once.
# Python: $PYTHON, else python3.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
out="$repo_root/release"
schema="$repo_root/src/native/schema.json"
sdk=""
while (( $# > 0 )); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --schema) schema="$2"; shift 2 ;;
    --sdk) sdk="$2"; shift 2 ;;
    *) echo "python-sdk: unknown argument $1 (usage: python-sdk.sh [--out DIR] [--schema FILE] [--sdk DIR])" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || { echo "python-sdk: $python is not on PATH: building the wheel needs Python 3 with pip" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A Python without pip of its own (Debian's python3 without python3-pip) gets it from a throwaway virtualenv.
if ! "$python" -m pip --version >/dev/null 2>&1; then
  "$python" -m venv "$work/venv" >&2 || { echo "python-sdk: $python has neither pip nor venv (Debian: apt-get install python3-venv)" >&2; exit 1; }
  python="$work/venv/bin/python"
fi
if [[ -z "$sdk" ]]; then
  echo "python-sdk: generating the Python SDK from $schema" >&2
  bash "$repo_root/scripts/gen-sdk.sh" --out "$work/sdk" --schema "$schema" python >&2
  sdk="$work/sdk/python"
fi
[[ -f "$sdk/pyproject.toml" ]] || { echo "python-sdk: $sdk has no pyproject.toml: not a generated Python SDK" >&2; exit 1; }

# pip builds in a copy: it writes build/ and *.egg-info next to the sources, which must stay as generated.
cp -R "$sdk" "$work/src"
wheelhouse="$(bash "$repo_root/scripts/python-wheels.sh")"
PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheelhouse" \
  "$python" -m pip wheel --no-deps --disable-pip-version-check --quiet --wheel-dir "$work/wheel" "$work/src" >&2
wheels=("$work"/wheel/pulumi_seam-*.whl)
[[ -f "${wheels[0]}" && ${#wheels[@]} -eq 1 ]] || { echo "python-sdk: pip did not write exactly one pulumi_seam wheel" >&2; exit 1; }

mkdir -p "$out"
out="$(cd "$out" && pwd -P)"
rm -f "$out"/pulumi_seam-*.whl
cp "${wheels[0]}" "$out/"
printf '%s\n' "$out/$(basename "${wheels[0]}")"
