#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Check (or with --fix, apply) the repository's C formatting: clang-format
# with the root .clang-format over every C source and header, excluding
# only generated files (build outputs, asm-offsets headers).
#
# Usage: tools/format-check.sh [--fix] [FILE...]
# Exit 0 when every file is formatted, 1 otherwise (with the offending
# files and clang-format's diagnostics), 2 when clang-format is missing.
set -eu

cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
FIX=0
if [ "${1:-}" = "--fix" ]; then
	FIX=1
	shift
fi

if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
	echo "format-check: $CLANG_FORMAT not found (apt-get install clang-format)" >&2
	exit 2
fi
if [ ! -f .clang-format ]; then
	echo "format-check: no .clang-format at the repository root" >&2
	exit 2
fi

list_sources() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@"
	elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# Tracked and new (not ignored) files, so a check before the
		# first commit of a file sees it too.
		git ls-files --cached --others --exclude-standard -- '*.c' '*.h'
	else
		find . -path ./build -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print |
			sed 's|^\./||'
	fi
}

# Generated files: anything under build/ and asm-offsets output.
FILES=$(list_sources "$@" | grep -vE '^build/|(^|/)asm-offsets[^/]*\.h$' |
	while read -r f; do [ -f "$f" ] && echo "$f"; done | LC_ALL=C sort -u)

if [ -z "$FILES" ]; then
	echo "format-check: no C sources"
	exit 0
fi

if [ "$FIX" = 1 ]; then
	# shellcheck disable=SC2086
	echo "$FILES" | xargs "$CLANG_FORMAT" -i --style=file
	echo "format-check: formatted $(echo "$FILES" | wc -l) files"
	exit 0
fi

BAD=""
for f in $FILES; do
	if ! "$CLANG_FORMAT" --dry-run --Werror --style=file "$f" >/dev/null 2>&1; then
		BAD="$BAD $f"
	fi
done

N=$(echo "$FILES" | wc -l)
if [ -n "$BAD" ]; then
	for f in $BAD; do
		echo "format-check: $f needs formatting:"
		"$CLANG_FORMAT" --style=file "$f" | diff -u "$f" - | sed -n '1,40p' || true
	done
	echo "format-check: $(echo $BAD | wc -w) of $N files need formatting" \
		"(tools/format-check.sh --fix)"
	exit 1
fi
echo "format-check: $N files ok"
