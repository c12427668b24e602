#!/bin/sh
# make demo: pidone as PID 1 of a new pid namespace. The workload leaves five
# orphans behind, then sends SIGTERM to PID 1 (pidone), which forwards it back
# to the workload; pidone reaps every orphan and exits with the workload's 143.
set -u
pidone=${1:-./pidone}
if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root for a new pid namespace (unshare -p)" >&2
	exit 1
fi

workload='
echo "workload: I am pid $$ in a new pid namespace; PID 1 is $(cat /proc/1/comm)"
trap "echo workload: got SIGTERM from pidone, exiting 143; exit 143" TERM
for i in 1 2 3 4 5; do (sleep 0.2 &); done
echo "workload: left 5 orphans (their parents exited); they now belong to PID 1"
ps -o pid,ppid,stat,comm 2>/dev/null || ls /proc | grep "^[0-9]"
sleep 0.5
echo "workload: zombies now: $(grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l)"
echo "workload: kill -TERM 1"
kill -TERM 1
while :; do sleep 1; done
'

echo "\$ unshare -fp --mount-proc $pidone -vv -- sh -c '<workload>'"
unshare -fp --mount-proc "$pidone" -vv -- sh -c "$workload"
echo "pidone exited with $?"
