#!/usr/bin/env bash
# Layering check: a file in src/<stage>/ may include headers only from its own
# stage and from the stages its CMake target links, directly or through them.
# The build cannot tell (every target sees every header through the global
# include path), so CI runs this. Prints each crossing and exits 1 on any.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A deps
for cm in src/*/CMakeLists.txt; do
  stage=$(basename "$(dirname "$cm")")
  # Every otelhouse_<stage> named in the folder's target_link_libraries calls.
  deps[$stage]=$(tr '\n' ' ' <"$cm" | grep -o 'target_link_libraries([^)]*)' |
    grep -o 'otelhouse_[a-z_]*' | sed 's/^otelhouse_//' | grep -vx "$stage" | sort -u | tr '\n' ' ' || true)
done

reachable() {  # the transitive closure of a stage's links
  local -A seen=()
  local todo=($1) s d
  while [ ${#todo[@]} -gt 0 ]; do
    s=${todo[0]}; todo=("${todo[@]:1}")
    for d in ${deps[$s]:-}; do
      [ -n "${seen[$d]:-}" ] && continue
      seen[$d]=1; todo+=("$d")
    done
  done
  echo "${!seen[@]}"
}

# Interface headers any stage may include: header-only, depending on common/
# alone. pipeline/ingest.h is the one call a receiver makes into the pipeline.
INTERFACES=" pipeline/ingest.h "

bad=0
for dir in src/*/; do
  stage=$(basename "$dir")
  [ -n "${deps[$stage]+x}" ] || continue
  allowed=" $stage $(reachable "$stage") "
  while IFS=: read -r file line inc; do
    header=$(sed 's/.*#include "\([^"]*\)".*/\1/' <<<"$inc")
    [[ "$INTERFACES" == *" $header "* ]] && continue
    target=${header%%/*}
    [ -d "src/$target" ] || continue
    if [[ "$allowed" != *" $target "* ]]; then
      echo "$file:$line: $stage includes $target/, which otelhouse_$stage does not link"
      bad=1
    fi
  done < <(grep -Hn '^#include "[a-z_]*/' "$dir"*.h "$dir"*.cc 2>/dev/null || true)
done
[ "$bad" = 0 ] && echo "layers: every include follows the link lines"
exit "$bad"
