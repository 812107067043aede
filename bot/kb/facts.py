"""Questions for kinds of fact the sources rarely give: fees, phones, addresses, hours,
web addresses.

Such a question is recognised by phrase, not by one stem ("Сколько стоит загранпаспорт?"
asks for a fee; "знак стоит на кургане" says where a sign stands), and it is answered
only by a passage that contains a fact of that *form* (an amount with a currency, a
phone number, a street and number, a time of day, a URL) — a passage that merely
shares the word ("адрес", "fee") does not answer it, and the bot says the sources do
not give it.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from bot.kb.text import normalize

_ASKS = MappingProxyType(
    {
        "fee": re.compile(
            r"сколько\s+(?:\w+\s+){0,2}сто[иья]\w*|стоимост|\bцен[аыуе]\b|пошлин|\bплат(?:а|ы|у|ить|ный|но)\b"
            r"|\bсбор|қанша\s+(?:\w+\s+)?тұрады|\bбаға|\bқұны|төлем|\bалым|\bбаж"
            r"|how much (?:is|does|do|will|are|would)|\bcosts?\b|\bprices?\b|\bfees?\b|\bcharges?\b"
        ),
        "phone": re.compile(r"телефон|\bphone|telephone|қоңырау"),
        "address": re.compile(r"адрес|мекен-?жай|\baddress"),
        "hours": re.compile(
            r"час(?:ы)? работы|график|расписани|во сколько|в котором часу|opening hours"
            r"|what time|\bhours\b|жұмыс уақыт|жұмыс кестес|сағат нешеде|қай уақытта"
        ),
        "web": re.compile(r"\bсайт|website|e-?mail|электронн\w* почт|электрондық пошта"),
    }
)

_FORMS = MappingProxyType(
    {
        "fee": re.compile(
            r"\d[\d\s.,]*\s?(?:тенге|тг\b|₸|рубл|руб\b|₽|\$|usd|доллар|евро|€|tenge|roubles"
            r"|rubles|dollars|euros?|теңге|мрп|mci)"
            r"|бесплатн|free of charge|тегін",
            re.IGNORECASE,
        ),
        "phone": re.compile(r"(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}"),
        "address": re.compile(
            r"(?:\bул\.|улиц\w*|\bпр\.|проспект\w*|street|\bst\.|avenue|көшес\w*|даңғыл\w*)"
            r"[^.\n]{0,30}?\d+|\d+\s*,?\s*(?:\w+\s){0,2}(?:street|avenue|көшес\w*)",
            re.IGNORECASE,
        ),
        "hours": re.compile(r"\b\d{1,2}[:.]\d{2}\b|\bс\s\d{1,2}\sдо\s\d{1,2}\b"),
        "web": re.compile(r"https?://|www\.|\b[\w.-]+@[\w-]+\.\w+|\b[\w-]+\.(?:kz|ru|com|org)\b"),
    }
)


def asked_facts(question: str) -> frozenset[str]:
    """The kinds of fact `question` asks for (``fee``, ``phone``, ``address``, ``hours``,
    ``web``)."""
    text = normalize(question)
    return frozenset(kind for kind, pattern in _ASKS.items() if pattern.search(text))


def gives_fact(kind: str, text: str) -> bool:
    """`text` contains a fact of this kind (an amount, a number, a street...)."""
    return bool(_FORMS[kind].search(text))
