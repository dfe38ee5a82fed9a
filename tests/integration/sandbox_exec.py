"""sandbox_exec.py UNIT PROG [ARGS...]: run PROG under the system-call
sandbox that systemd builds from UNIT's SystemCallFilter=,
SystemCallErrorNumber=, RestrictAddressFamilies= and
MemoryDenyWriteExecute= (with no new privileges), so that a test sees
whether the daemon runs inside the unit it is shipped with, on a
machine whose PID 1 is not systemd.

The syscall groups (@system-service, ~@privileged...) are expanded with
"systemd-analyze syscall-filter", as systemd itself defines them.  The
rest of the unit (ProtectSystem=, namespaces, users) is not applied.
"""
import errno
import mmap
import os
import re
import socket
import subprocess
import sys

import seccomp

_groups = {}


def expand(name):
    """The system calls a filter item names (a group, recursively)."""
    if not name.startswith("@"):
        return {name}
    if name not in _groups:
        out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                             capture_output=True, text=True,
                             check=True).stdout
        calls = set()
        for line in out.splitlines()[1:]:
            item = line.strip()
            if item and not item.startswith("#"):
                calls |= expand(item)
        _groups[name] = calls
    return _groups[name]


def settings(unit):
    """Each Key=value of the [Service] section, values in order."""
    keys = {}
    for line in open(unit, encoding="utf-8"):
        m = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
        if m:
            keys.setdefault(m.group(1), []).append(m.group(2))
    return keys


def allowed(filters):
    """The allow list: the first line's, less every "~" line's."""
    calls = set()
    for i, value in enumerate(filters):
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand(item)
        if deny:
            calls -= names
        elif i == 0:
            calls = names
        else:
            calls |= names
    return calls


def build(unit):
    keys = settings(unit)
    err = getattr(errno, keys.get("SystemCallErrorNumber", ["EPERM"])[-1])
    calls = allowed(keys.get("SystemCallFilter", []))
    f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(err))
    special = set()
    families = keys.get("RestrictAddressFamilies", [""])[-1].split()
    if families and "socket" in calls:
        special.add("socket")
        for fam in families:
            f.add_rule(seccomp.ALLOW, "socket",
                       seccomp.Arg(0, seccomp.EQ, getattr(socket, fam)))
    if keys.get("MemoryDenyWriteExecute", ["no"])[-1] == "yes":
        special |= {"mmap", "mprotect", "pkey_mprotect"}
        for bit in (mmap.PROT_WRITE, mmap.PROT_EXEC):
            f.add_rule(seccomp.ALLOW, "mmap",
                       seccomp.Arg(2, seccomp.MASKED_EQ, bit, 0))
        for call in ("mprotect", "pkey_mprotect"):
            f.add_rule(seccomp.ALLOW, call,
                       seccomp.Arg(2, seccomp.MASKED_EQ, mmap.PROT_EXEC, 0))
    for call in sorted(calls - special):
        try:
            f.add_rule(seccomp.ALLOW, call)
        except (RuntimeError, ValueError):
            pass  # not a system call on this architecture
    return f


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: sandbox_exec.py UNIT PROG [ARGS...]")
    build(sys.argv[1]).load()
    os.execv(sys.argv[2], sys.argv[2:])


main()
