"""Transcripts kept in markup: oTranscribe's .otr (JSON around HTML) and Word's .docx (zipped XML).

Both are read with the standard library, in memory. A .docx is read without python-docx
(whose module study/appendices/word.py writes them): only its main part is taken, its
unpacked size checked before it is read, and XML that declares a document type or entities
is refused, so that a small file cannot unpack or expand into a large one.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree
from xml.parsers import expat

from flask_babel import lazy_gettext as _l

from .text import UnreadableError, from_lines

#: The most the unpacked text part of a .docx may weigh.
MAX_DOCX_XML = 8 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


# oTranscribe ------------------------------------------------------------------------------


def otr_text(text: str) -> str | None:
    """Return the turns of an oTranscribe file's text, or None if text is no JSON at all.

    The file is {"text": "<p>…</p>", "media": "…", …}: each paragraph or line break of the
    HTML begins a line, and the time marks oTranscribe inserts become "[mm:ss]". The name
    of the media file is not kept (students name files after people).

    :raises UnreadableError: when the JSON is not an oTranscribe file.
    """
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(found, dict) or not isinstance(found.get("text"), str):
        raise UnreadableError(_l("This JSON file is not an oTranscribe transcript (.otr)."))
    html = found["text"]
    if html.count("<") > html.count(">") + 64:
        # Unclosed tags by the thousand: no editor writes that, and HTMLParser takes time
        # that grows with their square to find out.
        raise UnreadableError(_l("This JSON file is not an oTranscribe transcript (.otr)."))
    reader = _OtrReader()
    reader.feed(html)
    reader.close()
    return from_lines(reader.lines())


class _OtrReader(HTMLParser):
    """Collect the lines of oTranscribe's HTML; its time marks become "[mm:ss]"."""

    BREAKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    SKIPPED = {"script", "style"}
    VOID = {"br", "img", "hr", "input", "wbr", "meta", "link", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        #: Depth inside a time mark or a skipped element, whose text is not taken as it is.
        self.depth = 0
        self.in_stamp = False
        self.stamp: str | None = None
        self.stamp_text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        """Break lines at blocks; open a time mark or a skipped element."""
        if self.depth:
            self.depth += tag not in self.VOID
            return
        if tag in self.BREAKS:
            self.parts.append("\n")
        classes = (dict(attrs).get("class") or "").split()
        if tag == "span" and "timestamp" in classes:
            self.depth, self.in_stamp, self.stamp_text = 1, True, []
            self.stamp = _stamp(dict(attrs).get("data-timestamp"))
        elif tag in self.SKIPPED:
            self.depth, self.in_stamp = 1, False

    def handle_startendtag(self, tag, attrs) -> None:
        """Break at a self-closed tag (<br/>) as at an opened one."""
        if not self.depth and tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        """Close blocks, time marks and skipped elements."""
        if self.depth:
            self.depth -= 1
            if not self.depth and self.in_stamp:
                shown = self.stamp or _stamp_from_text("".join(self.stamp_text))
                if shown:
                    self.parts.append(f" {shown} ")
            return
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        """Keep text; a time mark's own text counts only where it has no seconds attribute."""
        if not self.depth:
            self.parts.append(data)
        elif self.in_stamp:
            self.stamp_text.append(data)

    def lines(self) -> list[str]:
        """Return the lines collected."""
        return "".join(self.parts).split("\n")


def _stamp(seconds: str | None) -> str | None:
    """Return "[mm:ss]" (or "[h:mm:ss]") for a number of seconds, or None."""
    try:
        total = int(float(seconds or ""))
    except (ValueError, OverflowError):
        return None
    if total < 0:
        return None
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"[{hours}:{minutes:02d}:{secs:02d}]" if hours else f"[{minutes:02d}:{secs:02d}]"


def _stamp_from_text(text: str) -> str | None:
    found = re.fullmatch(r"\s*\[?(\d{1,2}(?::\d{2}){1,2})\]?\s*", text)
    return f"[{found[1]}]" if found else None


# Word -------------------------------------------------------------------------------------


def docx_text(data: bytes) -> str:
    """Return the turns of a Word document: each paragraph, and each line break, a line.

    Tables are read row by row: a row of a speaker and their words is "Speaker: words",
    with a first cell holding a time in front. Deleted text (tracked changes), fields'
    codes, text boxes, headers and footnotes are left out.

    :raises UnreadableError: when the bytes are no Word document the app can read.
    """
    not_word = _l("This file is not a Word document the app can read (.docx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML:
                raise UnreadableError(_l("The Word document is too large to read."))
            with archive.open(info) as part:
                xml = part.read(MAX_DOCX_XML + 1)
    except (KeyError, zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
        raise UnreadableError(not_word) from None
    if len(xml) > MAX_DOCX_XML:
        raise UnreadableError(_l("The Word document is too large to read."))
    try:
        root = _parse(xml)
    except (expat.ExpatError, _DeclarationError):
        raise UnreadableError(not_word) from None
    body = root.find(f"{_W}body")
    if body is None:
        raise UnreadableError(not_word)
    return from_lines(_blocks(body))


class _DeclarationError(Exception):
    """The XML declares a document type or entities, which no Word document does."""


def _parse(xml: bytes) -> ElementTree.Element:
    """Parse XML that declares no document type and no entity (nothing to expand or fetch).

    :raises _DeclarationError: at a declaration; ExpatError when the XML is broken.
    """

    def refuse(*_args) -> None:
        raise _DeclarationError

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = lambda tag, attrs: builder.start(
        name(tag), {name(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.Parse(xml, True)
    return builder.close()


def _blocks(parent: ElementTree.Element):
    """Yield the lines of a part of the body: paragraphs, table rows, content controls."""
    for child in parent:
        if child.tag == f"{_W}p":
            yield _runs(child)
        elif child.tag == f"{_W}tbl":
            for row in child.findall(f"{_W}tr"):
                cells = [" ".join(_blocks(cell)).strip() for cell in row.findall(f"{_W}tc")]
                yield _row([c for c in cells if c])
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content)
        elif child.tag == f"{_W}customXml":
            yield from _blocks(child)


_SKIPPED_RUNS = {
    f"{_W}{name}" for name in ("del", "delText", "instrText", "txbxContent", "rPr", "pPr")
} | {_FALLBACK}
_TIME_CELL = re.compile(r"\[?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?\]?")


def _runs(paragraph: ElementTree.Element) -> str:
    """Return a paragraph's text; a line break in it breaks the line, a tab is a space."""
    parts: list[str] = []

    def walk(element: ElementTree.Element) -> None:
        for child in element:
            if child.tag == f"{_W}t":
                parts.append(child.text or "")
            elif child.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif child.tag == f"{_W}tab":
                parts.append(" ")
            elif child.tag == f"{_W}noBreakHyphen":
                parts.append("-")
            elif child.tag not in _SKIPPED_RUNS:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _row(cells: list[str]) -> str:
    """Return a table row as a line: "[time] Speaker: words" where the cells look so."""
    stamp = ""
    if len(cells) >= 2 and _TIME_CELL.fullmatch(cells[0]):
        stamp, cells = f"[{cells[0].strip('[]')}] ", cells[1:]
    if len(cells) == 2 and len(cells[0]) <= 40 and "\n" not in cells[0]:
        return f"{stamp}{cells[0].rstrip(': ')}: {cells[1]}"
    return stamp + " ".join(cells)
