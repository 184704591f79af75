#!/usr/bin/env bash
# The man page renders without warnings and documents exactly the options
# of `sbx run --help`: the option column of the help text against the
# .TP headers of the page's OPTIONS section.
set -euo pipefail
sbx=$1 page=$2
opts_help=$("$sbx" run --help | sed -n 's/^  \(-[^ ].*\)$/\1/p' | sed 's/  .*//' |
	grep -o -- '--[a-z][a-z-]*' | sort -u)
opts_man=$(sed -n '/^\.SH OPTIONS/,/^\.SH COMMANDS/p' "$page" | awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' |
	sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z-]*' | sort -u)
if [ -z "$opts_help" ] || [ "$opts_help" != "$opts_man" ]; then
	echo "man-check: sbx run --help and $page list different options:" >&2
	diff <(echo "$opts_help") <(echo "$opts_man") >&2 || true
	exit 1
fi
# The bash completion offers the same options.
completion=${3:-}
if [ -n "$completion" ]; then
	opts_comp=$(sed -n 's/^.*local run_opts="\(.*\)"$/\1/p' "$completion" | tr ' ' '\n' | sort -u)
	if [ "$opts_help" != "$opts_comp" ]; then
		echo "man-check: sbx run --help and $completion list different options:" >&2
		diff <(echo "$opts_help") <(echo "$opts_comp") >&2 || true
		exit 1
	fi
fi
if command -v groff >/dev/null 2>&1; then
	warnings=$(groff -ww -z -man "$page" 2>&1)
	[ -z "$warnings" ] || { echo "man-check: groff: $warnings" >&2; exit 1; }
fi
echo "man-check: $(echo "$opts_help" | wc -l) options, the same in --help, $page${completion:+ and $completion}"
