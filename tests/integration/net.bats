#!/usr/bin/env bats
# The network: slirp4netns by default, --net none, host loopback, --publish,
# resolv.conf and hosts, and nothing left behind.
#
# The network rule: nothing here contacts an address outside this machine.
# Only the sandbox's own loopback, the slirp gateway 10.0.2.2 (the host's
# 127.0.0.1 with --allow-host-loopback) and servers this file starts on the
# host's 127.0.0.1. No name is ever resolved; resolv.conf is only read.

load ../lib/common

setup() {
	common_setup || return 1
	command -v python3 >/dev/null || skip "python3 is not installed (helpers/install-deps --test)"
	SERVER_PIDS=()
	write_nettool
}

teardown() {
	local pid
	for pid in "${SERVER_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	[ -z "${SBX_PID:-}" ] || { kill -9 "$SBX_PID" 2>/dev/null || true; wait "$SBX_PID" 2>/dev/null || true; }
	common_teardown
}

# A small client and server, usable on both sides: $PROJ is the current
# directory inside too. Every operation is bounded by its own timeout.
write_nettool() {
	NT=$PROJ/nt.py
	cat >"$NT" <<'EOF'
import os, socket, sys, time

def ready(path, text="ready"):
    with open(path + ".tmp", "w") as f:
        f.write(text + "\n")
    os.rename(path + ".tmp", path)

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "freeport":
    # A port free on 127.0.0.1 for both TCP and UDP right now.
    for _ in range(50):
        t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            t.close(); continue
        u.close(); t.close(); print(port); break
    else:
        sys.exit("no free port")
elif cmd == "tcpserve":
    # tcpserve HOST PORT TAG READYFILE LOGFILE: answer "TAG" to every
    # connection (each logged), for at most 60 s.
    host, port, tag, rfile, log = args
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port))); s.listen(16); s.settimeout(1)
    ready(rfile); end = time.time() + 60
    while time.time() < end:
        try:
            c, peer = s.accept()
        except socket.timeout:
            continue
        with open(log, "a") as f:
            f.write("connection from %s\n" % peer[0])
        c.sendall((tag + "\n").encode()); c.close()
elif cmd == "udpserve":
    # udpserve HOST PORT TAG READYFILE: answer "TAG:DATA" to every datagram.
    host, port, tag, rfile = args
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, int(port))); s.settimeout(1)
    ready(rfile); end = time.time() + 60
    while time.time() < end:
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        s.sendto(tag.encode() + b":" + data, peer)
elif cmd == "tcpget":
    # tcpget HOST PORT [SECONDS]: print the first line the server sends.
    host, port = args[0], int(args[1])
    c = socket.create_connection((host, port), timeout=float(args[2]) if len(args) > 2 else 5)
    line = c.makefile().readline().strip()
    if not line:
        sys.exit("connected to %s:%d but got no answer" % (host, port))
    print(line)
elif cmd == "udpask":
    # udpask HOST PORT MESSAGE: send until answered (10 tries, 0.5 s each).
    host, port, msg = args[0], int(args[1]), args[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
    for _ in range(10):
        s.sendto(msg.encode(), (host, port))
        try:
            print(s.recv(2048).decode()); break
        except socket.timeout:
            pass
    else:
        sys.exit("no answer from %s:%d/udp" % (host, port))
elif cmd == "bindable":
    # bindable PORT: exit 0 if nothing listens on 127.0.0.1:PORT/tcp.
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", int(args[0])))
    except OSError:
        sys.exit(1)
else:
    sys.exit("unknown command " + cmd)
EOF
}

nt() { timeout 20 python3 "$NT" "$@"; }
free_port() { nt freeport; }

# Start a TCP server on the host: host_tcp_server HOST PORT TAG. Its
# connections are logged in $PROJ/host-server.log.
host_tcp_server() {
	rm -f "$PROJ/host-ready"
	python3 "$NT" tcpserve "$1" "$2" "$3" "$PROJ/host-ready" "$PROJ/host-server.log" 3>&- &
	SERVER_PIDS+=($!)
	wait_until 100 test -e "$PROJ/host-ready" || fail "the host server on $1:$2 did not start"
	: >>"$PROJ/host-server.log"
}

# Start sbx in the background with default signal dispositions, output in
# $1; fd 3 (bats' own) closed so a leftover process cannot hang bats.
start_sbx_bg() {
	local out=$1
	shift
	env --default-signal "$SBX" "$@" >"$out" 2>"$out.err" 3>&- </dev/null &
	SBX_PID=$!
}

# Wait (bounded) for background sbx to exit; its status lands in $status,
# its stdout in $output and its stderr in $stderr.
wait_sbx_bg() {
	local out=$1
	[ -n "${SBX_PID:-}" ] || fail "no sbx runs in the background"
	if ! wait_until 300 pid_gone "$SBX_PID"; then
		kill -9 "$SBX_PID" 2>/dev/null || true
		wait "$SBX_PID" 2>/dev/null || true
		SBX_PID=
		fail "sbx did not exit within 30 s"
	fi
	status=0
	wait "$SBX_PID" || status=$?
	SBX_PID=
	output=$(cat "$out")
	stderr=$(cat "$out.err")
}

# Wait (bounded) until "$@" succeeds; give up early once sbx has exited.
wait_payload() {
	_WAIT_CMD=("$@")
	wait_until 300 _payload_or_exit
	"$@"
}
_payload_or_exit() { "${_WAIT_CMD[@]}" || pid_gone "$SBX_PID"; }

# A payload fragment that waits (bounded) for file $1 in the project dir.
wait_for_file_sh() {
	echo "i=0; while [ ! -e $1 ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done"
}

# Wait until the background sbx has one slirp4netns child; print its pid.
sbx_slirp_pid() {
	local p=
	wait_until 100 eval 'p=$(slirp_children "$SBX_PID"); [ -n "$p" ]' || return 1
	echo "$p"
}

# --- the interface inside ------------------------------------------------

@test "the sandbox has tap0 with 10.0.2.100/24, by default and with --net slirp" {
	local args
	for args in "" "--net slirp" "--net=slirp"; do
		# shellcheck disable=SC2086 # split the option from its value
		run --separate-stderr sbx run $args ip -o -4 addr show dev tap0
		assert_status 0
		assert_output_contains "inet 10.0.2.100/24"
	done
}

@test "the default route goes through 10.0.2.2 on tap0" {
	run --separate-stderr sbx run ip -4 route show default
	assert_status 0
	assert_output "default via 10.0.2.2 dev tap0 "
}

@test "loopback is up next to tap0" {
	run --separate-stderr sbx run sh -c 'ls /sys/class/net; ip -o -4 addr show dev lo'
	assert_status 0
	[ "$(sed -n 1,2p <<<"$output" | sort | tr '\n' ' ')" = "lo tap0 " ] || fail "interfaces: $output"
	assert_output_contains "inet 127.0.0.1/8"
	run --separate-stderr sbx run cat /sys/class/net/lo/flags /sys/class/net/tap0/flags
	assert_status 0
	local f
	for f in $output; do ((f & 1)) || fail "an interface is down: $output"; done
}

@test "the MTU is 65520 unless --mtu says otherwise" {
	run --separate-stderr sbx run cat /sys/class/net/tap0/mtu
	assert_status 0
	assert_output 65520
	local mtu
	for mtu in 1500 68 65521; do
		run --separate-stderr sbx run --mtu "$mtu" cat /sys/class/net/tap0/mtu
		assert_status 0
		assert_output "$mtu"
	done
	run --separate-stderr sbx run --mtu=9000 cat /sys/class/net/tap0/mtu
	assert_status 0
	assert_output 9000
}

@test "a bad --mtu exits 125 with one line" {
	local v
	for v in 0 67 65522 -1 abc 1500x ""; do
		run --separate-stderr sbx run --mtu "$v" true
		assert_status 125
		assert_one_error_line "mtu"
	done
}

@test "--net none gives loopback only and starts no slirp4netns" {
	run --separate-stderr sbx run --net none ls /sys/class/net
	assert_status 0
	assert_output "lo"
	local out=$PROJ/out
	start_sbx_bg "$out" run --net none sh -c "echo started; $(wait_for_file_sh stop)"
	wait_payload file_contains "$out" started || fail "the payload did not start: $(cat "$out.err")"
	local kids
	kids=$(ps -o comm= --ppid "$SBX_PID" | tr '\n' ' ')
	touch "$PROJ/stop"
	wait_sbx_bg "$out"
	assert_status 0
	[ -n "$kids" ] || fail "sbx has no child while the sandbox runs"
	[[ "$kids" != *slirp4netns* ]] || fail "--net none started slirp4netns: $kids"
}

@test "the sandbox's network namespace is not mine" {
	local mine
	mine=$(readlink /proc/self/ns/net)
	run --separate-stderr sbx run readlink /proc/self/ns/net
	assert_status 0
	[[ "$output" =~ ^net:\[[0-9]+\]$ ]] && [ "$output" != "$mine" ] || fail "inside: $output, mine: $mine"
}

# --- resolv.conf, hosts and the rest of /etc -------------------------------

@test "resolv.conf inside names the slirp4netns resolver 10.0.2.3" {
	run --separate-stderr sbx run cat /etc/resolv.conf
	assert_status 0
	[ "$(grep -E '^[[:space:]]*nameserver' <<<"$output")" = "nameserver 10.0.2.3" ] ||
		fail "expected exactly one nameserver line, 10.0.2.3; got:" "$output"
}

@test "resolv.conf inside has no nameserver with --net none" {
	run --separate-stderr sbx run --net none cat /etc/resolv.conf
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || fail "cat /etc/resolv.conf: status $status: $stderr"
	assert_output_lacks "nameserver"
}

@test "/etc/hosts inside has localhost and the sandbox hostname" {
	run --separate-stderr sbx run cat /etc/hosts
	assert_status 0
	grep -Eq '^127\.0\.0\.1[[:space:]].*\blocalhost\b' <<<"$output" || fail "no 127.0.0.1 localhost line:" "$output"
	grep -Eq '^[0-9a-f.:]+[[:space:]](.*[[:space:]])?sbx([[:space:]]|$)' <<<"$output" || fail "no line for sbx:" "$output"
	run --separate-stderr sbx run --hostname my-box --net none cat /etc/hosts
	assert_status 0
	grep -Eq '^127\.0\.0\.1[[:space:]].*\blocalhost\b' <<<"$output" || fail "no 127.0.0.1 localhost line:" "$output"
	grep -Eq '^[0-9a-f.:]+[[:space:]](.*[[:space:]])?my-box([[:space:]]|$)' <<<"$output" || fail "no line for my-box:" "$output"
}

@test "the rest of /etc inside is mine, unchanged" {
	run --separate-stderr sbx run sh -c 'cat /etc/passwd; echo ---; ls -A /etc'
	assert_status 0
	local passwd list expected
	passwd=${output%%$'\n'---*}
	list=${output#*---$'\n'}
	[ "$passwd" = "$(cat /etc/passwd)" ] || fail "/etc/passwd differs inside"
	expected=$({ ls -A /etc; echo hosts; echo resolv.conf; } | sort -u)
	[ "$(sort -u <<<"$list")" = "$expected" ] ||
		fail "/etc inside lists other entries:" "$(diff <(echo "$expected") <(sort -u <<<"$list"))"
}

@test "/etc inside is read-only, even for root inside" {
	local who
	for who in keep root; do
		run sbx run --user "$who" sh -c 'echo x > /etc/sbx-test-file'
		[ "$status" -ne 0 ] || fail "--user $who could write /etc/sbx-test-file"
		assert_output_contains "Read-only file system"
	done
	[ ! -e /etc/sbx-test-file ]
}

@test "resolv.conf and hosts are not single-file mounts inside" {
	run --separate-stderr sbx run cat /proc/self/mountinfo
	assert_status 0
	local bad
	bad=$(awk '$5 == "/etc/resolv.conf" || $5 == "/etc/hosts"' <<<"$output")
	[ -z "$bad" ] || fail "single-file mounts:" "$bad"
}

@test "my own /etc/resolv.conf and /etc/hosts are untouched" {
	local before after
	before=$(stat -L -c '%i %s %Y %a' /etc/resolv.conf /etc/hosts 2>&1; cat /etc/resolv.conf /etc/hosts 2>&1)
	run sbx run --user root sh -c 'echo "nameserver 192.0.2.1" >> /etc/resolv.conf; echo "192.0.2.1 evil" >> /etc/hosts'
	run sbx run --net none true
	assert_status 0
	after=$(stat -L -c '%i %s %Y %a' /etc/resolv.conf /etc/hosts 2>&1; cat /etc/resolv.conf /etc/hosts 2>&1)
	[ "$before" = "$after" ] || fail "changed on the host:" "$(diff <(echo "$before") <(echo "$after"))"
}

# --- host loopback -----------------------------------------------------------

@test "a server on my 127.0.0.1 is unreachable from inside by default" {
	local port
	port=$(free_port)
	host_tcp_server 127.0.0.1 "$port" hello-host
	# The same request that --allow-host-loopback lets through (next test).
	run --separate-stderr sbx run sh -c "
		ls /sys/class/net | grep -qx tap0 || { echo no-tap0; exit 3; }
		timeout 10 python3 nt.py tcpget 10.0.2.2 $port 5"
	[ "$status" -ne 3 ] || fail "no tap0 inside: the test proves nothing"
	assert_output_lacks "hello-host"
	[ "$status" -ne 0 ] || fail "the connection succeeded"
	[ ! -s "$PROJ/host-server.log" ] || fail "the host server saw: $(cat "$PROJ/host-server.log")"
}

@test "--allow-host-loopback makes my 127.0.0.1 reachable at 10.0.2.2" {
	local port
	port=$(free_port)
	host_tcp_server 127.0.0.1 "$port" hello-host
	run --separate-stderr sbx run --allow-host-loopback timeout 10 python3 nt.py tcpget 10.0.2.2 "$port" 5
	assert_status 0
	assert_output hello-host
	# bash's /dev/tcp too: no python needed inside.
	run --separate-stderr sbx run --allow-host-loopback bash -c \
		"exec 3<>/dev/tcp/10.0.2.2/$port && timeout 5 head -n1 <&3"
	assert_status 0
	assert_output hello-host
}

@test "--net none cannot reach my 127.0.0.1 at all" {
	local port
	port=$(free_port)
	host_tcp_server 127.0.0.1 "$port" hello-host
	run --separate-stderr sbx run --net none sh -c "
		timeout 10 python3 nt.py tcpget 127.0.0.1 $port 5
		timeout 10 python3 nt.py tcpget 10.0.2.2 $port 5"
	assert_output_lacks "hello-host"
	[ ! -s "$PROJ/host-server.log" ] || fail "the host server saw: $(cat "$PROJ/host-server.log")"
}

# --- publishing ports ---------------------------------------------------------

# publish_and_get PROTO BIND [SBX-OPTION...]: a server inside on
# BIND:PORT/PROTO, published at my 127.0.0.1:HOSTPORT; prints what a client
# on my side got.
publish_and_get() {
	local proto=$1 bind=$2 hport port out=$PROJ/out logarg=
	shift 2
	[ "$proto" = udp ] || logarg=srv.log
	hport=$(free_port)
	port=8080
	start_sbx_bg "$out" run "$@" -p "$hport:$port/$proto" -- \
		sh -c "python3 nt.py ${proto}serve $bind $port from-inside srv-ready $logarg & $(wait_for_file_sh stop); kill \$! 2>/dev/null; exit 0"
	if ! wait_payload test -e "$PROJ/srv-ready"; then
		touch "$PROJ/stop"
		wait_sbx_bg "$out"
		fail "the server inside did not start: status $status: $stderr"
		return 1
	fi
	local got rc=0
	if [ "$proto" = tcp ]; then
		got=$(nt tcpget 127.0.0.1 "$hport" 5 2>&1) || rc=$?
	else
		got=$(nt udpask 127.0.0.1 "$hport" ping 2>&1) || rc=$?
	fi
	touch "$PROJ/stop"
	wait_sbx_bg "$out"
	assert_status 0 || return 1
	[ "$rc" -eq 0 ] || { fail "the client on my side failed: $got"; return 1; }
	echo "$got"
}

@test "-p publishes a TCP server inside on my 127.0.0.1" {
	run publish_and_get tcp 0.0.0.0
	assert_status 0
	assert_output from-inside
}

@test "-p publishes a TCP server bound to 10.0.2.100 inside" {
	run publish_and_get tcp 10.0.2.100
	assert_status 0
	assert_output from-inside
}

@test "-p publishes a UDP server inside on my 127.0.0.1 when host loopback is allowed" {
	run publish_and_get udp 0.0.0.0 --allow-host-loopback
	assert_status 0
	assert_output from-inside:ping
}

@test "-p for UDP without --allow-host-loopback exits 125 saying why" {
	# libslirp drops forwarded UDP replies while host loopback is blocked.
	run --separate-stderr sbx run -p 5353:53/udp true
	assert_status 125
	assert_one_error_line "'5353:53/udp'"
	[[ "$stderr" == *"--allow-host-loopback"* ]] || fail "no fix named: $stderr"
}

@test "--publish takes an explicit host address, repeatedly" {
	local h1 h2 out=$PROJ/out
	h1=$(free_port)
	h2=$(free_port)
	[ "$h1" != "$h2" ] || h2=$(free_port)
	start_sbx_bg "$out" run --publish "127.0.0.1:$h1:7001" --publish="$h2:7002/tcp" -- sh -c "
		python3 nt.py tcpserve 0.0.0.0 7001 one r1 log1 & a=\$!
		python3 nt.py tcpserve 0.0.0.0 7002 two r2 log2 & b=\$!
		$(wait_for_file_sh stop); kill \$a \$b 2>/dev/null; exit 0"
	wait_payload eval 'test -e "$PROJ/r1" && test -e "$PROJ/r2"' || {
		touch "$PROJ/stop"
		wait_sbx_bg "$out"
		fail "the servers inside did not start: $stderr"
	}
	local a b
	a=$(nt tcpget 127.0.0.1 "$h1" 5 2>&1) || true
	b=$(nt tcpget 127.0.0.1 "$h2" 5 2>&1) || true
	touch "$PROJ/stop"
	wait_sbx_bg "$out"
	assert_status 0
	[ "$a" = one ] && [ "$b" = two ] || fail "got '$a' and '$b'"
}

@test "a published port listens on 127.0.0.1 only, and only while sbx runs" {
	local hport out=$PROJ/out
	hport=$(free_port)
	start_sbx_bg "$out" run -p "$hport:80" -- sh -c "echo started; $(wait_for_file_sh stop)"
	wait_payload file_contains "$out" started || {
		touch "$PROJ/stop"
		wait_sbx_bg "$out"
		fail "the payload did not start: $stderr"
	}
	local hex listeners
	hex=$(printf '%04X' "$hport")
	# st 0A is LISTEN; the local address is hex IP:port.
	listeners=$(awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $2 }' /proc/net/tcp /proc/net/tcp6)
	touch "$PROJ/stop"
	wait_sbx_bg "$out"
	assert_status 0
	[ "$listeners" = "0100007F:$hex" ] || fail "listeners on port $hport: '$listeners'"
	wait_until 20 nt bindable "$hport" || fail "port $hport is still taken after sbx exited"
}

@test "a bad --publish spec exits 125 with one line naming it" {
	local busy spec bad=0
	busy=$(free_port)
	host_tcp_server 127.0.0.1 "$busy" busy
	local -a specs=(0:80 8080:0 70000:80 8080:70000 abc 8080 8080:80/sctp 1.2.3:80:80
		"$busy:80" "127.0.0.1:$busy:80/tcp" :80 8080: "")
	for spec in "${specs[@]}"; do
		run --separate-stderr sbx run -p "$spec" true
		if [ "$status" -ne 125 ] || [ "$(printf '%s\n' "$stderr" | grep -c '')" -ne 1 ] ||
			[[ "$stderr" != "sbx: "* ]] || [[ "$stderr" != *"$spec"* ]]; then
			printf -- '-p "%s": status %s, stderr: %s\n' "$spec" "$status" "$stderr" >&2
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "publishing the same host port twice exits 125 with one line" {
	local h
	h=$(free_port)
	run --separate-stderr sbx run -p "$h:80" -p "$h:81" true
	assert_status 125
	assert_one_error_line "$h:8"
	wait_until 20 nt bindable "$h" || fail "port $h is still taken after sbx exited"
}

@test "--publish and --allow-host-loopback with --net none exit 125 with one line" {
	run --separate-stderr sbx run --net none -p 8080:80 true
	assert_status 125
	assert_one_error_line "--net none"
	run --separate-stderr sbx run --net none --allow-host-loopback true
	assert_status 125
	assert_one_error_line "--net none"
}

@test "the API socket of -p is not visible inside" {
	local hport out=$PROJ/out
	hport=$(free_port)
	start_sbx_bg "$out" run -p "$hport:80" -- sh -c "
		echo started; $(wait_for_file_sh sockpath)
		p=\$(cat sockpath); if [ -n \"\$p\" ] && [ -e \"\$p\" ]; then echo visible:\$p; fi
		find / /tmp /var/tmp /run /dev /dev/shm \"\$HOME\" -xdev -type s 2>/dev/null"
	wait_payload file_contains "$out" started || {
		touch "$PROJ/sockpath"
		wait_sbx_bg "$out"
		fail "the payload did not start: $stderr"
	}
	local slirp args sock=
	slirp=$(slirp_children "$SBX_PID")
	if [ -n "$slirp" ]; then
		mapfile -d '' -t args <"/proc/$slirp/cmdline"
		local i
		for i in "${!args[@]}"; do
			case ${args[i]} in
			--api-socket=*) sock=${args[i]#--api-socket=} ;;
			--api-socket | -a) sock=${args[i + 1]} ;;
			esac
		done
	fi
	# sbx may remove the socket once the ports are published; while it
	# exists, only I may enter its directory.
	local dir_mode=gone
	[ -z "$sock" ] || [ ! -e "$(dirname "$sock")" ] || dir_mode=$(stat -c '%a %U' "$(dirname "$sock")")
	echo "$sock" >"$PROJ/sockpath"
	wait_sbx_bg "$out"
	assert_status 0
	[ -n "$slirp" ] || fail "no slirp4netns child of sbx"
	[ -n "$sock" ] || fail "slirp4netns has no --api-socket: ${args[*]}"
	[ "$dir_mode" = gone ] || [ "$dir_mode" = "700 $(id -un)" ] ||
		fail "the socket's directory is '$dir_mode', not 700 and mine"
	assert_output started
}

# --- slirp4netns missing, -v -------------------------------------------------

@test "without slirp4netns, sbx run exits 125 and says to use --net none" {
	[ -n "${SBX_NOSLIRP:-}" ] || skip "SBX_NOSLIRP (a build without slirp4netns) is not set; make check sets it"
	run --separate-stderr timeout 60 "$SBX_NOSLIRP" run true
	assert_status 125
	assert_one_error_line "slirp4netns"
	assert_one_error_line "--net none"
	run --separate-stderr timeout 60 "$SBX_NOSLIRP" run --net none echo fine
	assert_status 0
	assert_output fine
}

@test "-v reports when slirp4netns is ready" {
	run --separate-stderr sbx run -v true
	assert_status 0
	local line
	line=$(grep 'slirp4netns' <<<"$stderr" | grep 'ready' || true)
	[ -n "$line" ] || fail "no slirp4netns ready line:" "$stderr"
	[[ "$line" =~ [0-9] ]] || fail "the ready line has no pid or time: $line"
	run --separate-stderr sbx run -v --net none true
	assert_status 0
	[[ "$stderr" != *"slirp4netns"*"ready"* ]] || fail "--net none reported slirp4netns: $stderr"
}

@test "without a subordinate range the sandbox still has its network" {
	require_no_subids
	local port
	port=$(free_port)
	host_tcp_server 127.0.0.1 "$port" hello-host
	run --separate-stderr sbx run --allow-host-loopback sh -c "
		ip -o -4 addr show dev tap0; timeout 10 python3 nt.py tcpget 10.0.2.2 $port 5"
	assert_status 0
	assert_output_contains "inet 10.0.2.100/24"
	assert_output_contains "hello-host"
	# The single-id map warning, and nothing else.
	[ "$(grep -c '' <<<"$stderr")" -eq 1 ] || fail "expected one warning line:" "$stderr"
}

# --- nothing left behind ----------------------------------------------------

@test "no slirp4netns of mine is left once sbx returns" {
	local out=$PROJ/out slirp
	start_sbx_bg "$out" run sh -c "echo started; $(wait_for_file_sh stop)"
	wait_payload file_contains "$out" started || {
		touch "$PROJ/stop"
		wait_sbx_bg "$out"
		fail "the payload did not start: $stderr"
	}
	slirp=$(sbx_slirp_pid) || {
		touch "$PROJ/stop"
		wait_sbx_bg "$out"
		fail "sbx started no slirp4netns"
	}
	touch "$PROJ/stop"
	wait_sbx_bg "$out"
	local left=0
	pid_gone "$slirp" || left=1
	assert_status 0
	[ "$left" -eq 0 ] || fail "slirp4netns $slirp still runs after sbx returned"
}

@test "killing sbx with SIGKILL leaves no slirp4netns behind" {
	local out=$PROJ/out slirp
	start_sbx_bg "$out" run sh -c "echo started; sleep 300"
	wait_payload file_contains "$out" started || fail "the payload did not start: $(cat "$out.err")"
	slirp=$(sbx_slirp_pid) || fail "sbx started no slirp4netns"
	kill -9 "$SBX_PID"
	wait "$SBX_PID" 2>/dev/null || true
	SBX_PID=
	wait_until 10 pid_gone "$slirp" || {
		kill -9 "$slirp" 2>/dev/null || true
		fail "slirp4netns $slirp still runs 1 s after sbx was killed"
	}
}

@test "slirp4netns keeps running when Ctrl-C reaches sbx's process group" {
	local port out=$PROJ/out
	port=$(free_port)
	host_tcp_server 127.0.0.1 "$port" hello-host
	# setsid: sbx leads its own group, as a shell job at a terminal does.
	setsid env --default-signal "$SBX" run --allow-host-loopback -- sh -c "
		trap 'sleep 0.3; python3 nt.py tcpget 10.0.2.2 $port 5; exit 0' INT
		echo started; sleep 300 & wait" >"$out" 2>"$out.err" 3>&- </dev/null &
	SBX_PID=$!
	wait_payload file_contains "$out" started || fail "the payload did not start: $(cat "$out.err")"
	local slirp
	slirp=$(sbx_slirp_pid) || fail "sbx started no slirp4netns"
	[ "$(ps -o pgid= -p "$SBX_PID" | tr -d ' ')" = "$SBX_PID" ] || fail "setsid did not make sbx a group leader"
	kill -INT -- "-$SBX_PID"
	wait_sbx_bg "$out"
	assert_status 0
	assert_output "started
hello-host"
}

@test "sbx warns when slirp4netns dies while the sandbox runs" {
	local out=$PROJ/out slirp
	start_sbx_bg "$out" run sh -c "echo started; $(wait_for_file_sh stop); exit 3"
	wait_payload file_contains "$out" started || fail "the payload did not start: $(cat "$out.err")"
	slirp=$(sbx_slirp_pid) || fail "sbx started no slirp4netns"
	kill -9 "$slirp"
	# Gone, or a zombie sbx has not reaped yet: either way it serves no more.
	wait_until 100 pid_gone "$slirp" || fail "slirp4netns $slirp survived SIGKILL"
	touch "$PROJ/stop"
	wait_sbx_bg "$out"
	assert_status 3
	[ "$(grep -c 'slirp4netns' <<<"$stderr")" -eq 1 ] || fail "expected one warning line about slirp4netns:" "$stderr"
}

@test "20 networked runs in a row all work and leave nothing behind" {
	local before after i bad=0 pids=()
	before=$(tmp_snapshot)
	for i in $(seq 20); do
		# Every other run publishes a port: the API socket and its
		# directory must go too.
		local pub=()
		[ $((i % 2)) -eq 0 ] || pub=(-p "$(free_port):80")
		run --separate-stderr sbx run -v "${pub[@]}" cat /sys/class/net/tap0/address
		if [ "$status" -ne 0 ] || [ -z "$output" ]; then
			printf 'run %s: status %s: %s\n' "$i" "$status" "$stderr" >&2
			bad=$((bad + 1))
		fi
		mapfile -t -O "${#pids[@]}" pids < <(grep -oE 'slirp4netns[^0-9]*pid[ =:]*[0-9]+' <<<"$stderr" | grep -oE '[0-9]+$')
	done
	[ "$bad" -eq 0 ] || fail "$bad of 20 runs failed"
	[ "${#pids[@]}" -eq 20 ] || fail "-v named ${#pids[@]} slirp4netns pids in 20 runs"
	local p
	for p in "${pids[@]}"; do
		pid_gone "$p" || fail "slirp4netns $p (from -v) still runs"
	done
	[ -z "$(orphan_slirps)" ] || fail "slirp4netns without a sandbox: $(orphan_slirps)"
	after=$(tmp_snapshot)
	[ "$before" = "$after" ] || fail "left behind:" "$(comm -13 <(echo "$before") <(echo "$after"))"
}

@test "16 networked runs at once all work and leave nothing behind" {
	local before after i bad=0
	before=$(tmp_snapshot)
	local -a pids=()
	local ports=() port
	while [ "${#ports[@]}" -lt 16 ]; do
		port=$(free_port)
		[[ " ${ports[*]} " == *" $port "* ]] || ports+=("$port")
	done
	for i in $(seq 16); do
		timeout --kill-after=5 "$SBX_TEST_TIMEOUT_S" "$SBX" run -v -p "${ports[i - 1]}:80" -- \
			sh -c 'ip -o -4 addr show dev tap0' >"$PROJ/c$i.out" 2>"$PROJ/c$i.err" 3>&- </dev/null &
		pids+=($!)
	done
	for i in $(seq 16); do
		if ! wait "${pids[i - 1]}"; then
			printf 'run %s failed: %s\n' "$i" "$(cat "$PROJ/c$i.err")" >&2
			bad=$((bad + 1))
		elif ! grep -q 'inet 10.0.2.100/24' "$PROJ/c$i.out"; then
			printf 'run %s has no 10.0.2.100: %s\n' "$i" "$(cat "$PROJ/c$i.out")" >&2
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ] || fail "$bad of 16 runs failed"
	local p spids
	spids=$(cat "$PROJ"/c*.err | grep -oE 'slirp4netns[^0-9]*pid[ =:]*[0-9]+' | grep -oE '[0-9]+$' || true)
	[ "$(grep -c . <<<"$spids")" -eq 16 ] || fail "-v named these slirp4netns pids in 16 runs: $spids"
	for p in $spids; do
		pid_gone "$p" || fail "slirp4netns $p (from -v) still runs"
	done
	[ -z "$(orphan_slirps)" ] || fail "slirp4netns without a sandbox: $(orphan_slirps)"
	after=$(tmp_snapshot)
	[ "$before" = "$after" ] || fail "left behind:" "$(comm -13 <(echo "$before") <(echo "$after"))"
}
