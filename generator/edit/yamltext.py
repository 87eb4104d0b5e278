"""YAML text for the data files with ruamel.yaml: a new file from plain values (`new_yaml`), or an existing file
with some values changed and every other byte kept, comments included (`patch_yaml`)."""

from __future__ import annotations

import difflib
import io
import itertools
import json
import re
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from generator.data import PLACEHOLDER_TAG, Placeholder

WRAP = 100   # where new long text is folded


def _represent_float(representer: Any, value: float) -> Any:
    # Written so that every YAML 1.1 reader (PyYAML, which the build uses) reads a number back: 1.0e-05, not 1e-05.
    text = repr(value)
    if text in ("inf", "-inf", "nan"):
        text = {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}[text]
    elif "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


def _yaml(indent: int = 2, sequence: int = 4, offset: int = 2) -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096   # never re-wrap text that is already there
    y.indent(mapping=indent, sequence=sequence, offset=offset)
    y.representer.add_representer(float, _represent_float)
    return y


def dump(y: YAML, data: Any) -> str:
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def _foldable(text: str) -> bool:
    return ("\n" not in text and "\t" not in text and "  " not in text and text == text.strip()
            and not text.startswith(("#", "-", "?", ":", "!", "&", "*", "'", '"', "%", "@", "`", "|", ">")))


def folded(text: str, width: int | None = WRAP) -> FoldedScalarString:
    """Text as a `>-` block, its lines broken at spaces before `width` characters (one line when width is None)."""
    out = FoldedScalarString(text)
    if width:
        breaks, start, last = [], 0, -1
        for i, ch in enumerate(text):
            if ch == " ":
                if i - start > width and last > start:
                    breaks.append(last)
                    start = last + 1
                last = i
        if len(text) - start > width and last > start:
            breaks.append(last)
        out.fold_pos = breaks
    return out


def styled(value: Any, like: Any = None) -> Any:
    """A plain value ready for ruamel: text keeps the style of the value it replaces (`like`); new text that
    spans lines is a `|-` block, and long text a folded `>-` block."""
    if isinstance(value, Placeholder):
        return TaggedScalar(str(value), style='"', tag=PLACEHOLDER_TAG)
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = styled(item)
        return out
    if isinstance(value, list):
        seq = CommentedSeq(styled(item) for item in value)
        if all(not isinstance(item, (dict, list)) and not (isinstance(item, str) and ("\n" in item or len(item) > 60))
               for item in value):
            seq.fa.set_flow_style()
        return seq
    if not isinstance(value, str):
        return value
    if not _literal_safe(value):   # only a double-quoted scalar can hold it: written as escapes (`\x99`, `\t`)
        return DoubleQuotedScalarString(value)
    if (isinstance(like, LiteralScalarString) or not isinstance(like, FoldedScalarString)) and "\n" in value \
            and all(line == line.rstrip() for line in value.split("\n")):
        return LiteralScalarString(value)
    if isinstance(like, FoldedScalarString) and _foldable(value):
        return folded(value, WRAP if getattr(like, "fold_pos", None) else None)
    if isinstance(like, (DoubleQuotedScalarString, SingleQuotedScalarString)) and "\n" not in value:
        return type(like)(value)
    if like is None and len(value) > 80 and _foldable(value):
        return folded(value)
    if _read_as_other(value):   # `yes`, `1:20`, `0x1F` are text here, but YAML 1.1 readers would make them a value
        return DoubleQuotedScalarString(value)
    return value


_RESOLVER = yaml.resolver.Resolver()
# Characters a YAML reader takes as written only inside double quotes, as escapes: control characters (C0 but the
# tab and the line feed, DEL, C1), the byte order mark, what is not a character (surrogates, U+FFFE, U+FFFF), and
# the line breaks YAML 1.1 knows besides the line feed (CR, NEL, U+2028, U+2029), which elsewhere become "\n".
_NOT_LITERAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _literal_safe(text: str) -> bool:
    """Whether `text` reads back as itself written plain, in quotes or as a block: none of _NOT_LITERAL, and no
    line that begins with a tab (a block's lines begin with its indentation, where YAML allows no tab)."""
    return not _NOT_LITERAL.search(text) and not any(line.startswith("\t") for line in text.split("\n"))


def _read_as_other(text: str) -> bool:
    """Whether PyYAML (YAML 1.1, which the build reads with) would read this text, written plain, as something else."""
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str"


def new_yaml(data: dict[str, Any], head: str = "") -> str:
    """A YAML file for plain values: records separated by a blank line, lists of names in [brackets]."""
    root = styled(data)
    for value in root.values():
        if isinstance(value, CommentedSeq) and value and isinstance(value[0], CommentedMap):
            for i in range(1, len(value)):
                value.yaml_set_comment_before_after_key(i, before="\n", indent=2)
    if head:
        root.yaml_set_start_comment(head)
    return dump(_yaml(), root)


# -- editing a file in place -----------------------------------------------------------------------------------

_BLOCK_KEY = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")


def guess_indent(text: str) -> tuple[int, int]:
    """How far the file indents a mapping under its key, and a list's `- ` under its key (ruamel.yaml's own guess
    parses the whole file, which doubled the time of a save)."""
    mapping, offset = None, None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for here, after in itertools.pairwise(lines):
        key = _BLOCK_KEY.match(here)
        if not key:
            continue
        depth = len(after) - len(after.lstrip(" ")) - len(key.group(1))
        if after.lstrip(" ").startswith("- "):
            offset = depth if offset is None else offset
        elif depth > 0:
            mapping = depth if mapping is None else mapping
        if mapping is not None and offset is not None:
            break
    return mapping or 2, max(offset or 0, 0)


def load_round_trip(text: str) -> tuple[YAML, Any]:
    indent, block_seq_indent = guess_indent(text)
    y = _yaml(indent, max(indent, block_seq_indent + 2), block_seq_indent)
    return y, y.load(text)


def patch_yaml(text: str, old: Any, new: Any) -> str:
    """The file `text` (whose plain values are `old`) with the values of `new`: only what differs is rewritten;
    comments, order, quoting and layout of everything else stay as they were."""
    y, tree = load_round_trip(text)
    base = dump(y, tree)      # ruamel.yaml's own rendering of the file as it is
    changed = dump(y, _patch(tree, old, new))
    return changed if base == text else carry_over(text, base, changed)


def carry_over(original: str, base: str, changed: str) -> str:
    """Apply the change from `base` to `changed` onto `original`, where `base` is ruamel.yaml's rendering of
    `original`. ruamel.yaml keeps comments but not every layout (a plain text broken over several lines comes out
    on one): lines it renders differently are taken from `original` unless the change touches them."""
    b, o, c = base.splitlines(keepends=True), original.splitlines(keepends=True), changed.splitlines(keepends=True)
    chunks = difflib.SequenceMatcher(a=b, b=c, autojunk=False).get_opcodes()
    blocks = difflib.SequenceMatcher(a=b, b=o, autojunk=False).get_opcodes()

    def block_of(line: int) -> int:
        return next(i for i, (_, b1, b2, _, _) in enumerate(blocks) if b1 <= line < b2 or (b1 == b2 == line))

    taken: dict[int, list[str]] = {i: [] for i in range(len(blocks))}
    tail: list[str] = []
    for tag, i1, i2, j1, j2 in chunks:
        if tag == "equal":
            for k in range(i2 - i1):
                taken[block_of(i1 + k)].append(c[j1 + k])
        elif i1 < i2:
            taken[block_of(i1)] += c[j1:j2]
        elif i1 == len(b):   # added at the end of the file
            tail += c[j1:j2]
        else:   # an insertion goes with a neighbouring line that ruamel.yaml renders as it was written, if any
            after = block_of(i1)
            before = block_of(i1 - 1) if i1 else after
            target = after if blocks[after][0] == "equal" or blocks[before][0] != "equal" else before
            taken[target] += c[j1:j2]   # chunks come in order: this is just before line i1, or after line i1 - 1
    out: list[str] = []
    for i, (_, b1, b2, o1, o2) in enumerate(blocks):
        out += o[o1:o2] if taken[i] == b[b1:b2] else taken[i]
    return "".join(out + tail)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b if not isinstance(a, (dict, list)) else _key(a) == _key(b)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=lambda v: repr(v))


def _patch(node: Any, old: Any, new: Any) -> Any:
    if isinstance(new, dict) and isinstance(node, CommentedMap) and isinstance(old, dict):
        for key in [k for k in node if k not in new]:
            del node[key]
        order = list(new)
        for key in order:
            if key in node:
                if not _same(old.get(key), new[key]):
                    node[key] = _patch(node[key], old.get(key), new[key])
            else:
                before = [k for k in order[:order.index(key)] if k in node]
                node.insert(list(node).index(before[-1]) + 1 if before else 0, key, styled(new[key]))
        return node
    if isinstance(new, list) and isinstance(node, CommentedSeq) and isinstance(old, list):
        matcher = difflib.SequenceMatcher(a=[_key(v) for v in old], b=[_key(v) for v in new], autojunk=False)
        for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
            if tag == "equal":
                continue
            common = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for k in range(common):
                node[i1 + k] = _patch(node[i1 + k], old[i1 + k], new[j1 + k])
            for k in reversed(range(i1 + common, i2)):
                del node[k]
            for k in range(j1 + common, j2):
                node.insert(i1 + (k - j1), styled(new[k]))
        return node
    if _same(old, new):
        return node
    return styled(new, node)
