#!/usr/bin/env bash
# Prettier adoption in two steps.
#
#   scripts/format-all.sh --list   keeps `npm run format:check` passing while branches are still being
#                                  merged: rewrites the "not-yet-formatted" block of .prettierignore
#                                  with every file Prettier would change now (nothing is reformatted).
#   scripts/format-all.sh          the one-time formatting, run once after the last branch is merged:
#                                  deletes the block, lets ESLint fix what it can, formats everything
#                                  with Prettier, then runs the checks so the result is known to pass.
#                                  Commit the result on its own ("format the tree with Prettier") so
#                                  `git blame --ignore-rev` can skip it.
set -euo pipefail
cd "$(dirname "$0")/.."

begin='# >>> not-yet-formatted'
end='# <<< not-yet-formatted'

remove_block() {
  if grep -qF -- "$begin" .prettierignore; then
    # Delete from the begin marker through the end marker; keep every other line.
    awk -v b="$begin" -v e="$end" 'index($0, b) == 1 { skip = 1 } !skip { print } index($0, e) == 1 { skip = 0 }' \
      .prettierignore > .prettierignore.tmp
    mv .prettierignore.tmp .prettierignore
    # Drop the blank line(s) the block leaves at the end of the file.
    sed -i -e ':a' -e '/^\n*$/{$d;N;ba' -e '}' .prettierignore
  fi
}

if [[ ${1:-} == --list ]]; then
  remove_block
  pending=$(npx prettier --list-different . || true)
  if [[ -n $pending ]]; then
    {
      echo
      echo "$begin: files written before Prettier was adopted. scripts/format-all.sh formats them"
      echo "# and deletes this block, markers included; until then new and changed files outside it are checked."
      echo "$pending"
      echo "$end"
    } >> .prettierignore
  fi
  echo "format-all --list: $(printf '%s' "$pending" | grep -c . || true) file(s) listed in .prettierignore"
  exit 0
fi

remove_block
echo "format-all: removed the not-yet-formatted block from .prettierignore"
npx eslint --fix .
npx prettier --write . > /dev/null
echo "format-all: formatted; checking"
npx prettier --check .
npx eslint .
npm run --silent typecheck
npm run --silent completions:check
echo "format-all: done — review 'git diff --stat', run the tests, and commit"
