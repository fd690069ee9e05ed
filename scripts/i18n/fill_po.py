"""Fill empty msgstr entries of locale/zh_Hans from scripts/i18n/zh_hans.json, then compile.

Usage: python scripts/i18n/fill_po.py   (after `manage.py makemessages -l zh_Hans -l en`)
Reports the msgids that still have no translation, so none is forgotten.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TABLE = Path(__file__).with_name("zh_hans.json")


def _unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return json.loads('"' + "".join(parts) + '"')


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _unfuzzy(entry: str) -> str:
    """Drop makemessages' fuzzy guesses: the table's translation is the reviewed one."""
    lines = []
    for line in entry.split("\n"):
        if line.startswith("#| "):
            continue
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        lines.append(line)
    return "\n".join(lines)


def main() -> int:
    table: dict[str, str | list[str]] = json.loads(TABLE.read_text(encoding="utf-8"))
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")
    missing: list[str] = []
    out = []
    for entry in entries:
        m_id = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not m_id or entry.startswith('msgid ""\nmsgstr ""\n"Project'):
            out.append(entry)
            continue
        msgid = _unquote(m_id.group(1))
        if msgid == "":
            out.append(entry)
            continue
        plural = re.search(r'^msgid_plural ((?:".*"\n?)+)', entry, re.M)
        value = table.get(msgid)
        entry = _unfuzzy(entry)
        head = entry[: entry.index("msgstr")]
        if value is None:
            # Untranslated: leave it empty rather than keep makemessages' fuzzy guess.
            missing.append(msgid)
            empty = 'msgstr[0] ""' if plural else 'msgstr ""'
            out.append(head.rstrip("\n") + "\n" + empty)
            continue
        if plural:
            forms = value if isinstance(value, list) else [value]
            head = head.rstrip("\n") + "\n"
            out.append(head + "\n".join(f"msgstr[{i}] {_quote(v)}" for i, v in enumerate(forms)))
        else:
            out.append(head + f"msgstr {_quote(value if isinstance(value, str) else value[0])}")
    PO.write_text("\n\n".join(out), encoding="utf-8")
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True
    )
    en = PO.parents[2] / "en" / "LC_MESSAGES" / "django.po"
    subprocess.run(["msgfmt", "-o", str(en.with_suffix(".mo")), str(en)], check=True)
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
