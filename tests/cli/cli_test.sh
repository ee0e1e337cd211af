#!/bin/sh
# CLI tests: run `plex` and compare stdout, stderr and the exit code.
# usage: cli_test.sh PLEX_BINARY SOURCE_DIR
set -u
plex=$1
src=$2
fx=$src/tests/fixtures
golden=$src/tests/cli/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# expect NAME EXIT_CODE STDOUT_FILE|- STDERR_PATTERN|- -- ARGS...  (stdin from $STDIN if set)
expect() {
    name=$1 code=$2 out=$3 errpat=$4
    shift 5
    if [ -n "${STDIN:-}" ]; then
        printf '%s' "$STDIN" | "$plex" "$@" >"$tmp/out" 2>"$tmp/err"
    else
        "$plex" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    fi
    got=$?
    ok=1
    if [ "$got" != "$code" ]; then
        echo "FAIL $name: exit $got, expected $code"; ok=0
    fi
    if [ "$out" != "-" ] && ! cmp -s "$tmp/out" "$out"; then
        echo "FAIL $name: stdout differs from $out"; diff "$out" "$tmp/out" | head -5; ok=0
    fi
    if [ "$errpat" != "-" ] && ! grep -q -- "$errpat" "$tmp/err"; then
        echo "FAIL $name: stderr lacks '$errpat':"; cat "$tmp/err"; ok=0
    fi
    if [ "$errpat" = "-" ] && [ -s "$tmp/err" ]; then
        echo "FAIL $name: unexpected stderr:"; cat "$tmp/err"; ok=0
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

expect seed-file 0 "$golden/pin_decode_seed.out" - -- pin decode "$fx/pin/seed.json"
expect seed-strict 0 "$golden/pin_decode_seed.out" - -- pin decode --strict "$fx/pin/seed.json"
STDIN=$(cat "$fx/pin/seed.json") expect seed-stdin 0 "$golden/pin_decode_seed.out" - -- pin decode
STDIN=$(cat "$fx/pin/seed.json") expect seed-dash 0 "$golden/pin_decode_seed.out" - -- pin decode -
# re-decoding the output gives the same bytes
expect idempotent 0 "$golden/pin_decode_seed.out" - -- pin decode "$golden/pin_decode_seed.out"
expect older-tolerant 0 "$golden/pin_decode_older.out" "warning: missing required field(s): qr" -- \
    pin decode "$fx/pin/older_capture_subset.json"
expect older-strict 65 /dev/null "missing required fields: qr, location.continent_code" -- \
    pin decode --strict "$fx/pin/older_capture_subset.json"
STDIN='{"id":1,' expect syntax 65 /dev/null "^plex: syntax error at byte 8: unexpected end of input" -- pin decode
STDIN='{"id":1,
"code": x}' expect syntax-line 65 /dev/null "syntax error at byte 17: unexpected character, expected a value (line 2, column 9)" -- pin decode
STDIN='{"location":{"city":5}}' expect shape 65 /dev/null "^plex: location.city: expected string, got number$" -- pin decode
STDIN='' expect empty 65 /dev/null "syntax error at byte 0: empty input" -- pin decode
expect no-file 1 /dev/null "no-such-file.json: No such file or directory" -- pin decode "$tmp/no-such-file.json"
expect bad-option 2 /dev/null "unknown option: --bogus" -- pin decode --bogus
expect extra-arg 2 /dev/null "unexpected argument: b" -- pin decode a b
expect unknown-command 2 /dev/null "unknown command: frobnicate" -- frobnicate
expect no-command 2 /dev/null "usage: plex" --
expect help 0 - - -- --help
grep -q "pin decode" "$tmp/out" || { echo "FAIL help: no 'pin decode'"; fail=$((fail + 1)); }
grep -q "65   malformed data" "$tmp/out" || { echo "FAIL help: no exit codes"; fail=$((fail + 1)); }
expect cmd-help 0 - - -- pin decode --help
grep -q "usage: plex pin decode \[--strict\] \[FILE|-\]" "$tmp/out" || { echo "FAIL cmd-help"; fail=$((fail + 1)); }
expect version 0 - - -- --version
grep -q "^plex [0-9]*\.[0-9]*\.[0-9]* (libplex " "$tmp/out" || { echo "FAIL version"; fail=$((fail + 1)); }

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
