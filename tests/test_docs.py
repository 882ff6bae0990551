"""The README is a short door and the docs/ pages it opens onto are all there."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"

DEMO_COMMAND = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && qrshop demo"
)
TEST_COMMAND = (
    "apt-get update && apt-get install -y chromium zbar-tools poppler-utils && "
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest"
)

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
INLINE_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
REFERENCE_TARGET = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*<?([^\s>]+)>?(?:[ \t].*)?$", re.MULTILINE)
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def doc_files() -> list[Path]:
    """The README and every page under docs/."""
    return [README, *sorted((REPO / "docs").glob("*.md"))]


def prose(markdown: str) -> str:
    """The text with fenced code blocks and inline code spans taken out."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def link_targets(markdown: str) -> list[str]:
    """Every inline and reference link target, in order."""
    text = prose(markdown)
    return INLINE_TARGET.findall(text) + REFERENCE_TARGET.findall(text)


def anchors(markdown: str) -> set[str]:
    """The heading anchors GitHub makes: lower case, punctuation dropped, spaces to dashes."""
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def broken_links(page: Path, root: Path = REPO) -> list[str]:
    """The relative links of a page that leave the repository or point at nothing."""
    problems = []
    for target in link_targets(page.read_text(encoding="utf-8")):
        where = f"{page.relative_to(root)}: {target!r}"
        if target.startswith("//") or target.lower().startswith("file:"):
            problems.append(f"{where} leaves the repository")
            continue
        if SCHEME.match(target):
            continue  # a web address, not a file
        path_part, _, fragment = target.partition("#")
        if path_part.startswith("/"):
            problems.append(f"{where} is an absolute path")
            continue
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.is_relative_to(root):
            problems.append(f"{where} leaves the repository")
        elif not resolved.exists():
            problems.append(f"{where} points at nothing")
        elif (fragment and resolved.suffix == ".md"
              and fragment not in anchors(resolved.read_text(encoding="utf-8"))):
            problems.append(f"{where}: no heading #{fragment} in {resolved.name}")
    return problems


def test_readme_is_a_short_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    # About 150 lines of door, plus the generated list of every API call, scope and event
    # (which grows with the API: not counted).
    begin = next(i for i, line in enumerate(lines) if line.startswith("<!-- api:begin"))
    end = lines.index("<!-- api:end -->")
    door = len(lines) - (end - begin + 1)
    assert door < 152, f"README.md has {door} lines of door; reference belongs in docs/"


def test_readme_keeps_the_demo_and_test_commands_verbatim():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert DEMO_COMMAND in lines
    assert TEST_COMMAND in lines


def test_readme_opens_onto_the_docs_index():
    assert "docs/index.md" in link_targets(README.read_text(encoding="utf-8"))


def test_every_relative_link_resolves_inside_the_repository():
    problems = [problem for page in doc_files() for problem in broken_links(page)]
    assert not problems, "\n".join(problems)


def test_every_docs_page_is_listed_in_the_index():
    index = REPO / "docs" / "index.md"
    listed = {(index.parent / target.partition("#")[0]).resolve()
              for target in link_targets(index.read_text(encoding="utf-8"))}
    missing = [page.name for page in doc_files()[1:] if page != index and page not in listed]
    assert not missing, f"docs/index.md does not link {missing}"


def test_the_link_check_catches_what_it_should(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# Door\n", encoding="utf-8")
    page = tmp_path / "docs" / "page.md"
    page.write_text("\n".join([
        "# Title", "## 2. The parties (who)", "## `qrshop demo`", "## `qrshop demo`", "",
        "[out](../../shared/DESIGN.md) [abs](/etc/passwd) [none](missing.md)",
        "[gone](#nowhere) [ok](#title) [web](https://example.com) `[code](nothing.md)`",
        "[`a [b]`](../README.md) [file](file:///etc/passwd) [x](#2-the-parties-who)",
        "[y](page.md#qrshop-demo-1)", "[z]: ../README.md#door", "[w]: ../../outside.md",
        "```", "[fenced](nothing.md)", "```",
    ]), encoding="utf-8")
    assert broken_links(page, root=tmp_path) == [
        "docs/page.md: '../../shared/DESIGN.md' leaves the repository",
        "docs/page.md: '/etc/passwd' is an absolute path",
        "docs/page.md: 'missing.md' points at nothing",
        "docs/page.md: '#nowhere': no heading #nowhere in page.md",
        "docs/page.md: 'file:///etc/passwd' leaves the repository",
        "docs/page.md: '../../outside.md' leaves the repository",
    ]
