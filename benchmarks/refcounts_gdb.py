# Counts reference-count operations on one thread of `impact`, by the source line that calls them
# (inlined frames included), to find what is retained and released per record. A gdb script:
#
#   cd benchmarks/data/national-10
#   IMPACT_BREAK='RowMapperC3map.*skip.*AttendanceC0C_Tg5' IMPACT_ARGS='run pipeline-csv.yml --output /tmp/rc --quiet' \
#     gdb -q -batch -x ../../refcounts_gdb.py ../../../.build/release/impact
#
# IMPACT_BREAK: a regular expression for the (mangled) function whose thread is watched (the default:
# the mapping of a batch of attendance rows); the script
# skips its first IMPACT_SKIP calls (default 40: the caches warm up), then counts the next
# IMPACT_EVENTS (default 600) calls of swift_retain and swift_release on that thread. Each line of the
# output: how many calls, the runtime function, its caller's file:line, and what the object is
# (its type's symbol; "not a pointer" for a small string's bits, which the runtime returns on at once).
# Divide by the records mapped meanwhile (the calls of IMPACT_BREAK's loop) for a per-record count.
import collections
import os
import re

import gdb

gdb.execute("set pagination off")
gdb.execute("set print thread-events off")
gdb.execute("set confirm off")
pattern = os.environ.get("IMPACT_BREAK", r"RowMapperC3map.*skip.*AttendanceC0C_Tg5")
args = os.environ.get("IMPACT_ARGS", "run pipeline-csv.yml --output /tmp/refcounts --quiet")
skip = int(os.environ.get("IMPACT_SKIP", "40"))
events = int(os.environ.get("IMPACT_EVENTS", "600"))

if "Breakpoint" not in gdb.execute("rbreak %s" % pattern, to_string=True):
    raise SystemExit("no function matches IMPACT_BREAK=%s (nm the binary for its mangled name)" % pattern)
gdb.execute("run %s > /dev/null 2>&1" % args)
for _ in range(skip):
    gdb.execute("continue", to_string=True)
thread = gdb.selected_thread().num
gdb.execute("delete")
gdb.execute("break swift_retain thread %d" % thread, to_string=True)
gdb.execute("break swift_release thread %d" % thread, to_string=True)

counts = collections.Counter()
what = {}
for _ in range(events):
    gdb.execute("continue", to_string=True)
    frame = gdb.newest_frame()
    caller = frame.older()
    sal = caller.find_sal() if caller else None
    where = "%s:%s" % (sal.symtab.filename.split("/")[-1], sal.line) if sal and sal.symtab else "?"
    key = "%s %s" % (frame.name(), where)
    counts[key] += 1
    if key not in what:
        rdi = int(gdb.parse_and_eval("$rdi"))
        try:
            text = gdb.execute("info symbol *(long*)%d" % rdi, to_string=True).strip()
            what[key] = re.sub(r" in section .*", "", text)
        except gdb.error:
            what[key] = "not a pointer"
for key, n in counts.most_common():
    print("%5d  %s  %s" % (n, key, what[key]))
gdb.execute("kill")
