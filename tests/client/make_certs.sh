#!/bin/sh
# Make a test CA, a server certificate signed by it for 127.0.0.1, 127.0.0.2,
# 127.0.0.3, localhost and plexsim's plex.direct names
# (*.3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c.plex.direct, SIM_PLEX_DIRECT_HASH in
# src/sim/sim.h), and a second, unrelated CA (for the "wrong CA" test).
# usage: make_certs.sh DIR
set -eu
d=$1
hash=3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c
mkdir -p "$d"
cd "$d"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=libplex test CA" \
    -keyout ca.key -out ca.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" \
    -keyout other-ca.key -out other-ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3,DNS:localhost,DNS:*.%s.plex.direct\nbasicConstraints=CA:FALSE\n' \
    "$hash" > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile ext.cnf -out server.pem 2>/dev/null
echo "certificates in $d"
