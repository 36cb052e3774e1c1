#!/usr/bin/env bash
# migrate verify and keygen on the command line: usage errors exit 2, an
# unreadable manifest exits 1, and a hostile manifest (a FIFO or a directory
# as an output, control characters in names, wrong types, bad hashes, an
# unset variable in the source dir, a mangled signature file) gives FAILED
# lines and exit 3 without hanging or crashing. Needs no server.
set -euo pipefail
source "$TOP/tests/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

# ---- usage
assert_exit 2 "$M" verify
assert_contains "$(cat "$SCRATCH/err")" "name a manifest" "verify without a manifest"
assert_exit 2 "$M" verify a.json b.json
assert_exit 2 "$M" verify a.json --frobnicate
assert_exit 2 "$M" verify a.json --pubkey
assert_exit 2 "$M" keygen
assert_exit 2 "$M" keygen --alg rsa --out x
assert_contains "$(cat "$SCRATCH/err")" "give --alg ed25519 or --alg sm2" "keygen: unknown algorithm"
assert_exit 2 "$M" keygen --alg ed25519
assert_contains "$(cat "$SCRATCH/err")" "give --out PREFIX" "keygen: no --out"
[[ ! -e x.key ]] || die "a refused keygen wrote a key"
assert_exit 1 "$M" keygen --alg ed25519 --out no/such/dir/k
[[ ! -e no ]] || die "keygen created directories"

# ---- unreadable manifests: exit 1
assert_exit 1 "$M" verify missing.json
assert_contains "$(cat "$SCRATCH/err")" "cannot open 'missing.json'" "missing manifest"
printf '{"format": "hotline-migrate manifest 1", ' >broken.json
assert_exit 1 "$M" verify broken.json
assert_contains "$(cat "$SCRATCH/err")" "manifest 'broken.json' is not JSON" "truncated manifest"
printf '{"format":"something else","run":{"id":1}}' >other.json
assert_exit 1 "$M" verify other.json
assert_contains "$(cat "$SCRATCH/err")" "is not a run manifest" "another JSON document"
printf '{"format":"hotline-migrate manifest 1","run":{"id":"one"}}' >noid.json
assert_exit 1 "$M" verify noid.json
assert_contains "$(cat "$SCRATCH/err")" "names no run" "run id not a number"
printf '{"format":"hotline-migrate manifest 1","format":"x","run":{"id":1}}' >dup.json
assert_exit 1 "$M" verify dup.json
mkdir adir.json
assert_exit 1 "$M" verify adir.json
assert_contains "$(cat "$SCRATCH/err")" "not a regular file" "a directory as the manifest"

# ---- a hostile manifest: every entry wrong in its own way
z=$(printf '0%.0s' {1..64})
h=$(printf 'abc' | sha256sum | cut -c1-64)
mkdir -p h
printf 'abc' >h/good.txt
mkfifo h/fifo
mkdir h/subdir
esc=$(printf 'evil\033[31mred')
printf 'abc' >"h/$esc"
cat >h/manifest-5.json <<JSON
{"format":"hotline-migrate manifest 1","run":{"id":5,"system":"t\u0007x"},
 "signature":null,"previous":{"run":"four","sha256":"$z"},
 "outputs":[{"path":"good.txt","sha256":"$h"},{"path":"fifo","sha256":"$h"},{"path":"subdir","sha256":"$h"},
  {"path":"evil\u001b[31mred","sha256":"$z"},{"path":"good.txt","sha256":"not-hex"},{"sha256":"$h"},{"path":"gone.txt","sha256":"$h"}],
 "playbook":{"path":"nowhere.yaml","sha256":"$h"},
 "tables":"not a list",
 "source":{"driver":"csv","dir":"\${T0624_SURELY_UNSET_VARIABLE}/in"},
 "inputs":[{"table":"t","name":"a.csv","sha256":"$h"},{"table":"t"},{"table":"t","name":"x.zip!m.csv","sha256":"$h"},
  {"table":"db","source_recount":{"rows":12,"total":"345"}}]}
JSON
unset T0624_SURELY_UNSET_VARIABLE
assert_exit 3 timeout 60 "$M" verify h/manifest-5.json
out=$(cat "$SCRATCH/out")
assert_contains "$out" "run 5 of system t\\x07x" "control characters printed as \\xHH"
assert_contains "$out" "output good.txt: ok" "a good output"
assert_contains "$out" "output fifo: FAILED: 'h/fifo' is not a regular file" "a FIFO is not opened for reading"
assert_contains "$out" "output subdir: FAILED: 'h/subdir' is not a regular file" "a directory"
assert_contains "$out" "output evil\\x1B[31mred: FAILED: 'h/evil\\x1B[31mred' has sha256 ${h:0:12}, the manifest says 000000000000" "escape sequences"
assert_contains "$out" "output good.txt: FAILED: the manifest records no valid sha256 for it" "not a hash"
assert_contains "$out" "output: FAILED: entry 6 names no path" "no path"
assert_contains "$out" "output gone.txt: FAILED: 'h/gone.txt' is missing" "missing output"
assert_contains "$out" "chain: run 5: FAILED: its 'previous' is not {\"run\": N, \"sha256\": hex}" "malformed link"
assert_contains "$out" "playbook nowhere.yaml: not checked (not found under --base '.')" "playbook elsewhere"
assert_contains "$out" "tables: FAILED: the manifest has no list of mapping tables" "tables not a list"
assert_contains "$out" "input a.csv: not checked (the source dir names environment variable T0624_SURELY_UNSET_VARIABLE, which is not set)" "unset variable"
assert_contains "$out" "input: FAILED: entry 2 names neither a file nor a recount" "empty input"
assert_contains "$out" "input db: not checked (a database table: 12 rows, content total 345 at the source" "database input"
assert_contains "$out" "signature: not checked (the manifest is not signed)" "unsigned"
if grep -q $'\033' "$SCRATCH/out"; then die "an escape character reached the terminal"; fi
# the variable set: inputs are looked up there; a member of an unlisted archive is not checked
mkdir -p in
printf 'abc' >in/a.csv
T0624_SURELY_UNSET_VARIABLE=. assert_exit 3 timeout 60 "$M" verify h/manifest-5.json
out=$(cat "$SCRATCH/out")
assert_contains "$out" "input a.csv: ok" "input found through the expanded dir"
assert_contains "$out" "input x.zip!m.csv: not checked (an archive member whose archive the manifest does not list)" "member"

# ---- archive members are covered by their archive's hash
printf 'zipbytes' >in/x.zip
zh=$(sha256sum in/x.zip | cut -c1-64)
cat >h/manifest-6.json <<JSON
{"format":"hotline-migrate manifest 1","run":{"id":6,"system":"t"},"signature":null,"previous":null,
 "outputs":[],"playbook":{"path":"h/manifest-6.json","sha256":"$z"},"tables":[],"source":{"driver":"archive","dir":"../in"},
 "inputs":[{"table":"*.zip","name":"x.zip!a!b.csv","sha256":"$z"},{"table":"*.zip","name":"x.zip","sha256":"$zh"}]}
JSON
assert_exit 3 "$M" verify h/manifest-6.json
out=$(cat "$SCRATCH/out")
assert_contains "$out" "input x.zip: ok" "the archive"
assert_contains "$out" "input x.zip!a!b.csv: ok (inside x.zip, which matches)" "a member covered by its archive"
printf 'changed' >in/x.zip
assert_exit 3 "$M" verify h/manifest-6.json
out=$(cat "$SCRATCH/out")
assert_contains "$out" "input x.zip: FAILED" "a changed archive"
assert_contains "$out" "input x.zip!a!b.csv: not checked (inside x.zip, which differs)" "its member"

# ---- hostile signature files
printf 'algorithm: ed25519\n' >h/manifest-5.sig
assert_exit 3 "$M" verify h/manifest-5.json
assert_contains "$(cat "$SCRATCH/out")" "signature: FAILED: 'h/manifest-5.sig' is malformed: it lacks" "truncated .sig"
head -c 100000 /dev/zero >h/manifest-5.sig
assert_exit 3 "$M" verify h/manifest-5.json
assert_contains "$(cat "$SCRATCH/out")" "signature: FAILED: 'h/manifest-5.sig' is malformed" "an oversized .sig"
rm h/manifest-5.sig
mkfifo h/manifest-5.sig
assert_exit 3 timeout 60 "$M" verify h/manifest-5.json
assert_contains "$(cat "$SCRATCH/out")" "is not a regular file" "a FIFO as .sig"
rm h/manifest-5.sig

# ---- keys: a public key that is not one; keygen writes 0600 and never overwrites
printf 'not a key\n' >bad.pub
assert_exit 3 "$M" verify h/manifest-6.json --pubkey bad.pub
assert_contains "$(cat "$SCRATCH/out")" "signature: FAILED: cannot read the public key 'bad.pub'" "bad public key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.key 2>/dev/null
openssl pkey -in p256.key -pubout -out p256.pub
assert_exit 3 "$M" verify h/manifest-6.json --pubkey p256.pub
assert_contains "$(cat "$SCRATCH/out")" "the public key 'p256.pub' is not an Ed25519 or SM2 key (it is EC)" "a P-256 key"
(umask 0 && "$M" keygen --alg ed25519 --out open >/dev/null)
assert_eq 600 "$(stat -c %a open.key)" "0600 even under umask 0"
echo ok
