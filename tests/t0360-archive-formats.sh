#!/usr/bin/env bash
# archive driver: CSV members of zip, tar, tar.gz/.bz2/.xz/.zst and 7z
# archives, streamed; members in archive order, archives in name order;
# `members` glob; directories, symbolic and hard links and non-matching
# members skipped; keys "<archive>!<member>#<record>".
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
need_csv
need zip tar gzip bzip2 xz zstd 7z

mkdir -p src/sub exports
printf 'id,text\n1,alpha\n2,"be,ta"\n' >src/b.csv
printf 'id,text\n3,\xc4\xe3\xba\xc3\n' >src/a.csv
printf 'id,text\n4,deep\n' >src/sub/c.csv
printf 'not a csv member\n' >src/readme.txt
ln -s b.csv src/link.csv
ln src/a.csv src/hard.csv
(
  cd src
  zip -q -y ../exports/1.zip b.csv a.csv readme.txt link.csv sub sub/c.csv
  tar -cf ../exports/2.tar b.csv a.csv hard.csv link.csv sub
  tar -czf ../exports/3.tar.gz b.csv a.csv
  tar -cjf ../exports/4.tar.bz2 b.csv
  tar -cJf ../exports/5.tar.xz a.csv
  tar --zstd -cf ../exports/6.tar.zst sub/c.csv
  7z a -bd -snl ../exports/7.7z b.csv a.csv link.csv sub >/dev/null
  gzip -c b.csv >../exports/8.csv.gz
  xz -c a.csv >../exports/9.csv.xz
)
playbook pb.yaml "exports/*" '    members: "*.csv"'
# nothing is unpacked: no file appears beside the archives
before=$(find . | sort)
"$MIGRATE" check pb.yaml >/dev/null || die "check: $("$MIGRATE" check pb.yaml 2>&1)"
peek pb.yaml >out
cat >want <<'EOF'
#key	id	text
exports/1.zip!b.csv#1	1	alpha
exports/1.zip!b.csv#2	2	be,ta
exports/1.zip!a.csv#1	3	\xc4\xe3\xba\xc3
exports/1.zip!sub/c.csv#1	4	deep
exports/2.tar!b.csv#1	1	alpha
exports/2.tar!b.csv#2	2	be,ta
exports/2.tar!a.csv#1	3	\xc4\xe3\xba\xc3
exports/2.tar!sub/c.csv#1	4	deep
exports/3.tar.gz!b.csv#1	1	alpha
exports/3.tar.gz!b.csv#2	2	be,ta
exports/3.tar.gz!a.csv#1	3	\xc4\xe3\xba\xc3
exports/4.tar.bz2!b.csv#1	1	alpha
exports/4.tar.bz2!b.csv#2	2	be,ta
exports/5.tar.xz!a.csv#1	3	\xc4\xe3\xba\xc3
exports/6.tar.zst!sub/c.csv#1	4	deep
exports/7.7z!a.csv#1	3	\xc4\xe3\xba\xc3
exports/7.7z!b.csv#1	1	alpha
exports/7.7z!b.csv#2	2	be,ta
exports/7.7z!sub/c.csv#1	4	deep
exports/8.csv.gz!8.csv#1	1	alpha
exports/8.csv.gz!8.csv#2	2	be,ta
exports/9.csv.xz!9.csv#1	3	\xc4\xe3\xba\xc3
EOF
diff -u want out || die "peek output differs"
assert_eq "$before" "$(find . ! -name out ! -name want | sort)" "no file unpacked"

# members: the default "*" takes every regular member, so readme.txt is read
# as CSV too (one column 'not a csv member' -> the columns differ: an error)
playbook all.yaml "exports/1.zip"
peek_fails all.yaml "member 'exports/1.zip!readme.txt' has other columns than 'exports/1.zip!b.csv'"

# '*' matches '/' too; a narrower glob selects
playbook sub.yaml "exports/*" '    members: "sub/*"'
peek sub.yaml >out
cat >want <<'EOF'
#key	id	text
exports/1.zip!sub/c.csv#1	4	deep
exports/2.tar!sub/c.csv#1	4	deep
exports/6.tar.zst!sub/c.csv#1	4	deep
exports/7.7z!sub/c.csv#1	4	deep
EOF
diff -u want out || die "members: sub/*"

# one archive whose members match nothing, between others: skipped, no error
playbook some.yaml "exports/[56]*" '    members: "a.csv"'
peek some.yaml >out
assert_eq $'#key\tid\ttext\nexports/5.tar.xz!a.csv#1\t3\t\\xc4\\xe3\\xba\\xc3' "$(cat out)" "5 matches, 6 does not"

# no member anywhere: an error naming the glob
playbook none.yaml "exports/*" '    members: "*.dbf"'
peek_fails none.yaml "no member of the archives 'exports/*' in '.' matches '*.dbf'"

# no archive: an error
playbook noar.yaml "nothing/*.zip"
peek_fails noar.yaml "no file matches 'nothing/*.zip'"

# a file that is no archive
cp src/b.csv exports/0.zip
playbook notar.yaml "exports/0.zip"
peek_fails notar.yaml "cannot read archive 'exports/0.zip': Unrecognized archive format"

# the format must be named and known
sed 's/, format: csv//' pb.yaml >nofmt.yaml
peek_fails nofmt.yaml "the archive source needs 'format'"
sed 's/format: csv/format: nosuch/' pb.yaml >badfmt.yaml
peek_fails badfmt.yaml "unknown or not compiled in file format 'nosuch'"
echo ok
