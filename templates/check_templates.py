#!/usr/bin/env python3
"""Development aid: check the notification and letter templates against the processes.

    python3 templates/check_templates.py            # from the repository root
    python3 templates/check_templates.py -v         # also print one rendering of each template

(a) every template named by a `notify:` in processes/*.yaml (both syntaxes) or by a
    `remind: { ..., template: NAME }`, and `sla_warning` / `sla_breached` for a process
    with an `sla:`, has an English file templates/<process>/<template>.txt or, failing
    that, a shared one templates/_common/<template>.txt;
(b) every templates/*/*.txt and templates/*/letters/*.txt parses with jinja2 and renders with StrictUndefined against
    sample contexts built from the process's declared fields: one with every field set, one
    per enum value, one per optional value set to null (alone) and one with all of them
    null (templates/_common/*.txt, shared by every process, against contexts with no
    `fields` at all). A null printed by `{{ }}` is an error too (guard optional fields with
    `{% if fields.x %}`), as are filters, tests and method calls the Rust renderer
    (minijinja) does not have, and layout slips (a missing `Subject:` line, no blank line
    after it, two blank lines in a row).

Errors are printed as file:line: message; the exit code is 1 when there is any.
The Rust renderer does the real check at `caseflow check`; this is only a development aid.
Needs PyYAML and jinja2 (pip install pyyaml jinja2).
"""
import copy
import glob
import os
import re
import sys
import traceback

import jinja2
import yaml
from jinja2 import nodes

SHARED = "_common"  # templates/_common/: fallbacks for every process, rendered without `fields`
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "templates")
PROCESSES = os.path.join(ROOT, "processes")
LOCALES = {"es", "ru", "de", "pl"}

# what minijinja's default build offers (a deliberately short list)
FILTERS = {"default", "d", "join", "length", "count", "upper", "lower", "title", "capitalize",
           "trim", "replace", "first", "last", "list", "string", "int", "float", "abs",
           "round", "indent", "sort", "reverse", "unique", "map", "select", "reject",
           "selectattr", "rejectattr", "batch", "slice", "min", "max", "items", "dictsort"}
TESTS = {"none", "defined", "undefined", "string", "number", "odd", "even", "true", "false",
         "sequence", "mapping", "in", "eq", "ne", "lt", "le", "gt", "ge", "startingwith",
         "endingwith", "divisibleby"}

errors = []

# notifications the engine sends by itself, with no `notify:` naming them (side tasks and
# reminder ladders); they are usually served by templates/_common/
SHARED_NAMES = {"subtask_assigned", "subtask_done", "consultation_requested",
                "consultation_answered", "reminders_exhausted", "sla_warning", "sla_breached"}


def err(path, line, msg):
    errors.append(f"{os.path.relpath(path, ROOT)}:{line}: {msg}")


# --------------------------------------------------------------------------- processes

def notify_names(node, out):
    """Collect (template name or None for an SLA handler, kind) from a parsed definition."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sla" and isinstance(value, dict):
                for handler_key, kind in (("on_warn", "sla_warning"), ("on_breach", "sla_breached")):
                    for h in value.get(handler_key) or []:
                        if isinstance(h, dict) and "notify" in h:
                            out.add(kind)
            elif key == "remind" and isinstance(value, dict) and "template" in value:
                out.add(str(value["template"]))
                notify_names(value, out)
            elif key == "notify" and isinstance(value, list):
                for entry in value:
                    if isinstance(entry, dict) and "template" in entry:
                        out.add(str(entry["template"]))
                    elif isinstance(entry, dict):
                        for _role, template in entry.items():
                            out.add(str(template))
            else:
                notify_names(value, out)
    elif isinstance(node, list):
        for item in node:
            notify_names(item, out)


def load_processes():
    procs = {}
    for path in sorted(glob.glob(os.path.join(PROCESSES, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            d = yaml.safe_load(f)
        names = set()
        notify_names(d.get("steps") or {}, names)
        notify_names(d.get("anytime") or {}, names)
        has_sla = any(isinstance(s, dict) and "sla" in s for s in (d.get("steps") or {}).values())
        procs[d["process"]] = {"path": path, "def": d, "names": names, "has_sla": has_sla}
    return procs


# --------------------------------------------------------------------------- sample contexts

SAMPLES = {
    "text": "Sample text", "integer": 3, "money": "1234.50", "date": "2026-11-30",
    "datetime": "2026-11-30T09:00:00Z", "bool": True, "email": "customer@example.com",
    "person": "maria", "list": ["income_statement", "other"],
}


def sample_field(spec):
    t = spec.get("type")
    if t == "enum":
        return spec["values"][0]
    if t == "lines":
        return [{"description": "2026-12-01", "amount": "100.00"},
                {"description": "Hotel", "amount": "180.50"}]
    return copy.deepcopy(SAMPLES.get(t, "sample"))


def nullable(spec):
    computed = any(k in spec for k in ("compute", "sum_of", "instalments"))
    return computed or not (spec.get("required") or "default" in spec)


def base_context(pdef):
    fields = {name: sample_field(spec) for name, spec in (pdef.get("fields") or {}).items()}
    return {
        "case": {"id": "XXX-2026-0001", "process": pdef["process"],
                 "process_title": pdef.get("title", pdef["process"]), "priority": "normal",
                 "status": "open", "outcome": "approved", "steps": ["review"],
                 "step_titles": ["Review"], "opened_at": "2026-11-30T09:00:00Z",
                 "opened_by": "alice", "opened_by_name": "Alice Example"},
        "fields": fields,
        "event": {"kind": "action", "action": "approve", "actor": "maria",
                  "actor_name": "Maria Example", "comment": "Reasons given by the actor",
                  "at": "2026-11-30T10:00:00Z"},
        "recipient": {"name": "Recipient Name", "email": "recipient@example.com", "locale": "en"},
        "history": [{"at": "2026-11-30T09:00:00Z", "actor": "alice", "actor_name": "Alice Example",
                     "kind": "opened", "action": None, "comment": None},
                    {"at": "2026-11-30T10:00:00Z", "actor": "maria", "actor_name": "Maria Example",
                     "kind": "action", "action": "approve", "comment": "ok"}],
        "link": "caseflow show XXX-2026-0001",
    }


OTHER_NULLABLE = [("case", "outcome"), ("event", "comment"), ("recipient", "name"),
                  ("event", "actor_name"), ("case", "opened_by_name")]


def contexts(pdef):
    """Yield (label, context) variants."""
    base = base_context(pdef)
    yield "all set", base
    specs = pdef.get("fields") or {}
    for name, spec in specs.items():
        if spec.get("type") == "enum":
            for v in spec["values"][1:]:
                c = copy.deepcopy(base)
                c["fields"][name] = v
                yield f"fields.{name}={v}", c
        if spec.get("type") == "bool":
            c = copy.deepcopy(base)
            c["fields"][name] = False
            yield f"fields.{name}=false", c
        if spec.get("type") in ("list", "lines"):
            c = copy.deepcopy(base)
            c["fields"][name] = []
            yield f"fields.{name}=[]", c
    for step, spec in (pdef.get("steps") or {}).items():
        c = copy.deepcopy(base)
        c["case"]["steps"] = [step]
        c["case"]["step_titles"] = [(spec or {}).get("title", step)]
        yield f"case.steps=[{step}]", c
    for outcome in sorted({str(s["end"]) for s in (pdef.get("steps") or {}).values() if isinstance(s, dict) and "end" in s}):
        c = copy.deepcopy(base)
        c["case"]["outcome"], c["case"]["status"], c["case"]["steps"], c["case"]["step_titles"] = outcome, "closed", [], []
        yield f"case.outcome={outcome}", c
    for action in ("reject", "refuse", "send_back", "decline"):
        c = copy.deepcopy(base)
        c["history"].append({"at": "2026-11-30T11:00:00Z", "actor": "maria",
                             "actor_name": "Maria Example", "kind": "action",
                             "action": action, "comment": "Reasons given earlier"})
        yield f"history has a commented {action}", c
    all_null = copy.deepcopy(base)
    for name, spec in specs.items():
        if nullable(spec):
            c = copy.deepcopy(base)
            c["fields"][name] = None
            all_null["fields"][name] = None
            yield f"fields.{name}=null", c
    for a, b in OTHER_NULLABLE:
        c = copy.deepcopy(base)
        c[a][b] = None
        all_null[a][b] = None
        yield f"{a}.{b}=null", c
    yield "every optional value null", all_null


# --------------------------------------------------------------------------- rendering

class NullPrinted(Exception):
    pass


def finalize(value):
    if value is None:
        raise NullPrinted("a null value is printed; guard it with {% if … %} or `or`")
    return value


ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, finalize=finalize,
                         keep_trailing_newline=True, autoescape=False)


def template_line(exc, name, offset):
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == name:
            return frame.lineno + offset
    return offset + 1


def unsupported(ast):
    """Filters, tests and calls minijinja's default build does not have."""
    out = []
    for f in ast.find_all(nodes.Filter):
        if f.name not in FILTERS:
            out.append((f.lineno, f"filter `{f.name}` is not in minijinja's default set"))
    for t in ast.find_all(nodes.Test):
        if t.name not in TESTS:
            out.append((t.lineno, f"test `{t.name}` is not in minijinja's default set"))
    for c in ast.find_all(nodes.Call):
        if isinstance(c.node, nodes.Getattr):
            out.append((c.lineno, f"method call `.{c.node.attr}()` (minijinja has no Python methods)"))
        elif isinstance(c.node, nodes.Name):
            out.append((c.lineno, f"function `{c.node.name}()` is not available"))
    return out


def check_file(path, pdef, verbose, shared=False):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    if not lines[0].startswith("Subject: ") or len(lines[0]) <= len("Subject: "):
        err(path, 1, "the first line must be `Subject: <text>`")
        return
    if len(lines) < 3 or lines[1] != "" or lines[2].strip() == "":
        err(path, 2, "the subject must be followed by exactly one blank line and then the body")
        return
    if "\r" in text:
        err(path, 1, "CR characters in the file; use LF line ends")
    parts = [("subject", lines[0][len("Subject: "):], 0), ("body", "\n".join(lines[2:]), 2)]
    compiled = []
    for label, source, offset in parts:
        name = f"{path}#{label}"
        try:
            ast = ENV.parse(source, name=name)
            for line, msg in unsupported(ast):
                err(path, line + offset, msg)
            code = ENV.compile(source, name=name, filename=name)
            tpl = ENV.template_class.from_code(ENV, code, ENV.make_globals(None))
            compiled.append((label, tpl, offset, name))
        except jinja2.TemplateSyntaxError as e:
            err(path, (e.lineno or 1) + offset, f"syntax: {e.message}")
            return
    shown = False
    reported = set()
    for variant, ctx in contexts(pdef):
        if shared:
            ctx = dict(ctx)
            ctx.pop("fields", None)
        out = {}
        for label, tpl, offset, name in compiled:
            try:
                out[label] = tpl.render(**ctx)
            except Exception as e:  # noqa: BLE001 -- report anything the template raises
                line = template_line(e, name, offset)
                key = (line, type(e).__name__, str(e))
                if key not in reported:
                    reported.add(key)
                    err(path, line, f"{type(e).__name__}: {e} (context: {variant})")
        if len(out) < 2:
            continue
        subj, body = out["subject"], out["body"]
        if "\n" in subj or not subj.strip():
            err(path, 1, f"the rendered subject is empty or spans lines (context: {variant})")
        if "\n\n\n" in body:
            n = body.split("\n\n\n")[0].count("\n") + 3
            err(path, 3, f"two blank lines in a row in the output, at output line {n} (context: {variant})")
        if body.startswith("\n") or not body.strip():
            err(path, 3, f"the rendered body is empty or starts with a blank line (context: {variant})")
        if verbose and not shown:
            shown = True
            print(f"----- {os.path.relpath(path, ROOT)}\nSubject: {subj}\n\n{body.rstrip()}\n")


def main():
    verbose = "-v" in sys.argv
    procs = load_processes()
    count = {"templates": 0, "letters": 0}
    # (a) every notify name has an English template
    for pname, p in procs.items():
        wanted = set(p["names"])
        if p["has_sla"]:
            wanted |= {"sla_warning", "sla_breached"}
        with open(p["path"], encoding="utf-8") as f:
            source_lines = f.read().split("\n")
        for t in sorted(wanted):
            if not any(os.path.exists(os.path.join(TEMPLATES, d, f"{t}.txt")) for d in (pname, SHARED)):
                needle = re.compile(r"\b%s\b" % re.escape(t) if not t.startswith("sla_") else r"\bsla:")
                line = next((i + 1 for i, l in enumerate(source_lines) if needle.search(l)), 1)
                err(p["path"], line, f"notify template `{t}` has no English file templates/{pname}/{t}.txt (nor templates/{SHARED}/{t}.txt)")
    # (b) every file parses and renders
    for d in sorted(os.listdir(TEMPLATES)):
        full = os.path.join(TEMPLATES, d)
        if not os.path.isdir(full):
            continue
        shared = d == SHARED
        if shared:
            # shared templates: a sample process with no fields; the context has no `fields`
            p = {"def": {"process": "sample-process", "title": "Sample process", "steps": {
                "review": {"title": "Review"}, "approval": {"title": "Approval"}}},
                 "names": set().union(*(q["names"] for q in procs.values())) | SHARED_NAMES}
        elif d not in procs:
            err(full, 1, f"`{d}` is not a process in processes/")
            continue
        else:
            p = procs[d]
        for path in sorted(glob.glob(os.path.join(full, "*.txt")) + glob.glob(os.path.join(full, "letters", "*.txt"))):
            base = os.path.basename(path)[:-4]
            stem, _, loc = base.partition(".")
            if loc and loc not in LOCALES:
                err(path, 1, f"locale `{loc}` is not one of {', '.join(sorted(LOCALES))}")
            if loc and not os.path.exists(os.path.join(os.path.dirname(path), stem + ".txt")):
                err(path, 1, f"no English fallback {stem}.txt next to it")
            is_letter = os.path.basename(os.path.dirname(path)) == "letters"
            if not is_letter and stem not in p["names"] | {"sla_warning", "sla_breached"}:
                print(f"note: {os.path.relpath(path, ROOT)} is not named by any notify: in {d}")
            count["letters" if is_letter else "templates"] += 1
            check_file(path, p["def"], verbose, shared)
    # (c) a process that ships a locale ships it for every template
    for d in sorted(os.listdir(TEMPLATES)):
        for sub in (os.path.join(TEMPLATES, d), os.path.join(TEMPLATES, d, "letters")):
            if not os.path.isdir(sub):
                continue
            names = [n[:-4] for n in os.listdir(sub) if n.endswith(".txt")]
            stems = {n.partition(".")[0] for n in names}
            locales = {n.partition(".")[2] for n in names} - {""}
            for stem in sorted(stems):
                for loc in sorted(locales):
                    if f"{stem}.{loc}" not in names:
                        err(os.path.join(sub, stem + ".txt"), 1, f"no `{loc}` variant, though other templates here have one")
    for e in errors:
        print(e)
    print(f"{count['templates']} templates and {count['letters']} letters checked, "
          f"{len(procs)} processes, {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
