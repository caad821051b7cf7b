#!/usr/bin/env bash
# One-time formatting of the whole tree, run once after the last branch is merged: removes the
# "not-yet-formatted" block from .prettierignore, lets ESLint fix what it can, formats everything
# with Prettier, then runs the checks so the result is known to pass. Commit the result on its own
# ("format the tree with Prettier"), so that `git blame --ignore-rev` can skip it.
set -euo pipefail
cd "$(dirname "$0")/.."

begin='# >>> not-yet-formatted'
end='# <<< not-yet-formatted'
if grep -qF -- "$begin" .prettierignore; then
  # Delete from the begin marker through the end marker; keep every other line.
  awk -v b="$begin" -v e="$end" 'index($0, b) == 1 { skip = 1 } !skip { print } index($0, e) == 1 { skip = 0 }' \
    .prettierignore > .prettierignore.tmp
  mv .prettierignore.tmp .prettierignore
  # Drop the blank line(s) the block leaves at the end of the file.
  sed -i -e ':a' -e '/^\n*$/{$d;N;ba' -e '}' .prettierignore
  echo "format-all: removed the not-yet-formatted block from .prettierignore"
fi

npx eslint --fix .
npx prettier --write . > /dev/null
echo "format-all: formatted; checking"
npx prettier --check .
npx eslint .
npm run --silent typecheck
npm run --silent completions:check
echo "format-all: done — review 'git diff --stat', run the tests, and commit"
