#!/usr/bin/env bash
# Builds acme-web's (made-up) git history into DIR, for the DORA snapshot of
# the demo: twelve commits over October 2026, one of them a merge. Authors,
# committers and dates are fixed, so the commit ids are the same on every
# machine; history/deployments.jsonl and incidents.jsonl refer to them.
set -euo pipefail
dir=${1:?usage: make-repo.sh DIR}
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
export GIT_AUTHOR_NAME='Acme Dev' GIT_AUTHOR_EMAIL='dev@acme.example' GIT_COMMITTER_NAME='Acme CI' GIT_COMMITTER_EMAIL='ci@acme.example'
git init -q -b main
git config commit.gpgsign false
commit() { # DATE MESSAGE [FILE]
  echo "$2" >> "${3:-CHANGES}"
  git add "${3:-CHANGES}"
  GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -q -m "$2"
}
commit 2026-10-01T09:00:00Z 'Start acme-web'
commit 2026-10-03T10:00:00Z 'Greet by name'
commit 2026-10-06T15:30:00Z 'Add health endpoint'
commit 2026-10-09T11:00:00Z 'Cache greetings'
commit 2026-10-13T16:00:00Z 'Fix cache key'
git checkout -q -b feature
commit 2026-10-15T09:00:00Z 'Localise greetings' LOCALES
git checkout -q main
commit 2026-10-16T10:00:00Z 'Bump yaml'
GIT_AUTHOR_DATE=2026-10-17T12:00:00Z GIT_COMMITTER_DATE=2026-10-17T12:00:00Z git merge -q --no-ff -m 'Merge localisation' feature
commit 2026-10-20T14:00:00Z 'Speed up startup'
commit 2026-10-23T09:30:00Z 'Retry upstream calls'
commit 2026-10-27T13:00:00Z 'Trim whitespace in names'
commit 2026-10-30T08:00:00Z 'Release 1.4.2'
git log --format='%H %cI %s' --reverse
