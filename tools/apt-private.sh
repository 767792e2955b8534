# SPDX-License-Identifier: MIT
#
# Sourced by build-bochs.sh and fetch-qemu.sh: apt with a private sources
# list, state and cache, so that another Debian suite (trixie sources,
# bookworm-backports) can be read without touching the system's apt
# configuration. The mirror is the one this machine's apt already uses,
# read from /etc/apt at run time: no host name is written in the
# repository.

# The build and download cache, outside any clone: $X2HV_CACHE, else
# /var/cache/x2hv where writable, else ~/.cache/x2hv. The harness looks
# in the same places (tools/x2hv_harness/platforms.py).
x2hv_cache_root() {
	if [ -n "${X2HV_CACHE:-}" ]; then
		echo "$X2HV_CACHE"
	elif mkdir -p /var/cache/x2hv 2>/dev/null && [ -w /var/cache/x2hv ]; then
		echo /var/cache/x2hv
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/x2hv"
	fi
}

# The first "deb" URI of this machine's Debian archive (not the security
# archive): deb822 .sources files first, then the one-line format.
x2hv_mirror_uri() {
	local f
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk '
			function flush() { if (deb && uri && main) { print uri; exit } }
			/^[ \t]*$/ { flush(); deb = 0; uri = ""; main = 0; next }
			tolower($1) == "types:" && / deb( |$)/ { deb = 1 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" && $0 !~ /security/ { main = 1 }
			END { flush() }' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			awk '$1 == "deb" && $0 !~ /security/ {
				for (i = 2; i <= NF; i++)
					if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit }
			}' "$f"
		done
	} | head -1
}

# x2hv_apt_setup DIR TYPE SUITE: a private apt for one suite ("deb" or
# "deb-src") under DIR; sets the array APTOPT for apt-get and apt-cache
# and runs apt-get update. Returns non-zero when the update fails.
x2hv_apt_setup() {
	local dir=$1 type=$2 suite=$3 uri
	uri=$(x2hv_mirror_uri)
	if [ -z "$uri" ]; then
		echo "x2hv: no Debian mirror found in /etc/apt" >&2
		return 1
	fi
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	cat >"$dir/$suite.sources" <<EOS
Types: $type
URIs: $uri
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	APTOPT=(-o "Dir::Etc::sourcelist=$dir/$suite.sources"
		-o "Dir::Etc::sourceparts=-" -o "Dir::State::lists=$dir/lists"
		-o "Dir::Cache=$dir" -o "Dir::Cache::archives=$dir/archives"
		-o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1"
		-o "APT::Sandbox::User=root")
	apt-get -q "${APTOPT[@]}" update >"$dir/update.log" 2>&1
}
