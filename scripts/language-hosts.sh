#!/usr/bin/env bash
# Prints the absolute path of a directory containing the YAML, Go and Python language hosts, `pulumi-language-yaml`,
# `pulumi-language-go` and `pulumi-language-python`, and nothing else on stdout (progress and errors go to stderr).
# With --codegen, prints instead the directory of the SDK generators `pulumi-language-nodejs` and `pulumi-language-python`, which serve only
# `pulumi package gen-sdk` (they cannot run programs: put that directory first on PATH for gen-sdk only).
#
# Usage:  PATH="$(scripts/language-hosts.sh):$(scripts/pulumi-cli.sh):$PATH" pulumi up     (a YAML, Go or Python program)
#         PATH="$(scripts/language-hosts.sh --codegen):$(scripts/language-hosts.sh):$PATH" pulumi package gen-sdk ...
#
# Resolution order:
#   1. $PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN (and, for --codegen, $PULUMI_SEAM_ACS_CODEGEN_BIN), if set: e.g. the bin
#      directory of an official Pulumi install, which has all these hosts next to `pulumi`.
#   2. Built from Go modules and cached like the pinned CLI (scripts/pulumi-cli.sh), in an entry of its own so that
#      the CLI's entry is never rebuilt for it:
#      ${PULUMI_SEAM_ACS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-seam-acs}/language-hosts/<versions>-<hash>/
#        bin/pulumi-language-yaml     github.com/pulumi/pulumi-yaml (tools/language-hosts/yaml/go.mod pins it)
#        bin/pulumi-language-go       tools/language-hosts/language-go, against the CLI's pinned SDK
#        bin/pulumi-language-python   tools/language-hosts/language-python, likewise
#        codegen/pulumi-language-{nodejs,python}   tools/language-hosts/language-codegen
#      The hash covers every input of the build; the first build takes a few minutes, later calls return at once.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
tools_dir="$repo_root/tools/language-hosts"

cache_log_prefix=language-hosts
# shellcheck source=lib/go-build-cache.sh
source "$repo_root/scripts/lib/go-build-cache.sh"

want=bin
case "${1:-}" in
  "") ;;
  --codegen) want=codegen ;;
  *) log "usage: $0 [--codegen]"; exit 2 ;;
esac

# 1. Explicit override.
if [[ -n "${PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN:-}" ]]; then
  dir="$PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN"
  if [[ "$want" == codegen ]]; then dir="${PULUMI_SEAM_ACS_CODEGEN_BIN:-$dir}"; fi
  dir="$(cd "$dir" 2>/dev/null && pwd -P)" || { log "$dir is not a directory"; exit 1; }
  printf '%s\n' "$dir"
  exit 0
fi

# 2. Build (or reuse) the cached hosts.
modversion() { awk -v m="$1" '$1 == m { print $2; exit } $2 == m { print $3; exit }' "$2"; }
yaml_version="$(modversion github.com/pulumi/pulumi-yaml "$tools_dir/yaml/go.mod")"
sdk_version="$(modversion github.com/pulumi/pulumi/sdk/v3 "$tools_dir/go.mod")"
[[ -n "$yaml_version" && -n "$sdk_version" ]] || { log "cannot read the pinned versions from $tools_dir/go.mod and yaml/go.mod"; exit 1; }

# Bump layout when this script changes what it puts into the cache.
layout=1
hash="$(inputs_hash "$tools_dir" "$layout" go.mod go.sum 'internal/hostutil/*.go' 'language-go/*.go' \
  'language-codegen/*.go' 'language-python/*.go' 'language-python/*.py' yaml/go.mod yaml/go.sum)"
name="yaml-$yaml_version-go-$sdk_version-$hash"
final="$cache_root/language-hosts/$name"

complete() {
  [[ -x "$1/bin/pulumi-language-yaml" && -x "$1/bin/pulumi-language-go" && -x "$1/bin/pulumi-language-python" \
    && -x "$1/codegen/pulumi-language-nodejs" && -x "$1/codegen/pulumi-language-python" ]]
}

if complete "$final"; then
  printf '%s\n' "$final/$want"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "Go is not installed, so the language hosts cannot be built."; exit 1; }

begin_build "$cache_root/language-hosts" "$name"
mkdir -p "$tmp/bin" "$tmp/codegen"

log "building the YAML, Go and Python language hosts into $final (first time only; a few minutes on 2 cores)"
# -mod=readonly: never rewrite the committed go.mod/go.sum, fail instead.
run_step "downloading Go modules (YAML host)" "$tools_dir/yaml" go mod download
run_step "building pulumi-language-yaml $yaml_version" "$tools_dir/yaml" \
  go build -mod=readonly -trimpath -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$yaml_version" \
  -v -o "$tmp/bin/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
sdk_ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$sdk_version"
run_step "downloading Go modules (Go and Python hosts, SDK generators)" "$tools_dir" go mod download
run_step "building pulumi-language-go" "$tools_dir" \
  go build -mod=readonly -trimpath -ldflags "$sdk_ldflags" -v -o "$tmp/bin/pulumi-language-go" ./language-go
run_step "building pulumi-language-python" "$tools_dir" \
  go build -mod=readonly -trimpath -ldflags "$sdk_ldflags" -v -o "$tmp/bin/pulumi-language-python" ./language-python
run_step "building the SDK generators" "$tools_dir" \
  go build -mod=readonly -trimpath -ldflags "$sdk_ldflags" -v -o "$tmp/codegen/pulumi-language-nodejs" ./language-codegen
# One binary, two names: it picks the language from the name it was started under.
ln "$tmp/codegen/pulumi-language-nodejs" "$tmp/codegen/pulumi-language-python"

publish_build "$final" complete
printf '%s\n' "$final/$want"
