#!/usr/bin/env bash
# Generates the native `seam` provider's SDKs from its schema with the pinned CLI: `pulumi package gen-sdk`, one
# language at a time, into <out>/<language>/ (each replaced whole).
#
# Usage:  npm run gen-sdk -- [--out DIR] [--schema FILE] [LANGUAGE...]
#   LANGUAGE: nodejs, python, go, dotnet. Default: nodejs python go, and dotnet when a pulumi-language-dotnet is on
#   PATH. DIR defaults to sdk/ in the repository (ignored by git, but for sdk/go, the committed Go SDK, which this
#   rewrites as scripts/gen-go-sdk.sh does); FILE to src/native/schema.json. The Go SDK gets a go.mod and go.sum.
#
# The CLI asks the language host of each language to generate its SDK: the Go host and the Node.js/Python
# generators come from scripts/language-hosts.sh. No .NET generator can be built here (it lives in the module of the
# official .NET host, which the module proxy does not serve, and pkg/v3 no longer carries it), so dotnet needs an
# official Pulumi install's pulumi-language-dotnet on PATH.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
out="$repo_root/sdk"
schema="$repo_root/src/native/schema.json"
languages=()
while (( $# > 0 )); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --schema) schema="$2"; shift 2 ;;
    nodejs|python|go|dotnet) languages+=("$1"); shift ;;
    *) echo "gen-sdk: unknown argument $1 (usage: gen-sdk [--out DIR] [--schema FILE] [nodejs|python|go|dotnet ...])" >&2; exit 2 ;;
  esac
done
[[ -f "$schema" ]] || { echo "gen-sdk: no schema at $schema" >&2; exit 1; }

cli_bin="$(bash "$repo_root/scripts/pulumi-cli.sh")"
codegen_bin="$(bash "$repo_root/scripts/language-hosts.sh" --codegen)"
hosts_bin="$(bash "$repo_root/scripts/language-hosts.sh")"
# The generators first: they shadow the CLI's run-only Node.js host for this command only.
export PATH="$codegen_bin:$hosts_bin:$cli_bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true

if (( ${#languages[@]} == 0 )); then
  languages=(nodejs python go)
  if command -v pulumi-language-dotnet >/dev/null 2>&1; then languages+=(dotnet); fi
fi
for language in "${languages[@]}"; do
  if [[ "$language" == dotnet ]] && ! command -v pulumi-language-dotnet >/dev/null 2>&1; then
    echo "gen-sdk: no pulumi-language-dotnet on PATH: the C# SDK needs the official .NET language host (see docs/native-provider.md, section SDKs)" >&2
    exit 1
  fi
  pulumi package gen-sdk "$schema" --language "$language" --out "$out" --non-interactive
  if [[ "$language" == go ]]; then
    # A Go module, as committed under sdk/go (scripts/gen-go-sdk.sh): gen-sdk writes packages only. go.mod and go.sum
    # are test/fixtures/go-program's (built against the pinned Go SDK) with the SDK's module path: the schema's
    # importBasePath less its last element.
    sed "s#^module .*#module github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go#" "$repo_root/test/fixtures/go-program/go.mod" > "$out/go/go.mod"
    cp "$repo_root/test/fixtures/go-program/go.sum" "$out/go/go.sum"
  fi
done
