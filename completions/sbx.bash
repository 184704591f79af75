# bash completion for sbx(1).  make man-check compares the option list
# below with `sbx run --help`.
_sbx() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local cap_names="CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE"
	local run_opts="--user --net --allow-host-loopback --publish --mtu --hostname --bind --ro-bind --tmpfs --cwd --home --workdir --env --clearenv --tty --seccomp --allow-userns --cap-add --print-seccomp --timeout --kill-after --rlimit --memory --pids --cpus --stats --json-status-fd --overlay --rootfs --rootfs-rw --profile --verbose --help"

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "run diff profiles doctor --version --help" -- "$cur"))
		return
	fi
	case ${COMP_WORDS[1]} in
	run)
		case $prev in
		--user) COMPREPLY=($(compgen -W "keep root" -- "$cur")); return ;;
		--net) COMPREPLY=($(compgen -W "slirp none" -- "$cur")); return ;;
		--cwd) COMPREPLY=($(compgen -W "rw ro none" -- "$cur")); return ;;
		--home) COMPREPLY=($(compgen -W "tmpfs ro rw" -- "$cur")); return ;;
		--tty | -t) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
		--seccomp) COMPREPLY=($(compgen -W "default" -f -- "$cur")); return ;;
		--profile) COMPREPLY=($(compgen -W "$(sbx profiles 2>/dev/null | cut -f1)" -f -- "$cur")); return ;;
		--bind | --ro-bind | --overlay | --rootfs | --workdir | -w) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--cap-add) COMPREPLY=($(compgen -W "$cap_names" -- "${cur^^}")); return ;;
		--rlimit) COMPREPLY=($(compgen -W "as= core= cpu= data= fsize= locks= memlock= msgqueue= nice= nofile= nproc= rss= rtprio= rttime= sigpending= stack=" -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$run_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -c -- "$cur"))
		fi
		;;
	diff) COMPREPLY=($(compgen -W "--json --apply --dry-run" -d -- "$cur")) ;;
	esac
}
complete -F _sbx sbx
