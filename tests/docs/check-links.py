#!/usr/bin/env python3
"""docs:links — every relative link and every repository file named in README.md and
docs/*.md resolves, so a reader never follows a dead end.

Checked:
  - markdown links [text](target) and reference definitions [id]: target, outside code:
    the file or directory must exist; a #fragment must name a heading of the target page
    (GitHub's anchor rules); http(s)/mailto links are not fetched (no network in tests);
  - repository paths inside `code` and in ```sh blocks: any word that starts with a
    top-level entry of the repository (`scripts/demo`, `tests/fuzz/run-short`,
    `packaging/man/pam_squadcast.8`, ...) must exist; a word with * must match a file;
    words with <placeholders> or $variables are skipped;
  - our man pages named like `pam_squadcast(8)` must exist in packaging/man/.

  check-links.py SOURCE_DIR [FILE.md...]     (default: README.md and docs/*.md)
Exit 0 when everything resolves, 1 with one line per broken reference otherwise.
"""
import glob
import os
import re
import sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
pages = sys.argv[2:] or [os.path.join(root, "README.md")] + sorted(
    glob.glob(os.path.join(root, "docs", "**", "*.md"), recursive=True))

# Top-level names a path in the docs can start with (build trees are not the repository's).
top_level = sorted(
    name for name in os.listdir(root)
    if name not in (".git",) and not name.startswith("build") and name != "out")

LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
MAN_REF = re.compile(r"\b((?:pam_)?squadcast[a-z_-]*)\(([1-8])\)")
FENCE = re.compile(r"^\s{0,3}(```+|~~~+)\s*([A-Za-z0-9_+-]*)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__", "", heading.strip()).lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


anchor_cache = {}


def anchors(path):
    if path not in anchor_cache:
        found, seen, fence = set(), {}, None
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = FENCE.match(line)
                if m:
                    fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
                    continue
                if fence:
                    continue
                h = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
                if h:
                    base = slug(h.group(1))
                    n = seen.get(base, 0)
                    found.add(base if n == 0 else f"{base}-{n}")
                    seen[base] = n + 1
                for explicit in re.findall(r"<a\s+(?:name|id)=\"([^\"]+)\"", line):
                    found.add(explicit)
        anchor_cache[path] = found
    return anchor_cache[path]


def check_link(page, target):
    checked["links"] += 1
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:, ...
        return None
    path, _, fragment = target.partition("#")
    resolved = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
    if not os.path.exists(resolved):
        return f"link to missing {path}"
    if not resolved.startswith(root + os.sep) and resolved != root:
        return f"link leaves the repository: {path}"
    if fragment and resolved.endswith(".md") and fragment not in anchors(resolved):
        return f"link to missing heading #{fragment} in {os.path.relpath(resolved, root)}"
    return None


def repo_paths(text):
    """Words of a code span or sh line that name something in the repository."""
    for word in re.split(r"[\s=\"'()\[\],;|]+", text):
        word = re.sub(r"^\./", "", word).rstrip(".:")
        if "/" not in word or any(c in word for c in "<>$~{}@"):
            continue
        if "..." in word or "…" in word:
            continue
        if word.split("/")[0] in top_level:
            yield word


checked = {"links": 0, "paths": 0}


def check_repo_path(word):
    checked["paths"] += 1
    full = os.path.join(root, word)
    if "*" in word or "?" in word:
        return None if glob.glob(full) else f"no file matches {word}"
    return None if os.path.exists(full) else f"names missing {word}"


problems = []
for page in pages:
    rel = os.path.relpath(page, root)
    fence, fence_lang = None, ""
    with open(page, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for number, line in enumerate(lines, 1):
        where = f"{rel}:{number}"
        m = FENCE.match(line)
        if m:
            if fence and m.group(1)[0] == fence:
                fence = None
            elif not fence:
                fence, fence_lang = m.group(1)[0], m.group(2)
            continue
        if fence:
            if fence_lang in ("sh", "bash", "shell", "console"):
                code = line.split(" #", 1)[0]
                for word in repo_paths(code):
                    error = check_repo_path(word)
                    if error:
                        problems.append(f"{where}: {error}")
            continue
        spans = [s for _, s in CODE_SPAN.findall(line)]
        prose = CODE_SPAN.sub("", line)
        targets = LINK.findall(prose) + IMAGE.findall(prose)
        d = REFDEF.match(prose)
        if d:
            targets.append(d.group(1))
        for target in targets:
            error = check_link(page, target)
            if error:
                problems.append(f"{where}: {error}")
        for span in spans:
            for word in repo_paths(span):
                error = check_repo_path(word)
                if error:
                    problems.append(f"{where}: `{span}` {error}")
            for name, section in MAN_REF.findall(span):
                if not os.path.exists(os.path.join(root, "packaging", "man", f"{name}.{section}")):
                    problems.append(f"{where}: man page {name}({section}) is not in packaging/man/")
    print(f"ok: {rel} read ({len(lines)} lines)" if not any(p.startswith(rel + ":") for p in problems)
          else f"FAIL: {rel}")

for problem in problems:
    print(f"FAIL: {problem}")
if problems:
    print(f"docs:links: {len(problems)} broken reference(s)")
    sys.exit(1)
print(f"docs:links: {checked['links']} links and {checked['paths']} repository paths "
      f"in {len(pages)} pages resolve")
