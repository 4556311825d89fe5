#!/usr/bin/env python3
"""bench/fleet --modes: fleet_bench's and fleet_modes' tables into bench/results/fleet-modes.md."""
import os
import platform
import sys


def sections(path):
    """FANOUT/REACH/BURST -> text, from fleet_modes' report."""
    out, name = {}, None
    with open(path) as f:
        for line in f:
            if line.strip() in ("FANOUT", "REACH", "BURST"):
                name = line.strip()
                out[name] = ""
            elif name:
                out[name] += line
    return out


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, kernel {platform.release()}"


def main():
    mix_path, modes_path, hosts, ttl, roster_ttl, limit = sys.argv[1:7]
    with open(mix_path) as f:
        mix = f.read()
    s = {name: text for name, text in sections(modes_path).items()}
    for name in ("FANOUT", "REACH", "BURST"):
        s.setdefault(name, "not measured in this run\n")
    print(f"""# Token mode and directory mode on a simulated fleet (bench/fleet --modes)

{hosts} hosts, 20 users (u01..u20, all in team `fleet`; u02 on call on schedule 900 "Fleet primary"),
the emulator's per-token rate limit at **{limit} calls per minute on every token**, timeout=5. Each
login is a process of its own through the real libpam and pam_squadcast.so (`pam_start_confdir`),
a PAM service and cache_dir per host:

- **token**: `auth` with the person's own token (`pam_authenticate`), cache_ttl;
- **directory**: `account` (`pam_acct_mgmt`, as sshd runs after a public-key login),
  `token_source=host require_team=fleet` (or `require_oncall=fleet`), each host its **own** host
  credential (a token of the `user`-role host user fleet-host@acme.test);
- **shared**: the same, but all {hosts} hosts hold **one** host credential.

The host tokens are seeded by the bench (one per host plus one shared, all of the same host user),
the same as minting them with `POST /v3/refresh-token` as the owner.

## The login mix, and offboarding (delete the user)

About 40 logins/s for 40 s, 80% of a user's logins on "their" hosts; at 15 s u01 is deleted
(`/_control/user/delete`, which also revokes u01's tokens). TTL is cache_ttl (token) or
roster_ttl (directory), both {ttl} s here so the two compare.

{mix}
- *offboarding*: from the delete to the end of the last login of u01 that any host allowed (u01
  keeps trying, and retries every host that ever let it in until a full pass refuses); the bound
  is TTL + timeout. *wrong allows*: allowed logins of u01 that started after that bound.
- *other 19 users*: AUTHINFO_UNAVAIL is "Squadcast unavailable" (here: 429s), a refusal.
- *API calls per host per hour*: every request the emulator counted during the run (exchanges,
  user lookups, team lists, members; the run starts cold, so this includes every host's first
  fetches), extrapolated; per login in brackets.
- *busiest token*: the most calls on one token (`/_control/token_counters`, 429s included),
  averaged per minute over the run (under a minute long, so a burst above the limit can pass the
  sliding window and still average above it). Token mode: a user's token; directory: one host's
  credential; shared: the fleet's one credential. It counts u01's token too: after the delete
  u01 keeps retrying every host that let it in, in token mode each retry spending u01's
  (deleted) token until 429s stop it, so token mode's figure is not one healthy user's load.
- Directory mode's calls include each host's fixed first cost (host exchange, its own identity,
  the team list, the team's members: 4 calls per host, about 2,000 of the run) in a 40 s run
  from cold, with roster_ttl=10 (the default is 60): steady state is lower, and it does not
  grow with logins (docs/directory-mode.md gives the bound).
- *shared*: u01 is "shut out" at once because nearly every login of anyone gets a 429 on
  the one credential: the delete is not what refuses it.

## Fan-out: one user to every host within 10 s

u02 logs in to host 0, 1, ... {int(hosts) - 1}, started evenly over 10 s (64 at a time at most), caches
empty, as pssh or Ansible would. Target: 0 refusals in directory mode.

{s["FANOUT"]}
*busiest token*: the most calls counted on a single token during the fan-out (429s included).

## Offboarding and hand-off reach (directory mode, per-host credentials)

{s["REACH"]}
Per host, *reached* is the end of the first login in the new state after which every later
login is too (an upper bound: a host may have changed up to one sweep earlier). *wrong answers*:
logins started after the target that still gave the old answer (an admitted u05, u04 or u02, or
a refused u03). The target for the previous responder, the deleted and the removed user is
roster_ttl + timeout; for the new responder, 10 s + timeout (a refusal from a roster at least
10 s old asks again). *other answers*: neither admitted nor refused (AUTHINFO_UNAVAIL and the
like, counted as refusals).

Token mode is not in this table: at this rate limit one user's token cannot even warm 500 hosts
(see the fan-out); its offboarding reach is the login mix's row above and
[fleet.md](fleet.md) (revoke: within cache_ttl + timeout).

## One host, 200 cold logins at once

Host 0, cache_dir empty, 200 processes released together, each one `pam_acct_mgmt` for u01..u20
in turn (10 each). The emulator counts the requests; single flight (the roster lock) should
make each roster one request.

{s["BURST"]}
User lookups include the host credential's own identity lookup (once per host access token):
the target is 21 (20 people + 1). require_oncall admits only u02 (10 logins).

Generated by `bench/fleet --modes` on {machine()}; 2 cores shared with other builds while it
ran, the emulator on the same cores: the times are wall-clock and only comparable within a run.
Decision cost (warm, cold, against curl) is in [latest.md](latest.md), rows "directory mode".""")


if __name__ == "__main__":
    main()
