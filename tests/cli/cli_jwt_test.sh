#!/bin/bash
# CLI tests of JWT device authentication against plexsim on 127.0.0.1:
# plex login --jwt (the device key beside the token, 0600), whoami showing
# the JWT's expiry, plex token refresh, the automatic refresh of a JWT near
# or past its expiry, plex token upgrade from a legacy token, and the
# errors (a key file others can read, refresh without a key, 429); and a
# Plex JWT signed RS256 (plexsim --jwt-alg RS256) verified by whoami.
#
# usage: cli_jwt_test.sh PLEX PLEXSIM
set -u
plex=$1
plexsim=$2
tmp=$(mktemp -d)
sim_pids=()
pass=0
fail=0

cleanup() {
    for p in "${sim_pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

unset PLEX_TOKEN PLEX_BASE_URL PLEX_CONFIG_DIR XDG_CONFIG_HOME PLEX_LOG_SECRETS NO_COLOR
export HOME=$tmp/home
mkdir -p "$HOME"

ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}
show() {
    echo "--- stdout:"; head -c 2000 "$tmp/out"; echo "--- stderr:"; head -c 2000 "$tmp/err"
}

start_sim() {
    local name=$1 u=
    shift
    "$plexsim" --port 0 --quiet --max-seconds 600 "$@" >"$tmp/sim_$name.out" 2>"$tmp/sim_$name.err" &
    sim_pids+=($!)
    for _ in $(seq 200); do
        u=$(sed -n 's/^LISTENING //p' "$tmp/sim_$name.out" | head -1)
        [ -n "$u" ] && break
        sleep 0.05
    done
    if [ -z "$u" ]; then
        echo "plexsim $name did not start:"; cat "$tmp/sim_$name.err"; exit 1
    fi
    printf -v "url_$name" '%s' "$u"
}

run() {
    local name=$1 code=$2 got
    shift 3
    timeout 60 "$plex" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    cur=$name
    if [ "$got" != "$code" ]; then
        bad "$name: exit $got, expected $code"; show
    else
        ok
    fi
}
out_has() { if grep -Eq -- "$1" "$tmp/out"; then ok; else bad "$cur: stdout lacks /$1/"; show; fi; }
out_lacks() { if grep -Eq -- "$1" "$tmp/out"; then bad "$cur: stdout has /$1/"; show; else ok; fi; }
err_has() { if grep -Eq -- "$1" "$tmp/err"; then ok; else bad "$cur: stderr lacks /$1/"; show; fi; }
err_lacks() { if grep -Fq -- "$1" "$tmp/err"; then bad "$cur: stderr has '$1'"; show; else ok; fi; }
mode_is() {
    local m
    m=$(stat -c %a "$1" 2>/dev/null)
    if [ "$m" = "$2" ]; then ok; else bad "$cur: $1 has mode '$m', expected $2"; fi
}
token_of() { sed -n 's/^token=//p' "$1/token"; }
# The decoded header of a JWT.
jwt_header() {
    local h=${1%%.*}
    h=$(printf '%s' "$h" | tr '_-' '/+')
    while [ $((${#h} % 4)) != 0 ]; do h="$h="; done
    printf '%s' "$h" | base64 -d 2>/dev/null
}

# JWTs live 90 s here: within a day of expiry from the start, so every
# command that uses the saved token refreshes it first.
start_sim auto --approve-after 2 --jwt-ttl 90
start_sim short --approve-after 2 --jwt-ttl 2
start_sim rl --approve-after 2 --fault "GET /api/v2/auth/nonce=429*5"
start_sim nokeys --approve-after 2 --fault "GET /api/v2/auth/keys=500*20"
start_sim rs --approve-after 2 --jwt-alg RS256

# ---- plex login --jwt ----
cfg=$tmp/cfg
run login-jwt 0 -- --base-url "$url_auto" --config-dir "$cfg" login --jwt --poll-interval 0.1 --no-qr
out_has '^To sign in, open https://app\.plex\.tv/auth#\?clientID='
out_has '^Signed in as plexsim'
mode_is "$cfg/jwt-key.pem" 600
mode_is "$cfg/token" 600
if grep -q 'BEGIN PRIVATE KEY' "$cfg/jwt-key.pem"; then ok; else bad "login-jwt: no PEM key"; fi
t1=$(token_of "$cfg")
if [[ "$t1" =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]]; then ok; else bad "login-jwt: token is not a JWT"; fi
key1=$(md5sum <"$cfg/jwt-key.pem")

# whoami shows the expiry (and refreshed the near-expiry JWT first)
run whoami-jwt 0 -- --config-dir "$cfg" whoami
out_has '^user: +plexsim$'
out_has '^JWT expires: [0-9]{4}-[0-9]{2}-[0-9]{2}T'
t2=$(token_of "$cfg")
if [ "$t1" != "$t2" ]; then ok; else bad "whoami-jwt: the near-expiry JWT was not refreshed"; fi
out_has "^JWT expires: .* \\(signature verified with plex.tv's keys\\)$"
run whoami-jwt-json 0 -- --config-dir "$cfg" --json whoami
out_has '"token_expires":"[0-9]{4}-'
out_has '"token_verified":true'
# plex.tv's keys are cached per base URL (0600), and fetched again when the
# cache does not verify (rotated keys, another server, damage)
mode_is "$cfg/plex-keys.json" 600
if [ "$(head -1 "$cfg/plex-keys.json")" = "$url_auto" ]; then ok; else bad "jwks cache: first line is not the base URL"; fi
if grep -q '"keys"' "$cfg/plex-keys.json"; then ok; else bad "jwks cache: no keys"; fi
run whoami-cached 0 -- -v --config-dir "$cfg" whoami
err_lacks "GET /api/v2/auth/keys"
printf '%s\n{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"old","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}' "$url_auto" >"$cfg/plex-keys.json"
run whoami-rotated 0 -- -v --config-dir "$cfg" whoami
out_has "signature verified"
err_has "GET /api/v2/auth/keys"
if grep -q '"kid":"old"' "$cfg/plex-keys.json"; then bad "jwks cache: not replaced"; else ok; fi
printf 'garbage' >"$cfg/plex-keys.json"
run whoami-damaged-cache 0 -- --config-dir "$cfg" whoami
out_has "signature verified"

# plex token refresh
run token-refresh 0 -- --config-dir "$cfg" token refresh
out_has '^Refreshed: the saved token is now a JWT that expires at [0-9]{4}-'
t3=$(token_of "$cfg")
if [ "$t3" != "$t2" ]; then ok; else bad "token-refresh: token unchanged"; fi
mode_is "$cfg/token" 600
run token-refresh-json 0 -- --config-dir "$cfg" --json token refresh
out_has '"event":"refreshed"'
# the key is made once per installation
run login-jwt-again 0 -- --base-url "$url_auto" --config-dir "$cfg" login --jwt --poll-interval 0.1 --no-qr
key2=$(md5sum <"$cfg/jwt-key.pem")
if [ "$key1" = "$key2" ]; then ok; else bad "login-jwt-again: the device key changed"; fi
# nothing secret on stderr with -v
run verbose-refresh 0 -- -v --config-dir "$cfg" token refresh
err_lacks "$(token_of "$cfg")"
err_lacks "deviceJWT"
err_lacks "eyJ"

# ---- a JWT that already expired is refreshed by itself ----
cfgs=$tmp/cfgs
run login-short 0 -- --base-url "$url_short" --config-dir "$cfgs" login --jwt --poll-interval 0.1 --no-qr
sleep 3
run whoami-expired 0 -- --config-dir "$cfgs" whoami
out_has '^user: +plexsim$'
# refresh without the key
rm -f "$cfgs/jwt-key.pem"
sleep 3
run refresh-no-key 77 -- --config-dir "$cfgs" token refresh
err_has 'no device key'

# ---- a key file others can read is refused ----
chmod 644 "$cfg/jwt-key.pem"
run key-open 1 -- --config-dir "$cfg" token refresh
err_has 'can be read or changed by other users'
chmod 600 "$cfg/jwt-key.pem"

# ---- plex token upgrade from a legacy token ----
cfgl=$tmp/cfgl
run login-legacy 0 -- --base-url "$url_auto" --config-dir "$cfgl" login --poll-interval 0.1 --no-qr
legacy=$(token_of "$cfgl")
run refresh-legacy 2 -- --config-dir "$cfgl" token refresh
err_has "legacy token"
run upgrade 0 -- --config-dir "$cfgl" token upgrade
out_has '^Upgraded: the saved token is now a JWT that expires at'
mode_is "$cfgl/jwt-key.pem" 600
up=$(token_of "$cfgl")
if [ "$up" != "$legacy" ]; then ok; else bad "upgrade: token unchanged"; fi
run whoami-upgraded 0 -- --config-dir "$cfgl" whoami
out_has '^JWT expires: '
run upgrade-again 2 -- --config-dir "$cfgl" token upgrade
err_has 'already a JWT'
# the legacy token stopped working
PLEX_TOKEN=$legacy run legacy-dead 77 -- --base-url "$url_auto" --config-dir "$tmp/x" whoami
# upgrade/refresh work on the saved token, not PLEX_TOKEN
PLEX_TOKEN=$up run upgrade-env 2 -- --config-dir "$cfgl" token upgrade
err_has 'unset PLEX_TOKEN'

# ---- 429 from the nonce endpoint ----
cfgr=$tmp/cfgr
run login-rl 0 -- --base-url "$url_rl" --config-dir "$cfgr" login --jwt --poll-interval 0.1 --no-qr
run refresh-rl 75 -- --config-dir "$cfgr" token refresh
err_has '^plex: token refresh failed'

# ---- plex.tv's keys unreachable: the JWT is saved with a warning ----
cfgk=$tmp/cfgk
run login-nokeys 0 -- --base-url "$url_nokeys" --config-dir "$cfgk" login --jwt --poll-interval 0.1 --no-qr
err_has "the JWT could not be verified .*saving it anyway"
out_has '^Signed in as plexsim'
mode_is "$cfgk/token" 600
run whoami-nokeys 0 -- --config-dir "$cfgk" whoami
out_has "^JWT expires: .* \\(signature NOT verified\\)$"

# ---- a Plex JWT signed RS256 (an RSA key at /api/v2/auth/keys) ----
cfgrs=$tmp/cfgrs
run login-rs256 0 -- --base-url "$url_rs" --config-dir "$cfgrs" login --jwt --poll-interval 0.1 --no-qr
out_has '^Signed in as plexsim'
err_lacks "could not be verified"
hdr=$(jwt_header "$(token_of "$cfgrs")")
if [[ "$hdr" == *'"alg":"RS256"'* ]]; then ok; else bad "login-rs256: JWT header is '$hdr'"; fi
run whoami-rs256 0 -- --config-dir "$cfgrs" whoami
out_has "^JWT expires: .* \\(signature verified with plex.tv's keys\\)$"
if grep -q '"kty":"RSA"' "$cfgrs/plex-keys.json"; then ok; else bad "whoami-rs256: no RSA key cached"; fi
run whoami-rs256-json 0 -- --config-dir "$cfgrs" --json whoami
out_has '"token_verified":true'

# ---- help ----
run upgrade-help 0 -- token upgrade --help
out_has 'legacy token'
run token-still-prints 0 -- --config-dir "$cfg" token
out_has '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
