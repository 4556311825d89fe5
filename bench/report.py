#!/usr/bin/env python3
"""Turns bench/measure's numbers into the markdown table, with targets and verdicts."""
import json
import os
import platform
import statistics
import subprocess
import sys


def load(path):
    """name -> (median ms over rounds, max RSS KiB) from spawn-bench JSON lines."""
    rounds = {}
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            rounds.setdefault(row["name"], []).append(row["result"])
    return {name: (statistics.median(r["median"] for r in results), max(r["max_rss_kib"] for r in results))
            for name, results in rounds.items()}


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    distro = subprocess.run(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {distro}, kernel {platform.release()}"


def main():
    hit_path, cold_path, par_exchanges, par_ms, par_failures, pam_rows = sys.argv[1:7]
    hit_rows, cold_rows = load(hit_path), load(cold_path)
    hit = {name: ms for name, (ms, _) in hit_rows.items()}
    cold = {name: ms for name, (ms, _) in cold_rows.items()}
    ours = hit["squadcast (git get, cache hit)"]
    floor = hit["cat small file (floor)"]
    libsecret = hit["git-credential-libsecret get"]
    cold_ours = cold["squadcast (git get, cold: exchange + user lookup)"]
    curl = cold["curl (the exchange request alone)"]
    rss_mib = hit_rows["squadcast (git get, cache hit)"][1] / 1024
    rss_cold_mib = cold_rows["squadcast (git get, cold: exchange + user lookup)"][1] / 1024
    rss_cat = hit_rows["cat small file (floor)"][1]

    out = ["# squadcast-auth benchmarks", "", f"Machine: {machine()}", ""]
    out += ["Timed with bench/spawn_bench.c (fork, exec, wait4; no shell in between), medians.", ""]
    out += ["## Cache-hit `get`", "", "| command | median ms | x ours | peak RSS MiB |", "|---|---:|---:|---:|"]
    for name, (ms, rss) in sorted(hit_rows.items(), key=lambda kv: kv[1][0]):
        out.append(f"| {name} | {ms:.3f} | {ms / ours:.2f} | {rss / 1024:.1f} |")
    out += ["", "## Cold exchange", "", "| command | median ms | peak RSS MiB |", "|---|---:|---:|"]
    for name, (ms, rss) in cold_rows.items():
        out.append(f"| {name} | {ms:.2f} | {rss / 1024:.1f} |")
    out += ["", "## 64 concurrent cold gets", "",
            f"{par_exchanges} exchange(s) reached the emulator; wall time {par_ms} ms; {par_failures} failed."]
    if pam_rows.strip():
        out += ["", "## PAM", "", "| scenario | result |", "|---|---:|"] + pam_rows.strip().splitlines()
    out += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]

    def row(name, measured, met):
        out.append(f"| {name} | {measured} | {'yes' if met else '**NO**'} |")

    row("cache-hit get <= 0.30 x git-credential-libsecret", f"{ours / libsecret:.3f} x", ours <= 0.30 * libsecret)
    row("cache-hit get <= 1.3 x cat (floor)", f"{ours / floor:.2f} x", ours <= 1.3 * floor)
    row("64 concurrent cold gets -> exactly 1 exchange", f"{par_exchanges} exchange(s) in {par_ms} ms",
        int(par_exchanges) == 1 and int(par_failures) == 0)
    row("cold get <= 1.2 x curl", f"{cold_ours / curl:.2f} x", cold_ours <= 1.2 * curl)
    row("helper peak RSS <= 8 MiB", f"{rss_mib:.1f} MiB (hit), {rss_cold_mib:.1f} MiB (cold); cat {rss_cat / 1024:.1f} MiB",
        max(rss_mib, rss_cold_mib) <= 8)
    print("\n".join(out))


if __name__ == "__main__":
    main()
