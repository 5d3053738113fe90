#!/usr/bin/env bash
# Builds the same generated corpus with playbook, mdBook and Hugo and
# prints, per tool and size: median wall time, peak memory, output size and
# the ratio to playbook; then playbook's incremental one-page rebuild.
#
#   tests/bench/compare.sh            # N = 1,000 and 10,000, 3 rounds each
#   SIZES="1000" ROUNDS=5 tests/bench/compare.sh
#   TOOLS="playbook hugo" OUT=/var/tmp/bench-out tests/bench/compare.sh
#
# The sites are written under OUT, by default a tmpfs (/dev/shm) where
# there is one, so that what is timed is the tools and not the disk: on
# this project's VM, creating 10,000 files right after deleting 10,000
# others costs ext4 seconds of inode searching, a cost that every tool
# pays and that varies from run to run by 2-3x. Set OUT to a folder on
# disk to include it.
#
# Needs: mdbook (cargo install mdbook), hugo (apt-get install hugo),
# GNU time (apt-get install time). Runs alternate between the tools so
# that background load falls on all of them alike.
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES=${SIZES:-"1000 10000"}
ROUNDS=${ROUNDS:-3}
TOOLS=${TOOLS:-"playbook mdbook hugo"}
WORK=${BENCH_DIR:-/tmp/playbook-bench}
if [ -z "${OUT:-}" ]; then
  if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then OUT=/dev/shm/playbook-bench-out; else OUT=$WORK/out; fi
fi
for tool in $TOOLS /usr/bin/time; do
  [ "$tool" = playbook ] && continue
  command -v "$tool" >/dev/null || { echo "missing $tool (see the header of this script)"; exit 1; }
done

cargo build --release --quiet --bin playbook --example corpus --example incremental
PLAYBOOK=$PWD/target/release/playbook

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# run TOOL N ROUND: prints "seconds peak_kb bytes".
run() {
  local tool=$1 n=$2 src=$WORK/$2 out=$OUT/$1-$2
  rm -rf "$out"
  local cmd
  case $tool in
    playbook) cmd=("$PLAYBOOK" -q build "$src/playbook" -o "$out") ;;
    mdbook) cmd=(mdbook build "$src/mdbook" -d "$out") ;;
    hugo) cmd=(hugo --quiet --source "$src/hugo" --destination "$out") ;;
  esac
  /usr/bin/time -f "%e %M" -o "$WORK/time" "${cmd[@]}" >/dev/null 2>&1
  echo "$(cat "$WORK/time") $(du -sb "$out" | cut -f1)"
}

mkdir -p "$WORK" "$OUT"
versions="playbook $($PLAYBOOK --version | cut -d' ' -f2)"
case " $TOOLS " in *" mdbook "*) versions+=", $(mdbook --version)" ;; esac
case " $TOOLS " in *" hugo "*) versions+=", $(hugo version | cut -d' ' -f1-2)" ;; esac
echo "machine: $(nproc) cores, $(uname -m); $versions"
echo "sites written to $OUT ($(df --output=fstype "$OUT" | tail -1))"
for n in $SIZES; do
  [ -d "$WORK/$n/playbook" ] || ./target/release/examples/corpus "$n" "$WORK/$n" >/dev/null
  declare -A times=() mem=() bytes=()
  for round in $(seq "$ROUNDS"); do
    for tool in $TOOLS; do
      read -r s kb b < <(run "$tool" "$n")
      times[$tool]+="$s "; mem[$tool]+="$kb "; bytes[$tool]=$b
    done
  done
  echo
  echo "N = $n pages, $ROUNDS round(s)"
  printf "%-9s %10s %9s %12s %10s %12s %12s\n" tool "median s" "ratio" "peak RSS MB" "output MB" "ms / page" "bytes / page"
  base=$(echo "${times[playbook]}" | tr ' ' '\n' | grep . | median)
  for tool in $TOOLS; do
    t=$(echo "${times[$tool]}" | tr ' ' '\n' | grep . | median)
    kb=$(echo "${mem[$tool]}" | tr ' ' '\n' | grep . | sort -n | tail -1)
    awk -v tool="$tool" -v t="$t" -v base="$base" -v kb="$kb" -v b="${bytes[$tool]}" -v n="$n" \
      'BEGIN { printf "%-9s %10.2f %8.1fx %12.0f %10.1f %12.2f %12.0f\n", tool, t, t/base, kb/1024, b/1048576, t*1000/n, b/n }'
  done
  ./target/release/examples/incremental "$WORK/$n/playbook" 30 | tail -1
  unset times mem bytes
done
