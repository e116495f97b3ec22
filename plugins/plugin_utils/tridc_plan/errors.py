# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error collection for the plan engine: every problem is kept, none stops the others."""

from __future__ import annotations

import difflib


def describe(value):
    """What a YAML value is, in the inventory's words: never an internal (e.g. Ansible-tagged) type name."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean (%s)" % ("true" if value else "false")
    if isinstance(value, int):
        return "a number (%d)" % value
    if isinstance(value, float):
        return "a number (%s)" % value
    if isinstance(value, (str, bytes)):
        text = str(value) if isinstance(value, str) else value.decode("utf-8", "replace")
        return "a string ('%s')" % (text if len(text) <= 40 else text[:37] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple, set)):
        return "a list"
    return "a value of another kind"


def show(value):
    """A value as the inventory wrote it (plain str/int, never a repr of a wrapper type)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return "'%s'" % str.__str__(value)
    return describe(value)


def did_you_mean(name, known):
    close = difflib.get_close_matches(str(name), sorted(known), n=1, cutoff=0.75)
    return "; did you mean %s?" % close[0] if close else ""


class PlanError(Exception):
    """Raised by build_plan when the inventory is invalid; carries every problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self):
        lines = ["the network plan is invalid (%d problem%s):" % (len(self.problems), "" if len(self.problems) == 1 else "s")]
        lines.extend("  - %s" % p for p in self.problems)
        return "\n".join(lines)


class Problem:
    """One validation problem: the object, the field and what is wrong."""

    __slots__ = ("obj", "field", "message")

    def __init__(self, obj, field, message):
        self.obj = obj
        self.field = field
        self.message = message

    def __str__(self):
        if self.field:
            return "%s: %s: %s" % (self.obj, self.field, self.message)
        return "%s: %s" % (self.obj, self.message)

    def __repr__(self):
        return "Problem(%r)" % str(self)

    def as_dict(self):
        return {"object": self.obj, "field": self.field, "message": self.message}


class Collector:
    """Collects problems; typed getters report wrong types instead of raising."""

    def __init__(self):
        self.problems = []

    def add(self, obj, field, message):
        self.problems.append(Problem(obj, field, message))

    def __bool__(self):
        return bool(self.problems)

    # typed accessors -------------------------------------------------
    def get_str(self, data, key, obj, required=True, default=None):
        value = data.get(key, None) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.add(obj, key, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.add(obj, key, "must be a string, got %s" % describe(value))
            return default
        return str(value)

    def get_int(self, data, key, obj, required=True, default=None, minimum=None, maximum=None):
        value = data.get(key, None) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.add(obj, key, "is required")
            return default
        if isinstance(value, bool):
            self.add(obj, key, "must be an integer, got a boolean")
            return default
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if not isinstance(value, int):
            self.add(obj, key, "must be an integer, got %s" % describe(value))
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.add(obj, key, "%d is out of range %s..%s" % (value, minimum, maximum))
            return default
        return value

    def get_list(self, data, key, obj, required=False):
        value = data.get(key, None) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.add(obj, key, "is required")
            return []
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
            self.add(obj, key, "must be a list, got %s" % describe(value))
            return []
        return list(value)

    def get_dict(self, data, key, obj, required=False):
        value = data.get(key, None) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.add(obj, key, "is required")
            return {}
        if not isinstance(value, dict):
            self.add(obj, key, "must be a mapping, got %s" % describe(value))
            return {}
        return value

    def get_bool(self, data, key, obj, default=False):
        value = data.get(key, None) if isinstance(data, dict) else None
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
            return value.lower() in ("true", "yes", "on", "1")
        self.add(obj, key, "must be a boolean (true or false), got %s" % describe(value))
        return default

    def unknown_keys(self, data, allowed, obj):
        if isinstance(data, dict):
            for key in sorted(set(data) - set(allowed), key=str):
                self.add(obj, str(key), "unknown key%s (allowed: %s)" % (did_you_mean(key, allowed), ", ".join(sorted(allowed))))
