# Counting TAP, shared by tests/check.sh and tests/stress/run.sh. The
# caller keeps the totals in passed, failed and skipped.

# Count one TAP stream (a file), then account for what it did not say:
# tests a plan announced but never reported, and a runner that failed
# without reporting any failing test (a crash, a bats file that did not load).
count_tap() {
	local file=$1 rc=$2 what=$3 line plan=0 seen=0 f=0
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line =~ ^1\.\.([0-9]+) ]]; then
			plan=$((plan + BASH_REMATCH[1]))
		elif [[ $line =~ ^(not\ )?ok\ [0-9]+ ]]; then
			seen=$((seen + 1))
			# bats: "ok 3 name # skip reason"; cmocka: "not ok 3 # SKIP name"
			if [[ ${line,,} =~ \ \#\ (skip|todo)([[:space:]]|$) ]]; then
				skipped=$((skipped + 1))
			elif [[ $line == "not ok"* ]]; then
				failed=$((failed + 1))
				f=$((f + 1))
			else
				passed=$((passed + 1))
			fi
		fi
	done <"$file"
	if [ "$seen" -lt "$plan" ]; then
		echo "# $what planned $plan tests but reported $seen; counting the rest as failed"
		failed=$((failed + plan - seen))
		f=$((f + plan - seen))
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $what exited with status $rc without a failing test; counting one failure"
		failed=$((failed + 1))
	fi
}
