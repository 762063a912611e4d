#!/usr/bin/env python3
"""Generates nettool's man pages and shell completions at build time.

The command line comes from the built binary (`nettool --cli-spec`: every subcommand and option as CLI11 defines
them, the text --help shows), so the pages and completions cannot drift from --help. The prose comes from the
docs pages, one source per subcommand: docs/<subcommand>.md gives DESCRIPTION (its introduction), DIAGNOSIS CODES
(its "Diagnosis codes" or "Failure codes" section) and EXIT STATUS (its "Exit status" section); EXAMPLES and what
the docs page lacks come from the subcommand's --help footer. docs/nettool.md gives the prose of nettool(1).
A subcommand without a docs page still gets a complete page from its --help text.

Usage: nettool_docs.py --nettool BIN --docs DIR --out DIR --version X.Y.Z
Writes OUT/man1/nettool.1, OUT/man1/nettool-<subcommand>.1, OUT/bash-completion/nettool, OUT/zsh/_nettool.
"""
import argparse
import json
import os
import re
import subprocess
import sys

# Characters groff has names for; anything else non-ASCII becomes \[uXXXX].
GLYPHS = {
    "\u2014": r"\(em", "\u2013": r"\(en", "\u2212": r"\-", "\u2265": r"\(>=", "\u2264": r"\(<=",
    "\u00d7": r"\(mu", "\u2192": r"\(->", "\u2190": r"\(<-", "\u2026": "...", "\u2018": r"\(oq",
    "\u2019": r"\(cq", "\u201c": r"\(lq", "\u201d": r"\(rq", "\u00a0": r"\ ", "\u00b5": r"\(mc",
    "\u00b0": r"\(de", "\u00b7": r"\(pc", "\u2260": r"\(!=", "\u00b1": r"\(+-",
}


def escape(text):
    """Plain text to roff text: backslashes, hyphens (so options copy-paste as ASCII), non-ASCII."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append(r"\e")
        elif ch == "-":
            out.append(r"\-")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append(GLYPHS.get(ch, r"\[u%04X]" % ord(ch)))
    return "".join(out)


def safe_line(line):
    """A text line must not start with a control character ('.' or "'") or be taken for one."""
    line = line.strip()
    if line.startswith((".", "'")):
        return r"\&" + line
    return line


INLINE = re.compile(r"(`[^`]+`|\*\*[^*]+\*\*|\[[^\]]+\]\([^)]*\)|(?<![\w*])\*[^*\s][^*]*\*(?![\w*]))")


def inline(text):
    """Markdown inline markup to roff fonts: `code` and **bold** bold, *emphasis* italic, links as their text."""
    out = []
    for part in INLINE.split(text):
        if not part:
            continue
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(r"\fB" + escape(part[1:-1]) + r"\fR")
        elif part.startswith("**") and part.endswith("**") and len(part) > 3:
            out.append(r"\fB" + escape(part[2:-2]) + r"\fR")
        elif part.startswith("[") and "](" in part:
            out.append(inline(part[1:part.index("](")]))
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            out.append(r"\fI" + escape(part[1:-1]) + r"\fR")
        else:
            out.append(escape(part))
    return "".join(out)


def table_cells(line):
    line = line.strip().strip("|")
    cells, current, i = [], "", 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] == "|":
            current += "|"
            i += 2
            continue
        if line[i] == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += line[i]
        i += 1
    cells.append(current.strip())
    return cells


def render_table(rows):
    """A markdown table as a tagged list: the first cell is the tag, the others follow, labelled by their header
    from the third column on (a second column called 'severity' is labelled too)."""
    header = table_cells(rows[0])
    body = [table_cells(r) for r in rows[2:]]
    out = []
    for cells in body:
        out.append(".TP")
        out.append(safe_line(inline(cells[0]) if cells[0] else r"\&"))
        parts = []
        plain_done = False
        for index, cell in enumerate(cells[1:], start=1):
            if not cell:
                continue
            label = header[index] if index < len(header) else ""
            if label.lower() != "severity" and not plain_done:
                parts.append(inline(cell))
                plain_done = True
            else:
                parts.append(inline(label[:1].upper() + label[1:]) + ": " + inline(cell))
        for n, part in enumerate(parts):
            if n:
                out.append(".br")
            out.append(safe_line(part))
    return out


def markdown_to_roff(lines, keep_code=True, keep_option_tables=True):
    """Block-level markdown (paragraphs, ### headings, lists, tables, fenced code) to man(7) requests."""
    out = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\n")
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i].rstrip("\n"))
                i += 1
            i += 1
            if keep_code:
                out += [".PP", ".RS 4", ".nf"] + [r"\&" + escape(b) for b in block] + [".fi", ".RE"]
            continue
        if stripped.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i])
                i += 1
            option_table = table_cells(rows[0])[0].lower() in ("option", "options")
            if len(rows) >= 2 and (keep_option_tables or not option_table):
                out += [".PP"] + render_table(rows)
            continue
        if stripped.startswith("#"):
            out.append(".SS " + inline(stripped.lstrip("#").strip().rstrip(":")))
            i += 1
            continue
        bullet = re.match(r"^\s*([-*]|\d+\.)\s+(.*)", line)
        if bullet:
            mark = r"\(bu" if bullet.group(1) in "-*" else bullet.group(1)
            text = [bullet.group(2)]
            i += 1
            while i < len(lines) and lines[i].strip() and lines[i].startswith("  ") and \
                    not re.match(r"^\s*([-*]|\d+\.)\s+", lines[i]):
                text.append(lines[i].strip())
                i += 1
            out.append(".IP %s 4" % mark)
            out += [safe_line(inline(t)) for t in text]
            continue
        text = []
        while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith(("```", "|", "#")) and \
                not re.match(r"^\s*([-*]|\d+\.)\s+", lines[i]):
            text.append(lines[i].strip())
            i += 1
        out.append(".PP")
        out += [safe_line(inline(t)) for t in text]
    return out


def read_docs_page(path):
    """(intro lines, {lowercase section title: lines}) of a markdown page; empty when there is no page."""
    if not os.path.exists(path):
        return [], {}
    intro, sections, current = [], {}, None
    with open(path, encoding="utf-8") as f:
        in_code = False
        for line in f:
            if line.strip().startswith("```"):
                in_code = not in_code
            if not in_code and line.startswith("# "):
                continue
            if not in_code and line.startswith("## "):
                current = line[3:].strip().lower()
                sections[current] = []
                continue
            (intro if current is None else sections[current]).append(line)
    return intro, sections


def find_section(sections, *prefixes):
    for title, lines in sections.items():
        if title.startswith(prefixes):
            return lines
    return None


def find_paragraph(sections, *openings):
    """A paragraph anywhere in the page that opens with one of `openings` ("Diagnosis codes:"), for pages that
    list their codes in running text rather than in a section of their own."""
    for lines in sections.values():
        for i, line in enumerate(lines):
            if line.startswith(openings):
                end = i
                while end < len(lines) and lines[end].strip():
                    end += 1
                return lines[i:end]
    return None


HEADING = re.compile(r"^([A-Z][A-Za-z]*(?: [A-Za-z()/-]+){0,3}):(\s|$)")


def footer_paragraphs(text):
    """Splits --help prose into (heading or None, lines): a paragraph starts at a blank line or a line opening
    with a capitalised label and a colon ("Examples:", "Exit status: 0 ...")."""
    paragraphs = []
    for line in text.split("\n"):
        if not line.strip():
            if paragraphs and paragraphs[-1][1]:
                paragraphs.append((None, []))
            continue
        match = HEADING.match(line)
        if match and not line.startswith(" "):
            paragraphs.append((match.group(1).lower(), [line]))
        elif not paragraphs:
            paragraphs.append((None, [line]))
        else:
            paragraphs[-1][1].append(line)
    return [(h, ls) for h, ls in paragraphs if ls]


def prose_to_roff(lines):
    """--help prose: lines indented by two or more spaces keep their layout; the rest fills."""
    out = [".PP"]
    nofill = False
    for line in lines:
        if line.startswith("  "):
            if not nofill:
                out += [".RS 4", ".nf"]
                nofill = True
            out.append(r"\&" + escape(line[2:]))
        else:
            if nofill:
                out += [".fi", ".RE"]
                nofill = False
            out.append(safe_line(escape(line)))
    if nofill:
        out += [".fi", ".RE"]
    return out


def option_label(option, with_value=True):
    if option["positional"]:
        return r"\fI" + escape(option["name"]) + r"\fR"
    names = [r"\fB\-" + escape(s) + r"\fR" for s in option["short"]]
    names += [r"\fB\-\-" + escape(l) + r"\fR" for l in option["long"]]
    label = ", ".join(names)
    if with_value and option["takes_value"]:
        label += r" \fI" + escape(value_name(option)) + r"\fR"
    return label


def value_name(option):
    # A short choice list reads best in place; a long one cannot be broken across lines by troff and is given
    # as "One of: ..." in the option's description instead.
    if option["choices"] and len("|".join(option["choices"])) <= 32:
        return "|".join(option["choices"])
    return option["type_name"] or "VALUE"


def synopsis(name, options):
    parts = [r"\fBnettool " + escape(name) + r"\fR"]
    for o in options:
        if o["positional"]:
            continue
        if o["long"] and o["long"][0] in ("help", "help-all"):
            continue
        flag = r"\fB\-" + escape(o["short"][0]) + r"\fR" if o["short"] else r"\fB\-\-" + escape(o["long"][0]) + r"\fR"
        item = flag + (r" \fI" + escape(value_name(o)) + r"\fR" if o["takes_value"] else "")
        parts.append("[" + item + "]" + ("..." if o["repeatable"] else ""))
    for o in options:
        if o["positional"]:
            item = r"\fI" + escape(o["name"]) + r"\fR" + ("..." if o["repeatable"] else "")
            parts.append(item if o["required"] else "[" + item + "]")
    return [".PP", ".ad l", safe_line(" ".join(parts)), ".ad b"]


def options_section(options):
    out = [".SH OPTIONS"]
    for o in options:
        out.append(".TP")
        out.append(option_label(o))
        text = " ".join(line.strip() for line in o["help"].split("\n") if line.strip())
        if text and text[-1] not in ".!?)":
            text += "."
        elif text.endswith(")") and not text.endswith(".)"):
            text += "."
        extra = []
        if o["choices"]:
            extra.append("One of: " + ", ".join(o["choices"]) + ".")
        if o["default"] and o["takes_value"]:
            extra.append("Default: " + o["default"] + ".")
        out.append(safe_line(escape(" ".join([text] + extra))))
    return out


def title_block(page, summary, version):
    return ['.\\" Generated by packaging/nettool_docs.py from nettool --cli-spec and docs/; do not edit.',
            '.TH %s 1 "" "nettool %s" "User Commands"' % (page.upper().replace("-", r"\-"), version),
            ".nh",
            ".SH NAME", escape(page) + r" \- " + escape(summary)]


def generic_exit_status(spec):
    for line in spec["description"].split("\n"):
        if line.startswith("Exit status:"):
            return [line]
    return ["Exit status: 0 nothing wrong found, 1 a problem found, 2 bad usage or input, 3 could not run."]


def subcommand_page(spec, sub, docs_dir, version):
    name = sub["name"]
    intro, sections = read_docs_page(os.path.join(docs_dir, name + ".md"))
    help_prose = []
    if sub["description"] != sub["summary"]:
        help_prose += sub["description"].split("\n") + [""]
    help_prose += sub["footer"].split("\n")
    examples, exit_status, codes, rest = [], None, None, []
    for heading, lines in footer_paragraphs("\n".join(help_prose)):
        if heading == "examples":
            examples = [l.strip() for l in lines[1:] if l.startswith((" ", "\t"))]
            rest.append([l for l in lines[1:] if l.strip() and not l.startswith((" ", "\t"))])
        elif heading == "exit status":
            exit_status = lines
        else:
            # A codes paragraph stays in DESCRIPTION too: the help text runs on after it without a heading.
            if heading in ("diagnosis codes", "failure codes") and codes is None:
                codes = lines
            rest.append(lines)

    out = title_block("nettool-" + name, sub["summary"], version)
    out += [".SH SYNOPSIS"] + synopsis(name, sub["options"])
    out.append(".SH DESCRIPTION")
    if intro:
        # The synopsis and option table of the docs page are generated from the CLI instead.
        out += markdown_to_roff(intro, keep_code=False, keep_option_tables=False)
    else:
        out += [".PP", safe_line(escape(sub["summary"] + "."))]
    for lines in rest:
        if lines:
            out += prose_to_roff(lines)
    out += options_section(sub["options"])

    out.append(".SH DIAGNOSIS CODES")
    doc_codes = find_section(sections, "diagnosis codes", "failure codes") or \
        find_paragraph(sections, "Diagnosis codes:", "Failure codes:")
    if doc_codes:
        out += markdown_to_roff(doc_codes)
    elif codes:
        out += prose_to_roff(codes)
    else:
        out += [".PP", "Each finding is a diagnosis with a stable code, a severity (info, warning, critical),",
                "evidence and advice; \\fB\\-\\-json\\fR lists them under \\fBdiagnoses\\fR."]

    out.append(".SH EXIT STATUS")
    doc_exit = find_section(sections, "exit status")
    if doc_exit:
        out += markdown_to_roff(doc_exit)
    else:
        out += prose_to_roff(exit_status or generic_exit_status(spec))

    out.append(".SH EXAMPLES")
    if not examples:
        examples = ["nettool %s --help" % name]
    out += [".PP", ".RS 4", ".nf"] + [r"\&" + escape(e) for e in examples] + [".fi", ".RE"]

    out.append(".SH SEE ALSO")
    others = [r"\fBnettool\fR(1)"] + [r"\fBnettool\-%s\fR(1)" % escape(s["name"])
                                      for s in spec["subcommands"] if s["name"] != name]
    out += [".PP", ",\n".join(others)]
    if intro or sections:
        out += [".PP", r"The full guide with real output: \fI/usr/share/doc/nettool/%s.md\fR." % escape(name)]
    return "\n".join(out) + "\n"


def main_page(spec, docs_dir, version):
    intro, sections = read_docs_page(os.path.join(docs_dir, "nettool.md"))
    description = [l for l in spec["description"].split("\n") if not l.startswith("Exit status:")]
    summary = description[0].split(": ", 1)[-1].rstrip(".") if description else "network troubleshooting"
    out = title_block("nettool", summary, version)
    out += [".SH SYNOPSIS", ".PP", r"\fBnettool\fR \fISUBCOMMAND\fR [\fIOPTIONS\fR] [\fIARGUMENTS\fR]", ".br",
            r"\fBnettool\fR [\fB\-\-help\fR | \fB\-\-help\-all\fR | \fB\-\-version\fR]"]
    out.append(".SH DESCRIPTION")
    out += prose_to_roff(description[1:] if len(description) > 1 else description)
    out += markdown_to_roff(intro)
    out.append(".SH SUBCOMMANDS")
    for sub in spec["subcommands"]:
        out += [".TP", r"\fBnettool %s\fR \- see \fBnettool\-%s\fR(1)" % (escape(sub["name"]), escape(sub["name"])),
                safe_line(escape(sub["summary"] + "."))]
    out += options_section(spec["options"])
    for title, lines in sections.items():
        if title == "exit status":
            continue
        out.append(".SH " + escape(title.upper()))
        out += markdown_to_roff(lines)
    out.append(".SH EXIT STATUS")
    doc_exit = sections.get("exit status")
    out += markdown_to_roff(doc_exit) if doc_exit else prose_to_roff(generic_exit_status(spec))
    out.append(".SH SEE ALSO")
    out += [".PP", ",\n".join(r"\fBnettool\-%s\fR(1)" % escape(s["name"]) for s in spec["subcommands"]) + ",",
            r"\fBsetcap\fR(8), \fBcapabilities\fR(7)."]
    return "\n".join(out) + "\n"


# --- completions -------------------------------------------------------------------------------------------

def value_kind(option):
    """What a value of this option (or positional) is, for completion: choices, file, dir, interface or none."""
    if option["choices"]:
        return "choices"
    words = " ".join([option["name"], option["type_name"]] + option["long"]).lower()
    if re.search(r"\b(interface|iface)s?\b", words):
        return "interface"
    if re.search(r"\bdir\b", words):
        return "dir"
    if re.search(r"\bfile\b", words) or re.search(r"(^|\s|-)(read)\b", words):
        return "file"
    return "none"


def option_words(option):
    return ["-" + s for s in option["short"]] + ["--" + l for l in option["long"]]


def bash_quote(word):
    return "'" + word.replace("'", "'\\''") + "'"


def bash_completion(spec):
    subs = [s["name"] for s in spec["subcommands"]]
    top = [w for o in spec["options"] for w in option_words(o)]
    out = ["# bash completion for nettool. Generated from nettool --cli-spec by packaging/nettool_docs.py.",
           "",
           "_nettool_interfaces() {",
           "    local names=() entry",
           "    for entry in /sys/class/net/*; do [[ -e $entry ]] && names+=(\"${entry##*/}\"); done",
           "    COMPREPLY=($(compgen -W \"${names[*]}\" -- \"$1\"))",
           "}",
           "",
           "_nettool_values() {  # KIND CURRENT [CHOICES...]",
           "    local kind=$1 cur=$2",
           "    shift 2",
           "    case $kind in",
           "        choices) COMPREPLY=($(compgen -W \"$*\" -- \"$cur\")) ;;",
           "        file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;",
           "        dir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")) ;;",
           "        interface) _nettool_interfaces \"$cur\" ;;",
           "        *) COMPREPLY=() ;;",
           "    esac",
           "}",
           "",
           "_nettool() {",
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
           "    local sub='' i",
           "    for ((i = 1; i < COMP_CWORD; i++)); do",
           "        case ${COMP_WORDS[i]} in",
           "            %s) sub=${COMP_WORDS[i]}; break ;;" % "|".join(subs),
           "        esac",
           "    done",
           "    if [[ -z $sub ]]; then",
           "        if [[ $cur == -* ]]; then",
           "            COMPREPLY=($(compgen -W %s -- \"$cur\"))" % bash_quote(" ".join(top)),
           "        else",
           "            COMPREPLY=($(compgen -W %s -- \"$cur\"))" % bash_quote(" ".join(subs)),
           "        fi",
           "        return 0",
           "    fi",
           "    case $sub in"]
    for sub in spec["subcommands"]:
        options = [o for o in sub["options"] if not o["positional"]]
        positionals = [o for o in sub["options"] if o["positional"]]
        out.append("        %s)" % sub["name"])
        valued = [o for o in options if o["takes_value"]]
        if valued:
            out.append("            case $prev in")
            for o in valued:
                kind = value_kind(o)
                choices = " " + " ".join(bash_quote(c) for c in o["choices"]) if o["choices"] else ""
                out.append("                %s) _nettool_values %s \"$cur\"%s; return 0 ;;"
                           % ("|".join(option_words(o)), kind, choices))
            out.append("            esac")
        words = " ".join(w for o in options for w in option_words(o))
        out.append("            if [[ $cur == -* ]]; then")
        out.append("                COMPREPLY=($(compgen -W %s -- \"$cur\"))" % bash_quote(words))
        kind = value_kind(positionals[0]) if positionals else "none"
        out.append("            else")
        out.append("                _nettool_values %s \"$cur\"" % kind)
        out.append("            fi")
        out.append("            ;;")
    out += ["    esac",
            "    return 0",
            "}",
            "",
            "complete -F _nettool nettool"]
    return "\n".join(out) + "\n"


def zsh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def zsh_description(text):
    first = text.split("\n")[0].strip()
    return re.sub(r"([\[\]:\\])", r"\\\1", first)


def zsh_action(option):
    kind = value_kind(option)
    if kind == "choices":
        return "(" + " ".join(option["choices"]) + ")"
    return {"file": "_files", "dir": "_files -/", "interface": "_net_interfaces"}.get(kind, "")


def zsh_completion(spec):
    out = ["#compdef nettool",
           "# zsh completion for nettool. Generated from nettool --cli-spec by packaging/nettool_docs.py.",
           ""]
    for sub in spec["subcommands"]:
        fn = "_nettool_" + re.sub(r"\W", "_", sub["name"])
        specs = []
        for o in sub["options"]:
            if o["positional"]:
                value = re.sub(r"[:\\]", "", o["name"])
                specs.append(("'*:%s:%s'" if o["repeatable"] else "'1:%s:%s'") % (value, zsh_action(o)))
                continue
            words = option_words(o)
            group = "" if o["repeatable"] else "(" + " ".join(words) + ")"
            for w in words:
                suffix = ""
                if o["takes_value"]:
                    suffix = "+" if not w.startswith("--") else "="
                item = ("*" if o["repeatable"] else group) + w + suffix + "[" + zsh_description(o["help"]) + "]"
                if o["takes_value"]:
                    item += ":" + re.sub(r"[:\\]", "", value_name(o)) + ":" + zsh_action(o)
                specs.append(zsh_quote(item))
        out.append(fn + "() {")
        out.append("    _arguments -s \\")
        out += ["        %s \\" % s for s in specs[:-1]] + ["        %s" % specs[-1]]
        out.append("}")
        out.append("")
    top_specs = []
    for o in spec["options"]:
        for w in option_words(o):
            top_specs.append(zsh_quote("(- *)" + w + "[" + zsh_description(o["help"]) + "]"))
    out.append("_nettool() {")
    out.append("    local curcontext=$curcontext state line")
    out.append("    local -a subcommands=(")
    for sub in spec["subcommands"]:
        out.append("        %s" % zsh_quote(sub["name"] + ":" + sub["summary"].replace(":", r"\:")))
    out.append("    )")
    out.append("    _arguments -C \\")
    out += ["        %s \\" % s for s in top_specs]
    out.append("        '1:subcommand:->subcommand' \\")
    out.append("        '*::argument:->argument'")
    out.append("    case $state in")
    out.append("        subcommand) _describe -t subcommands 'nettool subcommand' subcommands ;;")
    out.append("        argument)")
    out.append("            case $line[1] in")
    for sub in spec["subcommands"]:
        out.append("                %s) _nettool_%s ;;" % (sub["name"], re.sub(r"\W", "_", sub["name"])))
    out.append("            esac ;;")
    out.append("    esac")
    out.append("}")
    out.append("")
    out.append('_nettool "$@"')
    return "\n".join(out) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nettool", required=True)
    parser.add_argument("--docs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--version", required=True)
    args = parser.parse_args()
    spec = json.loads(subprocess.run([args.nettool, "--cli-spec"], check=True, capture_output=True).stdout)
    man_dir = os.path.join(args.out, "man1")
    os.makedirs(man_dir, exist_ok=True)
    # Pages of subcommands that no longer exist must not linger in the build tree and get installed.
    wanted = {"nettool.1"} | {"nettool-%s.1" % s["name"] for s in spec["subcommands"]}
    for stale in set(os.listdir(man_dir)) - wanted:
        os.remove(os.path.join(man_dir, stale))
    write(os.path.join(man_dir, "nettool.1"), main_page(spec, args.docs, args.version))
    for sub in spec["subcommands"]:
        write(os.path.join(man_dir, "nettool-%s.1" % sub["name"]), subcommand_page(spec, sub, args.docs, args.version))
    write(os.path.join(args.out, "bash-completion", "nettool"), bash_completion(spec))
    write(os.path.join(args.out, "zsh", "_nettool"), zsh_completion(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
