"""Turn a plain-text or Markdown news article into a `Document` (origin "ingest").

Public API::

    decode_upload(data, max_bytes=1_000_000) -> str
    parse_news(text, *, source, gazetteer, lang=None) -> Document
    split_sentences(text) -> list[str]
    IngestError(reason)  # .reason: "empty", "too_short", "binary", "not_text",
                         #          "too_large", "encoding"

`parse_news` (`pipeline.py`) runs these steps, one module each:

1. **decode** (`decode.py`): bytes to text (UTF-8, UTF-16 with a BOM, cp1251);
   binary, empty and non-text input is refused with a reason code.
2. **provenance** (`provenance.py`): the publisher and a link, from front
   matter, a "Source:"/"Источник:" line or a URL line at the top or bottom (taken
   out of the text), else the agency the text credits; front matter's title and
   date become a heading and a date line.
3. **clean** (`clean.py`): Markdown and HTML markup, site boilerplate ("logo", "RSS Print",
   "Tags: ...", login/vote junk) and lines without letters are dropped;
   paragraphs broken in the middle of a sentence are joined again.
4. **meta and dateline** (`dateline.py`): a short line that is only a date
   ("07 may", "date 2025-09-11 Фото: ...") is the publication date; a paragraph
   opening "Талдыкорган. 10 сентября. KAZAKHSTAN TODAY - ..." gives the place,
   the event date and the agency (the `credit`), and the prefix is cut.
5. **title** (`pipeline.py`): a Markdown heading, or the first paragraph if it
   reads as a headline (at most 200 characters, no final full stop); otherwise
   the first sentence, cut at a clause or word boundary to at most 120 characters.
6. **date** (`dateline.choose_date`): the dateline date; else, when the
   document has a publication date, the first date of the text if it is 0-7
   days before it (the reported event), else the publication date; else the
   first date of the text. A date without a year takes the publication date's
   year when it falls 0-7 days before it (003 is dated 2025-09-11 and its
   dateline says 10 September, so the event date is 2025-09-10); otherwise it
   stays ``--MM-DD``. `date_note` lists every date found and how it was chosen.
7. **places** (`bot.kb.gazetteer`: places.toml plus GeoNames towns, which
   match only as capitalised words outside people's names), in order of
   appearance: `places` is the dateline place, else the first city mentioned
   (none for an online event); `mentioned_places` the others; `countries` from
   their country codes.
8. **people** (`people.py`): "First [Patronymic] Surname" with a surname
   ending, grouped by surname, in the nominative, with the title phrase next
   to the name as the role.
9. **passages** (`sentences.py`): each paragraph split into passages of 1-3
   sentences of at most 450 characters.
10. **kind** / **event_kind** / **online** (`classify.py`) from keywords.

Everything is in the source language only: `title`, `role`, passages are
``{lang: text}``; nothing is translated.
"""

from bot.kb.ingest.decode import IngestError, decode_upload
from bot.kb.ingest.pipeline import MAX_TITLE, MIN_LETTERS, parse_news
from bot.kb.ingest.provenance import split_source
from bot.kb.ingest.sentences import MAX_PASSAGE, split_sentences

__all__ = [
    "MAX_PASSAGE",
    "MAX_TITLE",
    "MIN_LETTERS",
    "IngestError",
    "decode_upload",
    "parse_news",
    "split_sentences",
    "split_source",
]
