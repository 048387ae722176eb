#!/usr/bin/env bash
# Load a SQLite file into PostgreSQL with pgloader's defaults, for comparison with our migrator.
#
# usage: test/sqlite/run-pgloader.sh <sqlite-file> <postgres-url> [--only LIKE]... [--exclude LIKE]... [--with OPTION]...
#
#   <postgres-url>  e.g. postgresql://postgres@127.0.0.1:5432/pgl_torture (the database must exist)
#   --only LIKE     load only tables whose name matches (repeatable)
#   --exclude LIKE  skip tables whose name matches (repeatable)
#   --with OPTION   a pgloader WITH option, e.g. 'batch rows = 1' (repeatable; not a default:
#                   only to see which single rows fail where the default batch hides them)
#   Without options pgloader runs with all its defaults: pgloader sqlite:///file postgresql://...
#   Otherwise a minimal load file is used: LOAD DATABASE FROM .. INTO .. [WITH ..] INCLUDING ONLY/
#   EXCLUDING TABLE NAMES LIKE ..; (filters are needed because one table pgloader cannot handle
#   stops the whole run).
#
# Output (stdout and stderr of pgloader) goes to $PGLOADER_OUT/output.log (default: a new
# directory under /tmp), is echoed, and pgloader's exit code is printed and returned.
# pgloader's own files (reject data and logs) go to $PGLOADER_OUT/root.
set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 <sqlite-file> <postgres-url> [--only LIKE]... [--exclude LIKE]... [--with OPTION]..." >&2
  exit 2
fi
command -v pgloader >/dev/null || { echo "pgloader not installed (apt-get install -y pgloader)" >&2; exit 2; }

src=$(realpath "$1")
url=$2
shift 2
quote() { local v=${1//\'/\'\'}; printf "'%s'" "$v"; }
only=""
exclude=""
with=""
while [ $# -gt 0 ]; do
  case $1 in
    --only) only="${only:+$only, }$(quote "$2")"; shift 2 ;;
    --exclude) exclude="${exclude:+$exclude, }$(quote "$2")"; shift 2 ;;
    --with) with="${with:+$with, }$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
out=${PGLOADER_OUT:-$(mktemp -d /tmp/pgloader-run.XXXXXX)}
mkdir -p "$out/root"

if [ -z "$only$exclude$with" ]; then
  pgloader --root-dir "$out/root" "sqlite://$src" "$url" >"$out/output.log" 2>&1
  rc=$?
else
  # Minimal load file: nothing but the source, the target, the options given and the table filter.
  {
    echo "LOAD DATABASE"
    echo "  FROM sqlite://$src"
    echo "  INTO $url"
    [ -n "$with" ] && echo "  WITH $with"
    [ -n "$only" ] && echo "  INCLUDING ONLY TABLE NAMES LIKE $only"
    [ -n "$exclude" ] && echo "  EXCLUDING TABLE NAMES LIKE $exclude"
    echo ";"
  } >"$out/load.pgl"
  pgloader --root-dir "$out/root" "$out/load.pgl" >"$out/output.log" 2>&1
  rc=$?
fi

cat "$out/output.log"
echo "pgloader exit code: $rc (output in $out)"
exit $rc
