#!/usr/bin/env bash
# Regenerates the Go SDK committed under sdk/go (a Go module, so `go get` of a release tag works, as for Pulumi's
# own providers) from src/native/schema.json: `pulumi package gen-sdk --language go` through scripts/gen-sdk.sh,
# which adds the module's go.mod and go.sum. test/sdk-go-committed.test.ts fails when sdk/go differs
# from what this writes: run it after every change to the schema.
#
# Usage:  npm run gen-go-sdk [-- --out DIR]     (DIR defaults to sdk/go in the repository; replaced whole)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
out="$repo_root/sdk/go"
while (( $# > 0 )); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "gen-go-sdk: unknown argument $1 (usage: gen-go-sdk [--out DIR])" >&2; exit 2 ;;
  esac
done
module="github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash "$repo_root/scripts/gen-sdk.sh" --out "$tmp" go   # with go.mod and go.sum
grep -q "^module $module\$" "$tmp/go/go.mod" || { echo "gen-go-sdk: gen-sdk wrote no go.mod for $module" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -R "$tmp/go" "$out"
