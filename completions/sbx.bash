# bash completion for sbx(1).  make man-check compares the option list
# below with `sbx run --help`.
_sbx() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local run_opts="--user --net --allow-host-loopback --publish --mtu --hostname --bind --ro-bind --tmpfs --cwd --home --workdir --env --clearenv --tty --seccomp --allow-userns --print-seccomp --timeout --kill-after --rlimit --memory --pids --cpus --stats --json-status-fd --overlay --rootfs --rootfs-rw --profile --verbose --help"

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
