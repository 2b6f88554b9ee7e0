#!/usr/bin/env python3
"""Checks contrib/Containerfile without building it (SPEC §10, issue 11).

No registry can be reached where Herald is developed and Debian has no
Dockerfile linter (hadolint is not packaged), so this parses the file by the
Dockerfile reference's rules (instructions, line continuations, exec-form
JSON) and checks what the issue asks of it: multi-stage from debian:12-slim,
the binary copied from the build stage, a HEALTHCHECK, a non-root USER, the
SQLite directory as a VOLUME; and that the runtime stage installs, from
Debian, the package of every shared library the herald binary links directly
(readelf NEEDED → dpkg -S).
"""
import argparse
import json
import re
import subprocess
import sys

INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
                "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK",
                "SHELL", "MAINTAINER"}


def parse(text):
    """[(line number, INSTRUCTION, arguments)] with continuations joined."""
    out, pending, start = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comments inside a continued instruction are dropped
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, args = full.partition(" ")
        out.append((start, keyword.upper(), args.strip()))
    if pending:
        raise ValueError(f"line {start}: the file ends inside a continued instruction")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containerfile", required=True)
    parser.add_argument("--binary", required=True, help="a built herald, for its NEEDED libraries")
    args = parser.parse_args()
    failures = []
    instructions = parse(open(args.containerfile).read())

    stages, current = [], None
    for number, keyword, rest in instructions:
        if keyword not in INSTRUCTIONS:
            failures.append(f"line {number}: unknown instruction {keyword}")
        if keyword in ("CMD", "ENTRYPOINT", "VOLUME") and rest.startswith("["):
            try:
                json.loads(rest)
            except ValueError as e:
                failures.append(f"line {number}: {keyword}'s exec form is not JSON: {e}")
        if keyword == "FROM":
            m = re.match(r"^(\S+)(?:\s+AS\s+(\S+))?$", rest, re.I)
            if not m:
                failures.append(f"line {number}: malformed FROM")
                continue
            current = {"image": m.group(1), "name": m.group(2), "lines": []}
            stages.append(current)
        elif current is None:
            if keyword != "ARG":
                failures.append(f"line {number}: {keyword} before the first FROM")
        else:
            current["lines"].append((number, keyword, rest))

    if len(stages) < 2:
        failures.append("not multi-stage")
    final = stages[-1] if stages else {"image": "", "lines": []}
    if final["image"] != "debian:12-slim":
        failures.append(f"the final stage is FROM {final['image']}, not debian:12-slim")
    names = {s["name"] for s in stages if s["name"]}
    final_keywords = [k for _, k, _ in final["lines"]]
    for number, keyword, rest in final["lines"]:
        m = re.search(r"--from=(\S+)", rest)
        if keyword == "COPY" and m and m.group(1) not in names:
            failures.append(f"line {number}: COPY --from={m.group(1)} names no stage")
    if not any(k == "COPY" and "--from=" in r and "/usr/bin/herald" in r
               for _, k, r in final["lines"]):
        failures.append("the final stage does not copy the binary from the build stage")
    if "HEALTHCHECK" not in final_keywords:
        failures.append("no HEALTHCHECK")
    users = [r for _, k, r in final["lines"] if k == "USER"]
    if not users or users[-1] in ("root", "0"):
        failures.append("the final stage runs as root")
    volumes = " ".join(r for _, k, r in final["lines"] if k == "VOLUME")
    if "/var/lib/herald" not in volumes:
        failures.append("/var/lib/herald is not a VOLUME")

    # The runtime packages cover every library the binary links directly.
    installed = set()
    for _, keyword, rest in final["lines"]:
        if keyword == "RUN" and "apt-get install" in rest:
            installed.update(re.findall(r"\b(lib[a-z0-9.+-]+|ca-certificates|curl)\b", rest))
    readelf = subprocess.run(["readelf", "-d", args.binary], capture_output=True, text=True,
                             check=True).stdout
    for library in re.findall(r"\(NEEDED\).*\[(.+)\]", readelf):
        if library.startswith(("libc.so", "libm.so", "libstdc++", "libgcc_s", "ld-linux")):
            continue  # in every Debian image
        owner = subprocess.run(["dpkg", "-S", library], capture_output=True, text=True)
        packages = {line.split(":")[0] for line in owner.stdout.splitlines()
                    if "-dev" not in line.split(":")[0]}
        if not packages & installed:
            failures.append(f"{library} (Debian {', '.join(sorted(packages)) or '?'}) "
                            "is not installed in the final stage")
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(instructions)} instructions in {len(stages)} stages, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
