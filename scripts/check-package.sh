#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, install the tarball into an empty project (from
# npm's cache where it can), then run what the README promises: `npx inferbench --version`,
# the no-argument quick start, a clear error for a .ts module without tsx, and a strict
# TypeScript program using the library API (examples/library/benchmark.ts), compiled and run.
# Prints the tarball's and the installed size. Usage: scripts/check-package.sh [work-dir]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/inferbench-package.XXXXXX")}"
mkdir -p "$work"
cd "$repo"
version="$(node -p 'require("./package.json").version')"
# The versions this repository's lockfile pins, so the install finds them in npm's cache.
ts_version="$(node -p 'require("./node_modules/typescript/package.json").version')"
types_version="$(node -p 'require("./node_modules/@types/node/package.json").version')"

echo "== npm pack"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
listing="$(tar -tzf "$tarball")"
fail() { echo "check-package: $*" >&2; exit 1; }
grep -q '^package/LICENSE$' <<<"$listing" || fail "LICENSE is not in the tarball"
grep -q '^package/examples/openai-chat.yaml$' <<<"$listing" || fail "examples/ are not in the tarball"
grep -q '^package/examples/library/benchmark.ts$' <<<"$listing" || fail "the library example is not in the tarball"
! grep -q '^package/examples/.*/node_modules/' <<<"$listing" || fail "the tarball has an example's node_modules : package.json "files" must exclude examples/*/node_modules"
! grep -q '\.map$' <<<"$listing" || fail "the tarball has source maps, but no sources: $(grep -c '\.map$' <<<"$listing") .map files"
! grep -q '^package/src/' <<<"$listing" || fail "the tarball ships src/"

project="$work/project"
rm -rf "$project" && mkdir -p "$project" && cd "$project"
printf '{ "name": "inferbench-package-check", "private": true, "type": "module" }\n' >package.json
echo "== npm install $(basename "$tarball") (prefer offline)"
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball"
installed_kb="$(du -sk node_modules | cut -f1)"
ls node_modules/tsx >/dev/null 2>&1 && fail "tsx was installed: it must be an optional peer dependency"
ls node_modules/echarts >/dev/null 2>&1 && fail "echarts was installed: reports inline only the chart code they use"

echo "== npx inferbench --version"
got="$(npx --no-install inferbench --version)"
[ "$got" = "$version" ] || fail "inferbench --version printed '$got', expected $version"

echo "== npx inferbench (no arguments: the quick start)"
npx --no-install inferbench >quickstart.out 2>quickstart.err || { cat quickstart.out quickstart.err >&2; fail "the quick start failed"; }
grep -q '^results: ' quickstart.out || fail "the quick start printed no results path"
report="$(sed -n 's/^report: //p' quickstart.out)"
[ -s "$report" ] || fail "the quick start wrote no HTML report"
grep -q 'ttft' quickstart.out || fail "the quick start summary has no ttft"

echo "== --module model.ts without tsx"
printf 'export function generate(input: unknown): string { return String(input); }\n' >model.ts
set +e
npx --no-install inferbench run --module ./model.ts --requests 1 --no-write >module.out 2>module.err
code=$?
set -e
[ "$code" = 2 ] || { cat module.out module.err >&2; fail "--module model.ts without tsx exited $code, expected 2"; }
grep -q 'npm install --save-dev tsx' module.err || { cat module.err >&2; fail "the error does not say how to install tsx"; }

echo "== tsc --strict on the library example, then run it"
npm install --prefer-offline --no-audit --no-fund --loglevel=error "typescript@$ts_version" "@types/node@$types_version"
cp node_modules/inferbench/examples/library/benchmark.ts .
cat >tsconfig.json <<'EOF'
{ "compilerOptions": { "strict": true, "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "types": ["node"], "outDir": "out" }, "files": ["benchmark.ts"] }
EOF
npx --no-install tsc -p tsconfig.json --noEmit
npx --no-install tsc -p tsconfig.json
node out/benchmark.js >library.out || { cat library.out >&2; fail "the library example failed"; }
grep -q '^merged: ' library.out || fail "the library example printed no merge line"
[ -s compare.html ] || fail "the library example wrote no compare.html"

echo "package ok: tarball $(( $(stat -c %s "$tarball") / 1024 )) KiB, installed ${installed_kb} KiB (node_modules of an empty project), report $(( $(stat -c %s "$report") / 1024 )) KiB"
