"""The benchmark scripts' command lines, read from their docstring's `usage:` line (one rule for all)."""
import sys


def check_arguments(doc):
    """Checks the arguments against the docstring's `usage:` line: -h or --help prints the docstring
    and exits 0; too few or too many arguments print the usage and exit 2 (before anything is
    written: make_sample.py --help once wrote the sample into a folder named --help)."""
    usage = next(line for line in doc.splitlines() if line.startswith("usage:"))
    names = usage.split("→")[0].split()[2:]
    required = [n for n in names if not n.startswith("[")]
    given = sys.argv[1:]
    if any(a in ("-h", "--help") for a in given):
        print(doc.strip())
        sys.exit(0)
    if not len(required) <= len(given) <= len(names):
        print(usage.strip(), file=sys.stderr)
        sys.exit(2)
