"""The editing form's description of each data file, made from the schema's declarations (the same ones that make
the tables of docs/data.md): for each field its kind of input, label, help, example, default and limits. The
browser draws the form from this; it holds no field of its own."""

from __future__ import annotations

from typing import Any

from generator.schema import (
    Boolean,
    Choice,
    Field,
    ListOf,
    MapOf,
    Number,
    Obj,
    Rule,
    Text,
    default_text,
    type_text,
)
from generator.text import NAME_WORDS


def label(name: str) -> str:
    """price_from -> "Price from"; faqs -> "FAQs"."""
    words = [NAME_WORDS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if words[0] not in NAME_WORDS else text


def describe_field(name: str, spec: Field) -> dict[str, Any]:
    node = describe_rule(spec.rule)
    if node.get("kind") == "text" and "images/" in type_text(spec):
        node["upload"] = True     # a picture's file: the form offers to upload one (see web.store_picture)
    node.update(name=name, label=label(name), required=spec.required,
                help=getattr(spec, "help", "") or spec.doc, type=type_text(spec),
                example=getattr(spec, "example", ""), default=default_text(spec))
    return node


def describe_rule(rule: Rule) -> dict[str, Any]:
    """The input for values checked by `rule`."""
    if isinstance(rule, Obj):
        return {"kind": "object", "fields": [describe_field(n, s) for n, s in rule.fields.items()]}
    if isinstance(rule, ListOf):
        item = rule.item
        if isinstance(item, Obj):
            return {"kind": "records", "item": describe_rule(item), "min": rule.min_items}
        if isinstance(item, Choice):
            return {"kind": "choices", "options": list(item.options), "min": rule.min_items}
        return {"kind": "names", "item": describe_rule(item), "min": rule.min_items}   # one line, commas between
    if isinstance(rule, MapOf):
        return {"kind": "map", "key": describe_rule(rule.key), "value": describe_rule(rule.value),
                "min": rule.min_items}
    if isinstance(rule, Text):
        return {"kind": "text", "multiline": not rule.single_line and rule.pattern is None,
                "placeholder_ok": rule.placeholder_ok, "claims": rule.pattern is None}
    if isinstance(rule, Number):
        return {"kind": "number", "integer": rule.integer, "min": rule.minimum, "max": rule.maximum}
    if isinstance(rule, Boolean):
        return {"kind": "boolean"}
    if isinstance(rule, Choice):
        return {"kind": "choice", "options": list(rule.options)}
    return {"kind": "text", "multiline": False, "placeholder_ok": False, "claims": False}


def describe_file(schema: Obj) -> dict[str, Any]:
    return describe_rule(schema)
