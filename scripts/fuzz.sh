#!/usr/bin/env bash
# Coverage-guided fuzzing of the pure core with libFuzzer, on stable Rust (fuzz/: the targets, their seed
# corpus and dictionaries). Builds the targets instrumented (release, overflow checks and debug assertions
# on), runs each one in turn for a bounded time, and prints per target: executions, exec/s, coverage
# (libFuzzer's `cov`: edges of the instrumented code reached, `ft`: features) and corpus entries.
# A crash, hang (> 10 s on one input) or out-of-memory fails the run: it prints the input's file and how to
# turn it into a case of the shared corpus (tests/fixtures/cases.json), which both engines then run.
#
# Usage: bash scripts/fuzz.sh [--seconds N] [TARGET...]   each target for N seconds (default:
#                                                          FUZZ_TARGET_SECONDS, else 60); targets:
#                                                          normalise signature_header (the default),
#                                                          json_differential
#        bash scripts/fuzz.sh --seeds                      rewrite fuzz/corpus/ from tests/fixtures (php)
#        bash scripts/fuzz.sh --case FILE [TARGET]         print a crash file as a cases.json case
# The working corpus lives in ${SC_RUN_DIR:-.run}/fuzz (not in git) and grows from run to run; the
# committed seeds are only read. FUZZ_JOBS (default 2) caps the build's jobs; one fuzzer runs at a time.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# The targets of a run unless it names others; json_differential is run by name only (half as fast: see
# fuzz/fuzz_targets/json_differential.rs). It starts from normalise's seeds and dictionary.
targets_default=(normalise signature_header)
targets_all=(normalise signature_header json_differential)
seed_sets=(normalise signature_header)
inputs_of() { if [[ $1 == json_differential ]]; then echo normalise; else echo "$1"; fi; }
# Large enough for every Cal.com body in the corpus (the largest is under 3 KB); larger inputs only slow
# the mutations down. Seeds above it are left out of fuzz/corpus.
max_len=8192
run_dir="$(realpath -m "${SC_RUN_DIR:-$repo/.run}")/fuzz"
build_dir="$repo/target/fuzz"

log() { printf 'fuzz: %s\n' "$*"; }
die() { printf 'fuzz: ERROR: %s\n' "$*" >&2; exit 1; }

# usage: the comment at the top of this file.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 && !/shellcheck/ { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }

# write_seeds DIR: the seed corpus from tests/fixtures into DIR/normalise/ (every payload body and
# cases.json body) and DIR/signature_header/ (every cases.json signature header), emptied first.
# Named after the case, as tests/corpus.rs names its tests. PHP reads the corpus as the PHP suites do.
write_seeds() {
  local dir=$1 set
  for set in "${seed_sets[@]}"; do
    rm -rf "${dir:?}/$set"
    mkdir -p "$dir/$set"
  done
  php -d display_errors=stderr -- "$repo" "$dir" "$max_len" <<'PHP'
<?php
declare(strict_types=1);
require $argv[1] . '/tests/php/Corpus.php';
use SolarCapture\Tests\Corpus;

[, , $out, $max] = $argv;
$slug = static fn (string $s): string => trim((string) preg_replace('/[^a-z0-9]+/', '_', strtolower($s)), '_');
$write = static function (string $target, string $name, string $bytes) use ($out, $max): void {
    if (strlen($bytes) > (int) $max) {
        return;
    }
    $path = "$out/$target/$name";
    for ($n = 2; file_exists($path); $n++) {
        $path = "$out/$target/{$name}_$n";
    }
    file_put_contents($path, $bytes);
};
foreach (Corpus::bodies() as $name => $body) {
    $write('normalise', 'payload-' . str_replace('/', '-', $name), $body);
}
$cases = Corpus::cases();
foreach (['normalize_errors', 'normalize_ok'] as $group) {
    foreach ($cases[$group] as $case) {
        $write('normalise', "$group-" . $slug($case['name']), Corpus::body($case));
    }
}
foreach ($cases['signatures'] as $case) {
    $write('signature_header', 'signatures-' . $slug($case['name']), Corpus::header($case));
}
PHP
}

# print_case FILE [TARGET]: the crash file as a case for tests/fixtures/cases.json, with what to do next.
print_case() {
  local file=$1 target=${2:-} b64 bin case
  [[ -f "$file" ]] || die "no such file: $file"
  # Crash files are written to $run_dir/artifacts/<target>/.
  [[ -n "$target" ]] || target=$(basename "$(dirname "$file")")
  b64=$(base64 -w0 <"$file")
  bin="$build_dir/$host/release/$target"
  case $target in
    normalise | json_differential)
      case='"normalize_errors": {"name": "fuzz: <what it is>", "body_base64": "%s", "code": "<NOT_JSON|NOT_AN_EVENT|'
      case+='CUSTOM_TEMPLATE>"}\n  (or in "normalize_ok" with "expect": {<keys of the event>} instead of "code")' ;;
    signature_header)
      case='"signatures": {"name": "fuzz: <what it is>", "header_base64": "%s", "valid": <true|false>,\n'
      case+='   "problem": <null|"missing"|"no_secret_provided"|"malformed">}' ;;
    *) die "unknown target $target: bash scripts/fuzz.sh --case FILE TARGET" ;;
  esac
  printf '\nThe input, %d bytes (base64): %s\n' "$(wc -c <"$file")" "$b64"
  printf 'Reproduce it (the panic message and backtrace):  %q %q\n' "$bin" "$file"
  printf 'Shrink it (optional):  %q -minimize_crash=1 -max_total_time=60 %q\n' "$bin" "$file"
  printf 'Fix src/core, then add it to tests/fixtures/cases.json with the answer docs/normalisation.md gives,\n'
  printf 'so that both engines run it (cargo test --test corpus, tests/php/EngineTest.php):\n  '
  # shellcheck disable=SC2059 # the case is the format: it holds the base64 once
  printf "$case\n" "$b64"
  printf 'and refresh the seeds (bash scripts/fuzz.sh --seeds), so the fuzzers start from it too.\n'
}

seconds=${FUZZ_TARGET_SECONDS:-60}
mode=fuzz case_file="" targets=()
while (($#)); do
  case $1 in
    --seconds) [[ $# -ge 2 ]] || die "--seconds needs a number"; seconds=$2; shift ;;
    --seconds=*) seconds=${1#--seconds=} ;;
    --seeds) mode=seeds ;;
    --case) [[ $# -ge 2 ]] || die "--case needs a file"; mode=case case_file=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $1 (usage: bash scripts/fuzz.sh --help)" ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "seconds must be a whole number above 0, not '$seconds'"

# Only when missing: a PATH that changes between runs makes cargo rebuild.
case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac
command -v rustc >/dev/null || die "no Rust toolchain (bash scripts/install-deps.sh says how to get one)"
host=$(rustc -vV | sed -n 's/^host: //p')

if [[ $mode == case ]]; then
  print_case "$case_file" "${targets[0]:-}"
  exit 0
fi
((${#targets[@]})) || targets=("${targets_default[@]}")
for t in "${targets[@]}"; do
  [[ -f "fuzz/fuzz_targets/$t.rs" ]] || die "no target $t (targets: ${targets_all[*]})"
done

# need PACKAGE...: installs what fuzzing needs of the project's packages with scripts/install-deps.sh's
# installer (not its whole list); a subshell, as its log and die are not ours.
need() {
  # shellcheck source=install-deps.sh
  (source "$repo/scripts/install-deps.sh" && install_packages "$@")
}
if [[ $mode == seeds ]]; then
  need php8.2-cli
  write_seeds "$repo/fuzz/corpus"
  for set in "${seed_sets[@]}"; do log "fuzz/corpus/$set: $(find "fuzz/corpus/$set" -type f | wc -l) seeds"; done
  exit 0
fi
# clang++ builds libFuzzer.
need clang

# Stable Rust: the coverage instrumentation cargo-fuzz passes, without its nightly-only AddressSanitizer
# (the core forbids unsafe code, so ASan would find little). --target keeps these flags off build
# scripts, which must not be instrumented.
sancov=(
  -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks
)
export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }${sancov[*]}"
# libfuzzer-sys compiles libFuzzer's C++ with the cc crate; one fixed compiler avoids rebuilds.
export CXX=${CXX:-clang++}
log "building ${targets[*]} (release, instrumented; $CXX for libFuzzer)"
build_args=(--release --manifest-path fuzz/Cargo.toml --target "$host" --target-dir "$build_dir" -j "${FUZZ_JOBS:-2}")
for t in "${targets[@]}"; do build_args+=(--bin "$t"); done
cargo build "${build_args[@]}"

# The committed seeds should be what tests/fixtures gives now; stale seeds only fuzz less well.
if command -v php >/dev/null; then
  write_seeds "$run_dir/seeds-now"
  diff -rq "$run_dir/seeds-now" fuzz/corpus >/dev/null ||
    log "WARNING: fuzz/corpus/ differs from tests/fixtures: refresh it with bash scripts/fuzz.sh --seeds"
fi

# last_stat LOG NAME: the last value libFuzzer printed for NAME (cov, ft, corp: `corp: 1380/1234Kb`).
last_stat() { grep -o "$2: [0-9]*[/0-9A-Za-z]*" "$1" | tail -1 | sed "s/^$2: //"; }

summary=() failed=""
for t in "${targets[@]}"; do
  corpus="$run_dir/corpus/$t" artifacts="$run_dir/artifacts/$t" logfile="$run_dir/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$logfile")"
  log "$t for ${seconds}s (log: $logfile)"
  rc=0 started=$SECONDS
  # The working corpus first (new inputs go there), then the committed seeds, only read.
  RUST_BACKTRACE=1 "$build_dir/$host/release/$t" "$corpus" "fuzz/corpus/$(inputs_of "$t")" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -print_final_stats=1 \
    -dict="fuzz/dict/$(inputs_of "$t").dict" -artifact_prefix="$artifacts/" >"$logfile" 2>&1 || rc=$?
  took=$((SECONDS - started))
  edges=$(sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$logfile" | head -1)
  inited_cov=$(grep -m1 'INITED' "$logfile" | grep -o 'cov: [0-9]*' | sed 's/cov: //' || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logfile")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logfile")
  line=$(printf '%-17s %5ss %12s %8s %6s/%-5s %7s %6s  %s' "$t" "$took" "${execs:-?}" "${rate:-?}" \
    "$(last_stat "$logfile" cov)" "${edges:-?}" "${inited_cov:-?}" "$(last_stat "$logfile" ft)" \
    "$(last_stat "$logfile" corp)")
  summary+=("$line")
  if ((rc != 0)); then
    failed+=" $t"
    printf '\nfuzz: %s FAILED (libFuzzer exit %d); the end of its log:\n' "$t" "$rc" >&2
    grep -v '^#' "$logfile" | tail -40 >&2
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logfile" | tail -1)
    if [[ -n "$crash" ]]; then
      printf '\nfuzz: the input that failed: %s\n' "$crash" >&2
      print_case "$crash" "$t" >&2
    fi
  fi
done

echo
{
  printf 'fuzz: %-17s %6s %12s %8s %12s %7s %6s  %s\n' target time executions exec/s cov/edges start ft corpus
  printf 'fuzz: %s\n' "${summary[@]}"
} | tee "$run_dir/summary.txt"
printf 'fuzz: cov: edges reached / instrumented in the target (the core, the target, the crates they use);\n'
printf 'fuzz: start: cov of the corpus at the start (seeds, and the working corpus of earlier runs);\n'
printf 'fuzz: ft: libFuzzer features (edges with hit counts, compared values); corpus: entries/bytes kept\n'
[[ -z "$failed" ]] || die "crash or hang in:$failed (details above; inputs in $run_dir/artifacts)"
log "no crash in ${#targets[@]} target(s)"
