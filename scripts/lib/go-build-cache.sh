# Shared by scripts/pulumi-cli.sh and scripts/language-hosts.sh (sourced, not run): builds Go programs from a
# committed module into a cache entry outside the repository, keyed by a hash of the build's inputs.
#
# The caller sets, before sourcing:
#   cache_log_prefix  the prefix of progress lines on stderr (e.g. "pulumi-cli")
# and may define cache_build_failed (called with no argument after a failed step has shown its log; default: exit 1).
#
# Cache root: ${PULUMI_SEAM_ACS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-seam-acs}. An entry is built in a
# sibling temp directory and renamed into place at the end, so an interrupted build never leaves a half-filled entry.

log() { printf '%s: %s\n' "$cache_log_prefix" "$*" >&2; }

cache_root="${PULUMI_SEAM_ACS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-seam-acs}"

# inputs_hash <dir> <layout> <file glob...>: the first 12 hex digits of the SHA-256 of "layout=<layout>" and each
# named file (relative to dir, in the order given) with a "== <name>" header: the cache key of a build.
inputs_hash() {
  local dir="$1" layout="$2"; shift 2
  (
    cd "$dir"
    { echo "layout=$layout"; LC_ALL=C; for f in $@; do echo "== $f"; cat "$f"; done; } \
      | if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -c1-12
  )
}

# begin_build <kind dir> <entry name>: makes $tmp, a fresh 0755 temp directory next to the entry, removed on exit
# unless publish_build moved it; also removes leftovers of builds killed with SIGKILL (which skips the trap).
ticker="" step="" tmp=""
begin_build() {
  mkdir -p "$1"
  find "$1" -mindepth 1 -maxdepth 1 -name '.build-*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
  tmp="$(mktemp -d "$1/.build-$2.XXXXXX")"
  chmod 0755 "$tmp" # mktemp -d creates 0700; the published entry should look like any other install
  trap build_cleanup EXIT
  trap 'exit 130' INT TERM
  build_start=$SECONDS
}

build_cleanup() {
  if [[ -n "$ticker" ]]; then kill "$ticker" 2>/dev/null || true; fi
  if [[ -n "$step" ]]; then kill "$step" 2>/dev/null || true; wait "$step" 2>/dev/null || true; fi
  if [[ -n "$tmp" ]]; then rm -rf "$tmp"; fi
}

# run_step <description> <work dir> <command...>: runs the command with its stderr in a log, printing a heartbeat
# every 30 s (elapsed time and, for `go build -v`, the number of packages compiled so far). Shows the log tail and
# calls cache_build_failed (or exits 1) on failure.
run_step() {
  local what="$1" workdir="$2"; shift 2
  local out="$tmp/step.log"
  : >"$out"
  log "$what ..."
  # stdout and sleep's stderr go to /dev/null so that a leftover `sleep` never holds a caller's $(...) open.
  (
    while sleep 30 2>/dev/null; do
      log "  ... $what: $((SECONDS - build_start))s elapsed, $(wc -l <"$out" | tr -d ' ') packages/lines so far"
    done
  ) >/dev/null &
  ticker=$!
  local rc=0
  # Run in the background and `wait`, so that a signal to this script runs the cleanup trap at once (bash defers
  # traps until a foreground child exits) and the trap can stop the build.
  (cd "$workdir" && exec "$@") 2>"$out" >&2 &
  step=$!
  wait "$step" || rc=$?
  step=""
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  ticker=""
  if (( rc != 0 )); then
    log "$what failed (exit $rc); last lines:"
    tail -n 40 "$out" >&2
    if declare -F cache_build_failed >/dev/null; then cache_build_failed; fi
    exit 1
  fi
}

# publish_build <final entry> <completeness check function>: atomic rename(2) of $tmp to the entry. If a
# concurrent run won the race, keeps theirs.
publish_build() {
  local final="$1" complete="$2"
  rm -f "$tmp/step.log"
  if ! "$complete" "$final"; then
    rm -rf "$final" # an incomplete entry can only come from manual tampering
    if mv --version >/dev/null 2>&1; then mv -T "$tmp" "$final" 2>/dev/null || true; else mv "$tmp" "$final" 2>/dev/null || true; fi
    "$complete" "$final" || { log "could not move $tmp to $final"; exit 1; }
  fi
  log "done in $((SECONDS - build_start))s"
}
